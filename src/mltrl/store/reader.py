"""Fast read access over a plain DB-API connection.

Read commands (``status``, ``history``, ``report`` ...) must start quickly, and
importing SQLAlchemy alone costs more than their whole budget. So reads run
plain SQL through ``sqlite3`` or ``psycopg`` directly. The same
:class:`Reader` also wraps the DB-API connection underneath a SQLAlchemy
connection, so the Python API and the CLI share every query.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from mltrl.errors import StoreError
from mltrl.store._revision import HEAD_REVISION, is_known_revision
from mltrl.store.location import Location, read_only_reason, sqlite_read_only_uri

_CONVERTED = frozenset({datetime, dict})
_NAMED_PARAM = re.compile(r"(?<![:\w]):(\w+)")


class Reader:
    """Runs SQL written with ``:name`` parameters on SQLite or PostgreSQL."""

    def __init__(self, raw: Any, *, postgres: bool, before: Callable[[], None] | None = None) -> None:
        self._raw = raw
        self._postgres = postgres
        #: Run before every statement (lands the writes a transaction keeps behind).
        self._before = before

    @property
    def postgres(self) -> bool:
        return self._postgres

    def all(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        if self._before is not None:
            self._before()
        cursor = self._raw.cursor()
        try:
            cursor.execute(self._dialect(sql), params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def in_ids(self, column: str, ids: Iterable[int]) -> tuple[str, dict[str, Any]]:
        """``column IN (ids)`` as SQL and its parameters. On PostgreSQL one array parameter, so the
        statement's text is the same for any list (planned once and prepared after a few uses,
        not parsed anew per list); on SQLite the numbers inline (compiling is cheap in-process)."""
        listed = [int(i) for i in ids]
        if self._postgres:
            return f"{column} = ANY(:in_ids)", {"in_ids": listed}
        return f"{column} IN ({', '.join(map(str, listed)) or 'NULL'})", {}

    def memoized(self) -> Reader:
        """This reader, answering a repeated query (same SQL, same values) from memory: for one
        read-only view that asks the same thing many times (a project's card asks for the project
        and its requirements once per component). Never across a write (:class:`MemoReader`)."""
        return MemoReader(self)

    def tuples(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        """Rows as plain tuples: the cheapest shape for scans over the whole log."""
        if self._before is not None:
            self._before()
        cursor = self._raw.cursor()
        try:
            cursor.execute(self._dialect(sql), params)
            return cursor.fetchall()
        finally:
            cursor.close()

    def epoch(self, column: str) -> str:
        """SQL for a timestamp column as seconds since 1970 (a float), computed by the database."""
        if self._postgres:
            return f"EXTRACT(EPOCH FROM {column})::float8"
        return f"(julianday({column}) - 2440587.5) * 86400.0"

    def time(self, value: datetime) -> Any:
        """``value`` as a parameter that compares rightly with stored times (SQLite keeps them as text)."""
        return value if self._postgres else sqlite_time(value)

    def one(self, sql: str, **params: Any) -> dict[str, Any] | None:
        rows = self.all(sql, **params)
        return rows[0] if rows else None

    def scalar(self, sql: str, **params: Any) -> Any:
        row = self.one(sql, **params)
        return None if row is None else next(iter(row.values()))

    def execute(self, sql: str, params: dict[str, Any]) -> int:
        """Run one data-changing statement inside the caller's write transaction; return its row count.

        The hot path of bulk loads (moving a component, appending its event) goes
        through here: SQLAlchemy Core spends several times longer preparing each
        statement than the database spends running it.
        """
        if self._before is not None:
            self._before()
        cursor = self._raw.cursor()
        try:
            converted = {k: self._value(v) if type(v) in _CONVERTED else v for k, v in params.items()}
            cursor.execute(self._dialect(sql), converted)
            return cursor.rowcount
        finally:
            cursor.close()

    def execute_many(self, sql: str, rows: list[dict[str, Any]], *, converted: bool = False) -> int:
        """Run one data-changing statement for each of ``rows`` in one call; return the rows changed.

        ``converted``: the rows already hold what the database takes (see :meth:`time`, JSON text).
        """
        cursor = self._raw.cursor()
        try:
            if not converted:
                value = self._value
                rows = [{k: value(v) if type(v) in _CONVERTED else v for k, v in row.items()} for row in rows]
            cursor.executemany(self._dialect(sql), rows)
            return cursor.rowcount
        finally:
            cursor.close()

    def _value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return value if self._postgres else sqlite_time(value)
        if isinstance(value, dict):
            if self._postgres:
                from psycopg.types.json import Json

                return Json(value)
            return json.dumps(value)
        return value

    def _dialect(self, sql: str) -> str:
        return _NAMED_PARAM.sub(r"%(\1)s", sql) if self._postgres else sql


def sqlite_time(value: datetime) -> str:
    """A time as SQLAlchemy stores it in SQLite (UTC, microseconds always), so text order is time order."""
    if value.tzinfo is UTC:  # the common case (inputs.moment gives UTC): drop the "+00:00"
        return value.isoformat(sep=" ", timespec="microseconds")[:26]
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ", timespec="microseconds")


def as_utc(value: datetime | str | None) -> datetime | None:
    """Timestamps come back aware from PostgreSQL and as text from SQLite; make both aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@contextmanager
