"""Transactions for the services: one write = one transaction, errors made one-line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from mltrl.errors import Conflict, MltrlError, StoreError
from mltrl.store import schema
from mltrl.store.chain import Chain
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


#: The optimistic write of a move: it only lands if nobody moved the component since it was read.
_MOVE = (
    "UPDATE components SET level = :level, entry_level = :entry_level, status = :status, seq = :seq, "
    "last_at = :last_at WHERE id = :cid AND seq = :seen"
)


class Batch:
    """The moves of one write transaction, written behind: events and component states are kept
    here and land in one ``executemany`` each before anything reads the database, and at commit.

    A bulk load of history then costs about what inserting its rows costs, while each event still
    goes through every rule of :mod:`mltrl.domain.rules` against the component's state as this
    transaction left it. Only the lifecycle use-cases marked :func:`batched` use it; any other write
    lands it first and forgets what it knew (it may change components in ways the batch cannot see).
    """

    def __init__(self, raw: Any, postgres: bool) -> None:
        self._writer = Reader(raw, postgres=postgres)
        self.events: list[dict[str, Any]] = []
        #: component id -> [seq when first moved here, the state to write]
        self.moves: dict[int, list[Any]] = {}
        #: Components as this transaction left them, by the reference a caller used.
        self.known: dict[str, ComponentRecord] = {}
        #: Component ids checked once in this transaction to have no live history / open reviews.
        self.facts: set[tuple[str, int]] = set()

    def move(self, record: ComponentRecord, seen: int) -> None:
        first = self.moves.get(record.id)
        state = {
            "cid": record.id,
            "level": record.level,
            "entry_level": record.entry_level,
            "status": record.status,
            "seq": record.seq,
            "last_at": record.last_at,
        }
        if first is None:
            self.moves[record.id] = [seen, state]
        else:
            first[1] = state

    def flush(self) -> None:
        if self.moves:
            moves, self.moves = self.moves, {}
            rows = [{**state, "seen": seen} for seen, state in moves.values()]
            if self._writer.execute_many(_MOVE, rows) != len(rows):
                raise Conflict(
                    "a component was changed by someone else during this load; nothing was written"
                )
        if self.events:
            events, self.events = self.events, []
            self._writer.execute_many(_INSERT_EVENT, events)

    def forget(self) -> None:
        """Land what is pending and drop what was known: the next write may change anything."""
        self.flush()
        self.known.clear()
        self.facts.clear()


def batched(use_case: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a lifecycle use-case that keeps :class:`Batch` right (see there)."""
    use_case.batched = True  # type: ignore[attr-defined]
    return use_case


@dataclass(frozen=True)
class Unit:
    """What a write use-case works with: the open transaction, a reader on it, and who acts."""

    conn: Connection
    reader: Reader
    actor: str
    #: Called after a component's level changed (the registry freezes TRL Card revisions there).
    on_level_change: Callable[[Unit, ComponentRecord, str, datetime], None] | None = None
    #: Set for the use-cases marked :func:`batched`: their writes go behind (see Batch).
    batch: Batch | None = None
    #: The event log's hash chain as this transaction moves it (see :mod:`mltrl.store.chain`).
    chain: Chain | None = None
    #: Where the write came from, for the audit: ``cli``, ``python``, ``token:PREFIX`` ...
    via: str | None = None
    #: Project id -> its card's latest revision as this process last froze it (see project_cards).
    card_cache: dict[int, Any] | None = None
    #: Component id -> its card part as this write computed it (a move freezes its component's
    #: card, then its project's: the project's derivation reuses the part instead of reading again).
    card_parts: dict[int, Any] = field(default_factory=dict)

    def append_event(self, **values: Any) -> None:
        row = dict.fromkeys(_EVENT_COLUMNS)
        row.update(reason="", actor=self.actor, via=self.via)
        row.update(values)
        if self.chain is not None:
            self.chain.link(row)
        if self.batch is not None:
            self.batch.events.append(row)
        else:
            self.reader.execute(_INSERT_EVENT, row)


