"""Reads of requirements, their V&V steps and linked components."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from mltrl.store.reader import Reader, as_utc
from mltrl.store.records import RequirementRecord, VVStepRecord


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def requirements(r: Reader, project_key: str, code: str | None = None) -> list[RequirementRecord]:
    sql = """
        SELECT q.*, p.key AS project_key FROM requirements q JOIN projects p ON p.id = q.project_id
        WHERE p.key = :key
    """
    params: dict[str, Any] = {"key": project_key}
    if code is not None:
        sql += " AND q.code = :code"
        params["code"] = code
    rows = r.all(sql + " ORDER BY q.id", **params)
    if not rows:
        return []
    requirement_ids = [row["id"] for row in rows]
    among, ids = r.in_ids("requirement_id", requirement_ids)
    steps: dict[int, list[VVStepRecord]] = defaultdict(list)
    for row in r.all(f"SELECT * FROM vv_steps WHERE {among} ORDER BY requirement_id, number", **ids):
        row["updated_at"] = as_utc(row["updated_at"])
        steps[row["requirement_id"]].append(VVStepRecord.from_row(row))
    linked: dict[int, list[str]] = defaultdict(list)
    for row in r.all(
        f"""SELECT rc.requirement_id, p.key || '/' || c.code AS ref FROM requirement_components rc
            JOIN components c ON c.id = rc.component_id JOIN projects p ON p.id = c.project_id
            WHERE {r.in_ids("rc.requirement_id", requirement_ids)[0]} ORDER BY rc.id""",
        **ids,
    ):
        linked[row["requirement_id"]].append(row["ref"])
    records = []
    for row in rows:
        row.update(
            scenarios=_json(row["scenarios"]) or [],
            slices=_json(row["slices"]) or [],
            components=linked[row["id"]],
            steps=steps[row["id"]],
            created_at=as_utc(row["created_at"]),
        )
        records.append(RequirementRecord.from_row(row))
    return records


def for_component(r: Reader, component_id: int) -> list[RequirementRecord]:
    """Requirements linked to a component (in any project)."""
    rows = r.all(
        """SELECT DISTINCT p.key, q.code FROM requirement_components rc
           JOIN requirements q ON q.id = rc.requirement_id JOIN projects p ON p.id = q.project_id
           WHERE rc.component_id = :cid""",
        cid=component_id,
    )
    found: list[RequirementRecord] = []
    for row in rows:
        found.extend(requirements(r, row["key"], row["code"]))
    return sorted(found, key=lambda q: (q.project_key, q.id))
