"""Reads of evidence, and what makes it fresh: the component's current code, model and data versions."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from mltrl.domain import versions
from mltrl.store.reader import Reader, as_utc
from mltrl.store.records import EvidenceRecord

_EVIDENCE = """
SELECT e.id, p.key AS project_key, c.code, e.component_id, e.kind, e.outcome, e.metrics, e.source, e.note,
       e.criterion_id, q.code AS requirement, e.step_number, e.versions, e.recorded_at, e.recorded_by
FROM evidence e JOIN components c ON c.id = e.component_id JOIN projects p ON p.id = c.project_id
LEFT JOIN requirements q ON q.id = e.requirement_id
"""


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def current_versions(r: Reader, component_id: int) -> dict[str, str]:
    """The current version of each kind (code, model, data) of a component: the highest when all of
    the kind's labels are semantic versions, else the latest registered (:mod:`mltrl.domain.versions`)."""
    rows = r.all(
        "SELECT kind, version FROM versions WHERE component_id = :cid ORDER BY registered_at, id",
        cid=component_id,
    )
    by_kind: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row["version"])
    return {kind: versions.current(labels) for kind, labels in by_kind.items()}  # type: ignore[misc]


def evidence(
    r: Reader,
    *,
    component_id: int | None = None,
    criterion_id: str | None = None,
    evidence_id: int | None = None,
    project_key: str | None = None,
) -> list[EvidenceRecord]:
    where, params = [], {}
    for column, value, name in (
        ("p.key", project_key, "key"),
        ("e.component_id", component_id, "cid"),
        ("e.criterion_id", criterion_id, "crit"),
        ("e.id", evidence_id, "eid"),
    ):
        if value is not None:
            where.append(f"{column} = :{name}")
            params[name] = value
    rows = r.all(_EVIDENCE + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY e.id", **params)
    return _records(r, rows)


def stale_criteria(r: Reader, project_key: str) -> dict[str, list[str]]:
    """component code -> criteria whose latest evidence was computed on versions since replaced."""
    latest: dict[tuple[str, str], EvidenceRecord] = {}
    for record in evidence(r, project_key=project_key):
        if record.criterion_id is not None:
            latest[(record.code, record.criterion_id)] = record  # ordered by id: the last one wins
    stale: dict[str, list[str]] = defaultdict(list)
    for (code, criterion), record in sorted(latest.items()):
        if not record.fresh:
            stale[code].append(criterion)
    return dict(stale)


def _records(r: Reader, rows: list[dict[str, Any]]) -> list[EvidenceRecord]:
    if not rows:
        return []
    ids = ",".join(str(row["id"]) for row in rows)  # integers from the database itself
    files: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in r.all(
        f"SELECT evidence_id, name, sha256, size FROM evidence_files WHERE evidence_id IN ({ids})"
    ):
        files[row.pop("evidence_id")].append(row)
    currents: dict[int, dict[str, str]] = {}
    records = []
    for row in rows:
        cid = row.pop("component_id")
        if cid not in currents:
            currents[cid] = current_versions(r, cid)
        versions = _json(row["versions"]) or {}
        row.update(
            metrics=_json(row["metrics"]) or {},
            versions=versions,
            files=files[row["id"]],
            recorded_at=as_utc(row["recorded_at"]),
            fresh=versions == currents[cid],
        )
        records.append(EvidenceRecord.from_row(row))
    return records


def blob(r: Reader, sha256: str) -> bytes | None:
    row = r.one("SELECT content FROM blobs WHERE sha256 = :sha", sha=sha256)
    return None if row is None else bytes(row["content"])