def open_reader(location: Location) -> Iterator[Reader]:
    """A checked, read-only-by-use connection to the registry at ``location``."""
    if location.is_sqlite:
        raw = _connect_sqlite(location)
        postgres = False
    else:
        raw = _connect_postgres(location)
        postgres = True
    try:
        reader = Reader(raw, postgres=postgres)
        check_revision(reader, location)
        yield reader
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot read the registry at {location.display}: {exc}") from exc
    finally:
        raw.close()


def check_revision(reader: Reader, location: Location) -> None:
    try:
        revision = reader.scalar("SELECT version_num FROM alembic_version")
    except Exception as exc:
        if _is_missing_table(exc):
            raise StoreError(
                f"{location.display} is not an mltrl registry (no schema); run `mltrl init` on it"
            ) from exc
        raise StoreError(f"cannot read the registry at {location.display}: {_first_line(exc)}") from exc
    if revision != HEAD_REVISION:
        remedy = "run `mltrl migrate`" if is_known_revision(revision) else "it is newer: upgrade mltrl"
        raise StoreError(
            f"the registry at {location.display} has schema {revision!r}, this mltrl expects "
            f"{HEAD_REVISION!r}; {remedy}"
        )


def _connect_sqlite(location: Location) -> sqlite3.Connection:
    path = location.sqlite_path
    if not path.is_file():
        raise StoreError(f"no registry database at {path}; run `mltrl init`")
    try:
        if read_only_reason(path) is None:
            raw = sqlite3.connect(path, timeout=30)
        else:  # a read-only .mltrl/: read without creating the journal files beside the database
            raw = sqlite3.connect(sqlite_read_only_uri(path), uri=True, timeout=30)
        raw.execute("PRAGMA query_only = ON")  # a reader never writes, even by mistake
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot read the registry at {path}: {exc}") from exc
    return raw


def _connect_postgres(location: Location) -> Any:
    try:
        import psycopg
    except ImportError as exc:  # the extra is not installed
        raise StoreError("PostgreSQL support needs the extra: pip install 'mltrl[postgres]'") from exc
    conninfo = location.url.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        return psycopg.connect(conninfo, autocommit=True)
    except psycopg.Error as exc:
        raise StoreError(f"cannot connect to {location.display}: {_first_line(exc)}") from exc


def _is_missing_table(exc: Exception) -> bool:
    text = str(exc).lower()
    return "no such table" in text or "does not exist" in text


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class MemoReader(Reader):
    """See :meth:`Reader.memoized`. Each answer is a fresh copy of the rows (callers convert
    values in place); a statement that changes data forgets every answer."""

    def __init__(self, reader: Reader) -> None:
        super().__init__(reader._raw, postgres=reader._postgres, before=reader._before)
        self._memo: dict[tuple[str, tuple[tuple[str, Any], ...]], list[dict[str, Any]]] = {}

    def all(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        key = (sql, tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(params.items())))
        try:
            rows = self._memo.get(key)
        except TypeError:  # a value that cannot be a key (a list): asked every time
            return super().all(sql, **params)
        if rows is None:
            rows = self._memo[key] = super().all(sql, **params)
        return [dict(row) for row in rows]

    def execute(self, sql: str, params: dict[str, Any]) -> int:
        self._memo.clear()
        return super().execute(sql, params)

    def execute_many(self, sql: str, rows: list[dict[str, Any]], *, converted: bool = False) -> int:
        self._memo.clear()
        return super().execute_many(sql, rows, converted=converted)
