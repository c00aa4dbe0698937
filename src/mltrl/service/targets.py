"""Use-cases for readiness targets: set one ("reach level N by date"), withdraw one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert

from mltrl.domain import rules
from mltrl.errors import BadInput, NotFound
from mltrl.service import inputs, lookup
from mltrl.service._store import Unit
from mltrl.store import schema


def add(unit: Unit, ref: str, level: int | str, due: str, *, note: str = "") -> int:
    record = lookup.component(unit.reader, ref)
    target_level = rules.parse_level(level, "--level")
    try:
        day = dt.date.fromisoformat(str(due).strip())
    except ValueError:
        raise BadInput(f"--by: {due!r} is not a date (YYYY-MM-DD)") from None
    if target_level <= record.level:
        raise BadInput(f"{record.ref} is already at level {record.level}; a target is a level still to reach")
    when = inputs.now()
    target_id = unit.conn.execute(
        insert(schema.targets).values(
            project_id=record.project_id,
            component_id=record.id,
            level=target_level,
            due=day.isoformat(),
            note=inputs.text(note, "note", limit=2000),
            created_at=when,
            created_by=unit.actor,
        )
    ).inserted_primary_key[0]
    unit.append_event(
        project_id=record.project_id,
        component_id=record.id,
        kind="target.add",
        at=when,
        data={"target": target_id, "level": target_level, "due": day.isoformat()},
    )
    return int(target_id)


def remove(unit: Unit, target_id: int, *, reason: str) -> None:
    row = unit.reader.one(
        "SELECT project_id, component_id, level, due FROM targets WHERE id = :id", id=int(target_id)
    )
    if row is None:
        raise NotFound(f"no target {target_id} (see `mltrl target list`)")
    unit.conn.execute(delete(schema.targets).where(schema.targets.c.id == int(target_id)))
    unit.append_event(
        project_id=row["project_id"],
        component_id=row["component_id"],
        kind="target.remove",
        at=inputs.now(),
        reason=inputs.text(reason, "reason", required=True, limit=2000),
        data={"target": int(target_id), "level": row["level"], "due": row["due"]},
    )
