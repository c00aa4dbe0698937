"""SQLAlchemy engines for the registry, tuned so concurrent writers serialise cleanly.

SQLite: WAL (readers never block the writer), a generous busy timeout, foreign
keys on, and write transactions opened with ``BEGIN IMMEDIATE`` so two
writers queue for the lock instead of failing half-way with "database is
locked". PostgreSQL: READ COMMITTED, pinned whatever the server's default, plus the
optimistic ``seq`` check and the row locks of :mod:`mltrl.store.locks` in the service layer
(docs/storage.md says which write relies on which).
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, InvalidatePoolError

from mltrl.errors import StoreError
from mltrl.store.location import Location, read_only_reason, sqlite_read_only_uri

#: Execution option a connection sets when it is about to write.
WRITE = "mltrl_write"
SQLITE_BUSY_TIMEOUT_S = 60
#: How SQLite syncs a commit to disk. FULL by default: a registry records signatures and decisions, and
#: with NORMAL in WAL mode a power cut can lose the last commits. A bulk import that can simply be run
#: again may choose NORMAL (docs/storage.md gives the cost of each).
ENV_SYNCHRONOUS = "MLTRL_SQLITE_SYNCHRONOUS"
SYNCHRONOUS_MODES = ("FULL", "NORMAL")


def sqlite_synchronous() -> str:
    """The synchronous mode for SQLite commits: FULL unless ``MLTRL_SQLITE_SYNCHRONOUS`` says NORMAL."""
    mode = os.environ.get(ENV_SYNCHRONOUS, "").strip().upper() or "FULL"
    if mode not in SYNCHRONOUS_MODES:
        raise StoreError(f"{ENV_SYNCHRONOUS}: {mode!r} is not one of FULL, NORMAL")
    return mode


def make_engine(location: Location) -> Engine:
    if location.is_sqlite:
        return _sqlite_engine(location.sqlite_path)
    try:
        import psycopg  # noqa: F401  (fail early with a useful message)
    except ImportError as exc:
        raise StoreError("PostgreSQL support needs the extra: pip install 'mltrl[postgres]'") from exc
    url = location.url.replace("postgresql://", "postgresql+psycopg://", 1)
    # READ COMMITTED, not the server's default: a transaction that waited for a row lock must see
    # what the lock's holder committed (a REPEATABLE READ snapshot would not, and would raise one
    # alert twice where a lock is meant to prevent it).
    engine = create_engine(url, isolation_level="READ COMMITTED")
    _ping_after_idle(engine)
    return engine


#: A pooled connection unused for longer than this is checked with a round trip before it is used.
PING_AFTER_IDLE_S = 2.0


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it sat idle (SQLAlchemy's ``pool_pre_ping``
    checks every time: one more round trip on each read and write, about a tenth of a status read).

    A connection the server dropped while it sat idle (a restart, an ended session) is replaced
    before anything runs on it. One dropped in the seconds after its last use fails that one
    statement: a read is made again on a new connection (:meth:`Registry._read`); a write fails
    whole, nothing written, with a one-line error (HTTP 503) to try again.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["mltrl_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("mltrl_idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return  # new, or just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool drops this connection and every one as old (a restarted server dropped
            # them all), and hands out a new one, as its own pre-ping would.
            raise InvalidatePoolError(str(exc)) from exc


def _sqlite_engine(path: Path) -> Engine:
    read_only = read_only_reason(path) is not None
    synchronous = sqlite_synchronous()
    if read_only:
        # A read-only directory or file: read through a URI that writes nothing beside the database
        # (reads work; a write fails and store_error says why).
        uri = sqlite_read_only_uri(path)
        engine = create_engine(
            "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_S)
        )
    else:
        engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")

    return engine


def store_error(exc: DBAPIError, location: Location) -> StoreError:
    """A one-line error for a database that cannot be opened, read or written."""
    detail = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
    if exc.connection_invalidated:
        dropped = StoreError(f"cannot use the registry at {location.display}: {detail}")
        dropped.disconnected = True
        return dropped
    if location.is_sqlite and ("readonly" in detail or "unable to open" in detail):
        reason = read_only_reason(location.sqlite_path)
        if reason is not None:
            return StoreError(
                f"cannot write to the registry at {location.display}: {reason} "
                "(read commands still work; writing needs write access to the file and its directory)"
            )
    return StoreError(f"cannot use the registry at {location.display}: {detail}")
