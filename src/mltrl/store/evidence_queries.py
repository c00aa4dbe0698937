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
    return current_versions_of(r, [component_id]).get(component_id, {})


def current_versions_of(r: Reader, component_ids: list[int]) -> dict[int, dict[str, str]]:
    """:func:`current_versions` of several components in one read (component id -> versions; a
    component with none registered is absent)."""
    if not component_ids:
        return {}
    among, ids = r.in_ids("component_id", component_ids)
    labels: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for cid, kind, version in r.tuples(
        f"SELECT component_id, kind, version FROM versions WHERE {among} ORDER BY registered_at, id", **ids
    ):
        labels[cid][kind].append(version)
    return {
        cid: {kind: versions.current(found) for kind, found in by_kind.items()}  # type: ignore[misc]
        for cid, by_kind in labels.items()
    }


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
    # Only each criterion's latest evidence is read: a status read must not grow with the history.
    rows = r.all(
        _EVIDENCE
        + """ WHERE e.id IN (
                SELECT MAX(x.id) FROM evidence x JOIN components xc ON xc.id = x.component_id
                JOIN projects xp ON xp.id = xc.project_id
                WHERE xp.key = :key AND x.criterion_id IS NOT NULL
                GROUP BY x.component_id, x.criterion_id)
             ORDER BY e.id""",
        key=project_key,
    )
    stale: dict[str, list[str]] = defaultdict(list)
    for record in sorted(_records(r, rows), key=lambda e: (e.code, e.criterion_id or "")):
        if not record.fresh:
            stale[record.code].append(record.criterion_id)  # type: ignore[arg-type]
    return dict(stale)


def _records(r: Reader, rows: list[dict[str, Any]]) -> list[EvidenceRecord]:
    if not rows:
        return []
    among, ids = r.in_ids("evidence_id", [row["id"] for row in rows])
    files: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in r.all(f"SELECT evidence_id, name, sha256, size FROM evidence_files WHERE {among}", **ids):
        files[row.pop("evidence_id")].append(row)
    # Every component's current versions in one read, not one per component.
    currents = current_versions_of(r, sorted({row["component_id"] for row in rows}))
    records = []
    for row in rows:
        cid = row.pop("component_id")
        versions = _json(row["versions"]) or {}
        row.update(
            metrics=_json(row["metrics"]) or {},
            versions=versions,
            files=files[row["id"]],
            recorded_at=as_utc(row["recorded_at"]),
            fresh=versions == currents.get(cid, {}),
        )
        records.append(EvidenceRecord.from_row(row))
    return records


def blob(r: Reader, sha256: str) -> bytes | None:
    row = r.one("SELECT content FROM blobs WHERE sha256 = :sha", sha=sha256)
    return None if row is None else bytes(row["content"])
