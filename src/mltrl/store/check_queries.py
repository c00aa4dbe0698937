"""Reads of the checks storage: golden scores over the succession of models, codified relations."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mltrl.store.reader import Reader, as_utc
from mltrl.store.records import Record


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class GoldenScoreRecord(Record):
    """One model version's score on one golden data set version (without its per-row outputs)."""

    id: int
    component: str  # PROJECT/CODE
    model_version: str
    dataset: str
    dataset_version: str
    metric: str
    status: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    champion_version: str | None
    result: dict[str, Any]
    labels_sha256: str
    evidence_id: int
    recorded_at: datetime
    recorded_by: str

    @property
    def diff(self) -> tuple[float | None, float | None, float | None]:
        """``metric - champion``'s value and CI, as the check computed them (None without a champion)."""
        metrics, intervals = self.result.get("metrics", {}), self.result.get("intervals", {})
        low, high = intervals.get(f"{self.metric}_diff") or (None, None)
        return metrics.get(f"{self.metric}_diff"), low, high


@dataclass(frozen=True)
class RelationRecord(Record):
    id: int
    component: str
    name: str
    kind: str
    perturbation: str
    params: dict[str, Any]
    direction: str | None
    tolerance: float
    atol: float
    description: str
    created_at: datetime
    created_by: str

    def definition(self) -> dict[str, Any]:
        """What the relation asks, without who wrote it when: a result holds for this definition only."""
        return {
            "kind": self.kind,
            "perturbation": self.perturbation,
            "params": self.params,
            "direction": self.direction,
            "tolerance": self.tolerance,
            "atol": self.atol,
        }


@dataclass(frozen=True)
class RelationResultRecord(Record):
    id: int
    relation: str
    definition: dict[str, Any]
    status: str
    failures: int
    n: int
    failure_rate: float | None
    ci_low: float | None
    ci_high: float | None
    evidence_id: int
    recorded_at: datetime


_SCORES = """
SELECT g.id, p.key || '/' || c.code AS component, g.model_version, d.key AS dataset, g.dataset_version,
       g.metric, g.status, g.value, g.ci_low, g.ci_high, g.n, g.champion_version, g.result,
       g.labels_sha256, g.evidence_id, g.recorded_at, g.recorded_by
FROM golden_scores g JOIN components c ON c.id = g.component_id JOIN projects p ON p.id = c.project_id
JOIN datasets d ON d.id = g.dataset_id
"""


def golden_scores(
    r: Reader,
    component_id: int,
    *,
    dataset_id: int | None = None,
    dataset_version: str | None = None,
    metric: str | None = None,
) -> list[GoldenScoreRecord]:
    """Scores of a component, oldest first (optionally of one golden data set version and metric)."""
    where, params = ["g.component_id = :cid"], {"cid": component_id}
    for column, value in (
        ("dataset_id", dataset_id),
        ("dataset_version", dataset_version),
        ("metric", metric),
    ):
        if value is not None:
            where.append(f"g.{column} = :{column}")
            params[column] = value
    rows = r.all(_SCORES + " WHERE " + " AND ".join(where) + " ORDER BY g.id", **params)
    for row in rows:
        row.update(result=_json(row["result"]) or {}, recorded_at=as_utc(row["recorded_at"]))
    return [GoldenScoreRecord.from_row(row) for row in rows]


def golden_outputs(r: Reader, score_id: int) -> bytes:
    return bytes(r.scalar("SELECT outputs FROM golden_scores WHERE id = :id", id=score_id))


_RELATIONS = """
SELECT x.id, p.key || '/' || c.code AS component, x.name, x.kind, x.perturbation, x.params, x.direction,
       x.tolerance, x.atol, x.description, x.created_at, x.created_by
FROM relations x JOIN components c ON c.id = x.component_id JOIN projects p ON p.id = c.project_id
"""


def relations(r: Reader, component_id: int) -> list[RelationRecord]:
    rows = r.all(_RELATIONS + " WHERE x.component_id = :cid ORDER BY x.name", cid=component_id)
    for row in rows:
        row.update(params=_json(row["params"]) or {}, created_at=as_utc(row["created_at"]))
    return [RelationRecord.from_row(row) for row in rows]


def relation_results(r: Reader, component_id: int) -> list[RelationResultRecord]:
    """Every stored relation outcome of a component, oldest first."""
    rows = r.all("SELECT * FROM relation_results WHERE component_id = :cid ORDER BY id", cid=component_id)
    for row in rows:
        row.update(definition=_json(row["definition"]) or {}, recorded_at=as_utc(row["recorded_at"]))
    return [RelationResultRecord.from_row(row) for row in rows]


def current_golden_version(r: Reader, dataset: str, pinned: str | None) -> str | None:
    """The golden data set version a component is judged on: the one its link pins, else the current."""
    from mltrl.domain import versions

    if pinned is not None:
        return pinned
    found = r.all(
        """SELECT v.version FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id
           WHERE d.key = :key ORDER BY v.registered_at, v.id""",
        key=dataset,
    )
    return versions.current([row["version"] for row in found])


def latest_relation_results(r: Reader, component_id: int) -> dict[str, RelationResultRecord]:
    """Each listed relation's latest outcome *for its current definition* (a relation removed and
    added again with another tolerance has no result until it runs again)."""
    definitions = {x.name: x.definition() for x in relations(r, component_id)}
    latest: dict[str, RelationResultRecord] = {}
    for result in relation_results(r, component_id):
        if definitions.get(result.relation) == result.definition:
            latest[result.relation] = result
    return latest
