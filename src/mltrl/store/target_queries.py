"""Reads of readiness targets, and when each component first reached each level."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mltrl.store.reader import Reader, as_utc

#: Lifecycle events after which a component stands at their ``to_level`` (a proposal has not entered).
_ARRIVALS = "('initiate', 'fork', 'graduate', 'import', 'enter')"


def targets(
    r: Reader, *, project_key: str | None = None, component_id: int | None = None
) -> list[dict[str, Any]]:
    where, params = [], {}
    if project_key is not None:
        where.append("p.key = :key")
        params["key"] = project_key
    if component_id is not None:
        where.append("t.component_id = :cid")
        params["cid"] = component_id
    sql = """SELECT t.id, t.component_id, p.key AS project_key, c.code, c.level AS current_level, c.status,
                    t.level, t.due, t.note, t.created_at, t.created_by
             FROM targets t JOIN components c ON c.id = t.component_id
             JOIN projects p ON p.id = t.project_id"""
    if where:
        sql += " WHERE " + " AND ".join(where)
    return r.all(sql + " ORDER BY t.due, p.key, c.code, t.id", **params)


def first_reached(r: Reader, component_ids: list[int]) -> dict[tuple[int, int], datetime]:
    """(component id, level) -> when the component first stood at that level or above."""
    if not component_ids:
        return {}
    ids = ", ".join(str(int(i)) for i in sorted(set(component_ids)))
    rows = r.all(
        f"""SELECT component_id, to_level, at FROM events
            WHERE component_id IN ({ids}) AND seq IS NOT NULL AND kind IN {_ARRIVALS}
            ORDER BY component_id, seq"""
    )
    first: dict[tuple[int, int], datetime] = {}
    for row in rows:
        for level in range(0, row["to_level"] + 1):
            first.setdefault((row["component_id"], level), as_utc(row["at"]))
    return first
