"""Read models: what queries return and what the CLI and API render (``to_json`` included)."""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


class Record:
    def to_json(self) -> dict[str, Any]:
        hidden = {"id", "project_id", "component_id"}  # database keys mean nothing to a user
        return {k: _jsonable(v) for k, v in asdict(self).items() if k not in hidden}  # type: ignore[call-overload]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Any:
        return cls(**{name: row[name] for name in _field_names(cls)})


@dataclass(frozen=True)
class ProjectRecord(Record):
    id: int
    key: str
    name: str
    description: str
    rd_owner: str | None
    product_owner: str | None
    parent_key: str | None
    fork_reason: str | None
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class ComponentRecord(Record):
    id: int
    project_id: int
    project_key: str
    code: str
    name: str
    kind: str
    parent_code: str | None
    forked_from: str | None  # "PROJECT/CODE" of the component this one was forked from
    description: str
    entry_level: int
    level: int
    status: str
    seq: int
    last_at: datetime
    created_at: datetime

    @property
    def ref(self) -> str:
        return f"{self.project_key}/{self.code}"


@dataclass(frozen=True)
class CouplingRecord(Record):
    id: int
    project_key: str
    code: str
    name: str
    level: int
    note: str


@dataclass(frozen=True)
class VersionRecord(Record):
    id: int
    kind: str
    version: str
    uri: str | None
    sha256: str | None
    note: str
    registered_at: datetime
    registered_by: str


@dataclass(frozen=True)
class EventRecord(Record):
    id: int
    project_key: str
    component_id: int | None
    code: str | None
    seq: int | None
    kind: str
    from_level: int | None
    to_level: int | None
    entry_level: int | None
    switchback_kind: str | None
    approver: str | None
    reason: str
    actor: str
    at: datetime
    data: dict[str, Any] | None
