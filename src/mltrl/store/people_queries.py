"""Reads of working groups (current and past members) and of hand-offs from R&D to product."""

from __future__ import annotations

import json
from typing import Any

from mltrl.store.reader import Reader, as_utc


def working_group(r: Reader, component_id: int) -> list[dict[str, Any]]:
    """Every member the component has had, in the order they joined; ``left_*`` is None for current ones."""
    return working_groups(r, [component_id]).get(component_id, [])


def working_groups(r: Reader, component_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """:func:`working_group` of several components in one read (a component with none is absent)."""
    out: dict[int, list[dict[str, Any]]] = {}
    among, ids = r.in_ids("component_id", component_ids)
    for row in r.all(
        f"""SELECT component_id, person, role, joined_at, joined_level, left_at, left_level, left_reason
            FROM working_group WHERE {among} ORDER BY joined_at, id""",
        **ids,
    ):
        row["joined_at"] = as_utc(row["joined_at"]).isoformat()
        row["left_at"] = as_utc(row["left_at"]).isoformat() if row["left_at"] is not None else None
        out.setdefault(row.pop("component_id"), []).append(row)
    return out


def handoffs(r: Reader, component_id: int) -> list[dict[str, Any]]:
    return handoffs_of(r, [component_id]).get(component_id, [])


def handoffs_of(r: Reader, component_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """:func:`handoffs` of several components in one read (a component with none is absent)."""
    out: dict[int, list[dict[str, Any]]] = {}
    among, ids = r.in_ids("component_id", component_ids)
    for row in r.all(
        f"""SELECT component_id, at, reason, data FROM events
            WHERE {among} AND kind = 'component.handoff' ORDER BY id""",
        **ids,
    ):
        data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
        out.setdefault(row["component_id"], []).append(
            {**data, "at": as_utc(row["at"]).isoformat(), "note": row["reason"]}
        )
    return out
