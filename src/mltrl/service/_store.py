"""Transactions for the services: one write = one transaction, errors made one-line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from mltrl.errors import Conflict, MltrlError
from mltrl.store import schema
from mltrl.store.engine import WRITE, store_error
from mltrl.store.location import Location
from mltrl.store.reader import Reader
from mltrl.store.records import ComponentRecord

_EVENT_COLUMNS = [c.name for c in schema.events.columns if c.name != "id"]
_INSERT_EVENT = (
    f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}) VALUES ({', '.join(':' + c for c in _EVENT_COLUMNS)})"
)

#: PostgreSQL's "serialization failure" and "deadlock detected": two writers met, this one was
#: rolled back whole (a bulk load in one transaction can meet a single write in lock order).
_RACES = {"40001", "40P01"}


@dataclass(frozen=True)
class Unit:
    """What a write use-case works with: the open transaction, a reader on it, and who acts."""

    conn: Connection
    reader: Reader
    actor: str
    #: Called after a component's level changed (the registry freezes TRL Card revisions there).
    on_level_change: Callable[[Unit, ComponentRecord, str, datetime], None] | None = None

    def append_event(self, **values: Any) -> None:
        row = dict.fromkeys(_EVENT_COLUMNS)
        row.update(reason="", actor=self.actor)
        row.update(values)
        self.reader.execute(_INSERT_EVENT, row)


class Store:
    """Opens read and write connections; lets callers group writes in one transaction."""

    def __init__(self, engine: Engine, location: Location) -> None:
        self.engine = engine
        self.location = location
        self._open: Connection | None = None  # set while a write transaction runs

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction; nested calls join the one already open (see ``Registry.transaction``)."""
        if self._open is not None:
            yield self._open
            return
        with (
            self._translated(),
            self.engine.connect().execution_options(**{WRITE: True}) as conn,
            conn.begin(),
        ):
            self._open = conn
            try:
                yield conn
            finally:
                self._open = None

    @contextmanager
    def read(self) -> Iterator[Reader]:
        if self._open is not None:
            yield self.reader(self._open)
            return
        with self._translated(), self.engine.connect() as conn:
            yield self.reader(conn)
            conn.rollback()

    @staticmethod
    def reader(conn: Connection) -> Reader:
        return Reader(conn.connection.dbapi_connection, postgres=conn.dialect.name == "postgresql")

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except MltrlError:
            raise
        except IntegrityError as exc:
            detail = (str(exc.orig).strip().splitlines() or ["integrity error"])[0]
            raise Conflict(f"another change landed first ({detail}); nothing was written") from exc
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) in _RACES:
                raise Conflict(
                    "another change landed at the same moment; nothing was written, try again"
                ) from exc
            raise store_error(exc, self.location) from exc
