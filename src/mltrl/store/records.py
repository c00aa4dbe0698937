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
    traits: list[str]  # e.g. ["causal"]: criteria of the catalogue that apply only to such projects


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
    owner: str | None
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


@dataclass(frozen=True)
class ReviewRecord(Record):
    id: int
    project_id: int
    component_id: int
    project_key: str
    code: str
    level: int
    status: str
    template: dict[str, Any]
    opened_at: datetime
    opened_by: str
    decision: str | None
    to_level: int | None
    decision_reason: str
    debrief: str
    decided_at: datetime | None
    decided_by: str | None

    @property
    def ref(self) -> str:
        return f"{self.project_key}/{self.code}"

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data["id"] = self.id  # a review's number is how users name it
        data.pop("template")
        return data


@dataclass(frozen=True)
class VVStepRecord(Record):
    id: int
    number: int
    kind: str
    description: str
    method: str
    status: str
    waive_reason: str
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class RequirementRecord(Record):
    id: int
    project_key: str
    code: str
    kind: str
    statement: str
    rationale: str
    stakeholder: str
    p_failure: float
    value: int
    category: str
    scenarios: list[str]
    slices: list[str]
    components: list[str]  # "PROJECT/CODE" of the linked components
    steps: list[VVStepRecord]
    created_at: datetime
    created_by: str

    @property
    def risk(self) -> float:
        """MLTRL's risk: probability of failure times the value at stake (0-10)."""
        return round(self.p_failure * self.value, 4)

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "risk": self.risk, "steps": [s.to_json() for s in self.steps]}


@dataclass(frozen=True)
class DatasetVersionRecord(Record):
    id: int
    version: str
    sha256: str | None
    uri: str | None
    note: str
    registered_at: datetime
    registered_by: str


@dataclass(frozen=True)
class DatasetLinkRecord(Record):
    id: int
    dataset_key: str
    dataset_kind: str
    component: str  # "PROJECT/CODE"
    role: str
    version: str | None


@dataclass(frozen=True)
class DatasetRecord(Record):
    id: int
    project_key: str
    key: str
    name: str
    kind: str
    source: str
    owner: str
    sensitive: list[str]
    datasheet: dict[str, str]
    #: [{"column": "sex", "groups": {"female": 510, "male": 490}, "counted_from": "v1.0 sha256 ..."}]
    demographics: list[dict[str, Any]]
    versions: list[DatasetVersionRecord]
    links: list[DatasetLinkRecord]
    created_at: datetime
    created_by: str

    def to_json(self) -> dict[str, Any]:
        return {
            **super().to_json(),
            "versions": [v.to_json() for v in self.versions],
            "links": [link.to_json() for link in self.links],
        }


@dataclass(frozen=True)
class EvidenceRecord(Record):
    id: int
    project_key: str
    code: str
    kind: str
    outcome: str
    metrics: dict[str, Any]
    source: str
    note: str
    criterion_id: str | None
    requirement: str | None  # requirement id (N.M.K) of the V&V step it backs
    step_number: int | None
    versions: dict[str, str]
    files: list[dict[str, Any]]
    recorded_at: datetime
    recorded_by: str
    fresh: bool  # computed on the component's current versions

    @property
    def ref(self) -> str:
        return f"{self.project_key}/{self.code}"

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data["id"] = self.id
        return data
