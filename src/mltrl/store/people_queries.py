"""Reads of working groups (current and past members) and of hand-offs from R&D to product."""

from __future__ import annotations

import json
from typing import Any

from mltrl.store.reader import Reader, as_utc


def working_group(r: Reader, component_id: int) -> list[dict[str, Any]]:
    """Every member the component has had, in the order they joined; ``left_*`` is None for current ones."""
    rows = r.all(
        """SELECT person, role, joined_at, joined_level, left_at, left_level, left_reason FROM working_group
           WHERE component_id = :cid ORDER BY joined_at, id""",
        cid=component_id,
    )
    for row in rows:
        row["joined_at"] = as_utc(row["joined_at"]).isoformat()
        row["left_at"] = as_utc(row["left_at"]).isoformat() if row["left_at"] is not None else None
    return rows


def handoffs(r: Reader, component_id: int) -> list[dict[str, Any]]:
    rows = r.all(
        """SELECT at, reason, data FROM events
           WHERE component_id = :cid AND kind = 'component.handoff' ORDER BY id""",
        cid=component_id,
    )
    out = []
    for row in rows:
        data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
        out.append({**data, "at": as_utc(row["at"]).isoformat(), "note": row["reason"]})
    return out
