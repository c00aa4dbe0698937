"""The event log's hash chain: each event's ``hash`` covers its content and the hash before it.

One chain runs through the whole registry, in event-id order (docs/trust.md). It is kept linear by
the lock every write transaction already needs: SQLite runs writers one after another (``BEGIN
IMMEDIATE``), and on PostgreSQL each write transaction first locks the single ``event_chain`` row
(:meth:`Chain.open`), which also holds the chain's head (its last hash and its length) so that a
deleted last event is found too. A global chain, not one per project: a transaction that writes
events of two projects (a fork) cannot deadlock on two chain locks, and events are ids in the
order they were chained, so verifying is one scan.

The hash is over a canonical JSON of the values as the database gives them back (times in UTC with
microseconds, ``data`` as sorted-key JSON), so a value read from SQLite text or PostgreSQL types
hashes the same as it did when written.
"""

from __future__ import annotations

import functools
import hashlib
import json
import json.encoder
import operator
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

#: The hash before the first event.
GENESIS = "0" * 64

#: The event's columns a hash covers, in this order (not ``id``, ``prev_hash``, ``hash``).
HASHED = (
    "project_id",
    "component_id",
    "seq",
    "kind",
    "from_level",
    "to_level",
    "entry_level",
    "switchback_kind",
    "approver",
    "reason",
    "actor",
    "at",
    "data",
    "via",
)


_HASHED_VALUES = operator.itemgetter(*HASHED)


def _canonical_encoder() -> Callable[[Any], str]:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, made once.

    json.dumps with options builds a new encoder per call, and even a kept JSONEncoder builds its
    C scanner again per call: together more than the hash itself costs on the bulk import's path.
    The C encoder is built here once (where the C accelerations are missing, the kept encoder)."""
    options = {"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False}
    fallback = json.JSONEncoder(**options).encode  # type: ignore[arg-type]
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return fallback
    # (markers, default, encoder, indent, key_separator, item_separator, sort_keys, skipkeys,
    # allow_nan), as JSONEncoder.iterencode passes them with the options above.
    try:
        default, strings = fallback.__self__.default, json.encoder.encode_basestring
        encode = make(None, default, strings, None, ":", ",", True, False, True)
        fast: Callable[[Any], str] = lambda value: "".join(encode(value, 0))  # noqa: E731
        probe = [1, "é\n", None, 2.5, {"b": [True], "a": "x"}]
        if fast(probe) == fallback(probe):  # not so on a Python whose C encoder takes other arguments
            return fast
    except TypeError:
        pass
    return fallback


_ENCODE = _canonical_encoder()


def canonical_time(value: datetime | str | None) -> str | None:
    """A stored time as one text whatever the backend: UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            return value  # already this text: how SQLite stores times (the bulk import's hot path)
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ", timespec="microseconds")


def canonical_data(value: Any) -> Any:
    """Event data as plain JSON values (SQLite gives JSON text back, PostgreSQL the decoded value)."""
    if isinstance(value, str):
        return _parsed(value)
    return value


@functools.lru_cache(maxsize=1024)
def _parsed(text: str) -> Any:
    # Only dumped again, never changed: a bulk import repeats the same few data texts.
    return json.loads(text)


def event_hash(row: dict[str, Any], prev_hash: str) -> str:
    """The hash of the event ``row`` (its :data:`HASHED` values) chained after ``prev_hash``."""
    values = list(_HASHED_VALUES(row))
    values[11] = canonical_time(values[11])
    values[12] = canonical_data(values[12])
    text = _ENCODE(values)  # = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{text}".encode()).hexdigest()


class Chain:
    """The chain's head as one write transaction moves it; written back once, before commit."""

    _READ = "SELECT last_hash, length FROM event_chain WHERE id = 1"

    def __init__(self, writer: Any, postgres: bool) -> None:
        self._writer = writer
        self._postgres = postgres
        self._head: tuple[str, int] | None = None
        self._start: tuple[str, int] | None = None

    def open(self) -> None:
        """Take the chain's lock and read its head. On PostgreSQL this is the write transaction's
        first statement: every writer queues here before it locks anything else, so the lock can
        never be half of a deadlock, and events get their ids in the order they are chained."""
        if self._postgres:
            self._load(self._READ + " FOR UPDATE")

    def _load(self, sql: str) -> tuple[str, int]:
        if self._head is None:
            row = self._writer.one(sql)
            self._head = (GENESIS, 0) if row is None else (row["last_hash"], int(row["length"]))
            self._start = self._head
        return self._head

    def link(self, row: dict[str, Any]) -> None:
        """Set ``prev_hash`` and ``hash`` of the event ``row``, the next in the chain."""
        prev, length = self._load(self._READ)
        row["prev_hash"] = prev
        row["hash"] = event_hash(row, prev)
        self._head = (row["hash"], length + 1)

    def save(self) -> None:
        """Write the moved head in the transaction (nothing when no event was appended)."""
        if self._head is None or self._head == self._start:
            return
        last_hash, length = self._head
        changed = self._writer.execute(
            "UPDATE event_chain SET last_hash = :h, length = :n WHERE id = 1", {"h": last_hash, "n": length}
        )
        if changed != 1:
            self._writer.execute(
                "INSERT INTO event_chain (id, last_hash, length) VALUES (1, :h, :n)",
                {"h": last_hash, "n": length},
            )
        self._start = self._head
