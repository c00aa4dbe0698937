"""Transactions for the services: one write = one transaction, errors made one-line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, insert
from sqlalchemy.exc import DBAPIError, IntegrityError

from mltrl.errors import Conflict, MltrlError
from mltrl.store import schema
from mltrl.store.engine import WRITE, store_error
from mltrl.store.location import Location
from mltrl.store.reader import Reader


class Store:
    """Opens read and write connections; lets callers group writes in one transaction."""

    def __init__(self, engine: Engine, location: Location) -> None:
        self.engine = engine
        self.location = location
        self._open: Connection | None = None  # set while a transaction() block runs

    @contextmanager
    def write(self) -> Iterator[Connection]:
        if self._open is not None:
            yield self._open
            return
        with self._translated():
            with self.engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
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

    def reader(self, conn: Connection) -> Reader:
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
            raise store_error(exc, self.location) from exc


def append_event(conn: Connection, **values: Any) -> None:
    values.setdefault("reason", "")
    conn.execute(insert(schema.events).values(**values))