class Store:
    """Opens read and write connections; lets callers group writes in one transaction."""

    def __init__(self, engine: Engine, location: Location) -> None:
        self.engine = engine
        self.location = location
        self._open: Connection | None = None  # set while a write transaction runs
        self._batch: Batch | None = None  # the open transaction's writes behind
        self._chain: Chain | None = None  # the open transaction's place in the event chain
        #: The latest project card revisions this process froze, to derive the next ones from.
        self.card_cache: dict[int, Any] = {}

    @contextmanager
    def write(self, *, behind: bool = False) -> Iterator[Connection]:
        """A write transaction; nested calls join the one already open (see ``Registry.transaction``).

        ``behind``: the many-writes transaction of a bulk load, whose moves are written behind
        (:class:`Batch`); a single write lands as it goes, and says which move met a conflict.
        """
        if self._open is not None:
            yield self._open
            return
        with (
            self._translated(),
            self.engine.connect().execution_options(**{WRITE: True}) as conn,
            conn.begin(),
            self._dropped(conn),
        ):
            postgres = conn.dialect.name == "postgresql"
            raw = conn.connection.dbapi_connection
            self._chain = Chain(Reader(raw, postgres=postgres), postgres)
            self._chain.open()
            self._open = conn
            if behind:
                self._batch = Batch(raw, postgres)
            try:
                yield conn
                if self._batch is not None:
                    self._batch.flush()
                self._chain.save()
            finally:
                self._open = None
                self._batch = None
                self._chain = None

    def unit(
        self,
        conn: Connection,
        actor: str,
        use_case: Callable[..., Any],
        on_level_change: Callable[[Unit, ComponentRecord, str, datetime], None] | None,
        via: str | None = None,
    ) -> Unit:
        """The unit ``use_case`` runs in; only a :func:`batched` one writes behind."""
        batch = self._batch
        if batch is not None and not getattr(use_case, "batched", False):
            batch.forget()
            batch = None
        chain = self._chain if conn is self._open else None
        return Unit(conn, self.reader(conn), actor, on_level_change, batch, chain, via, self.card_cache)

    @property
    def in_transaction(self) -> bool:
        return self._open is not None

    @contextmanager
    def read(self) -> Iterator[Reader]:
        if self._open is not None:
            yield self.reader(self._open)
            return
        with self._translated(), self.engine.connect() as conn, self._dropped(conn):
            if conn.dialect.name == "postgresql":
                # READ COMMITTED gives every statement its own snapshot, in a transaction or not: a
                # read gains nothing from one, and autocommit spares its BEGIN and ROLLBACK round
                # trips (on SQLite a read transaction is one snapshot, and costs no round trip).
                conn.execution_options(isolation_level="AUTOCOMMIT")
            yield self.reader(conn)
            conn.rollback()

    def reader(self, conn: Connection) -> Reader:
        # Inside a write transaction, whatever is written behind lands before anything reads.
        batch = self._batch if conn is self._open else None
        return Reader(
            conn.connection.dbapi_connection,
            postgres=conn.dialect.name == "postgresql",
            before=None if batch is None else batch.flush,
        )

    @contextmanager
    def _dropped(self, conn: Connection) -> Iterator[None]:
        """The driver's own errors (a :class:`Reader` runs SQL on the DB-API connection itself): a
        connection the server dropped is discarded, never pooled again, and said in one line that
        marks it :attr:`~mltrl.errors.StoreError.disconnected`; any other error goes on unchanged."""
        try:
            yield
        except self.engine.dialect.loaded_dbapi.Error as exc:
            raw = conn.connection.dbapi_connection
            if not self.engine.dialect.is_disconnect(exc, raw, None):
                raise
            conn.invalidate(exc)
            detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            dropped = StoreError(f"cannot use the registry at {self.location.display}: {detail}")
            dropped.disconnected = True
            raise dropped from exc

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
