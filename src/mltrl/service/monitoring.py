"""Use-cases for monitoring: store a component's reference profile and its window profiles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from mltrl.errors import BadInput
from mltrl.service import inputs, lookup
from mltrl.service._store import Unit
from mltrl.store import locks, schema

WINDOWS = ("hour", "day")


def window_bounds(kind: str, at: datetime) -> tuple[str, datetime, datetime]:
    """The label and [start, end) of the hour or day that ``at`` falls in (UTC)."""
    at = at.astimezone(UTC)
    if kind == "day":
        start = at.replace(hour=0, minute=0, second=0, microsecond=0)
        return start.date().isoformat(), start, start + timedelta(days=1)
    if kind == "hour":
        start = at.replace(minute=0, second=0, microsecond=0)
        return start.strftime("%Y-%m-%dT%H"), start, start + timedelta(hours=1)
    raise BadInput(f"window {kind!r} is not one of {', '.join(WINDOWS)} (or give --start and --end)")


def store(
    unit: Unit,
    ref: str,
    role: str,
    name: str,
    profile,
    *,
    start: datetime | None = None,  # type: ignore[no-untyped-def]
    end: datetime | None = None,
    merge: bool,
) -> int:
    """Save a profile; a window that already has one merges the new rows into it. Returns its rows.

    Concurrent writers of one window: the first inserts it; the others lock its row and merge into
    what it holds now, so no rows are lost (a reference is replaced, the last writer winning).
    """
    from mltrl.monitor.serialize import dumps, loads

    component = lookup.changeable(unit.reader, ref, "monitoring profiles")
    table = schema.profiles
    key = (table.c.component_id == component.id) & (table.c.role == role) & (table.c.name == name)
    when = inputs.now()

    def stored_as(profile) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        return {"rows": profile.rows, "data": dumps(profile), "updated_at": when, "updated_by": unit.actor}

    identity = {"project_id": component.project_id, "component_id": component.id, "role": role, "name": name}
    # Read first: serialising a profile only to find that its window exists would be wasted work.
    exists = unit.conn.execute(select(table.c.id).where(key)).first() is not None
    if exists or not locks.insert_new(
        unit.conn,
        table,
        {**identity, "window_start": start, "window_end": end, **stored_as(profile)},
        ["component_id", "role", "name"],
    ):
        if merge:
            stored = unit.conn.execute(select(table.c.data).where(key).with_for_update()).scalar_one()
            profile = loads(bytes(stored)).merge(profile)
        unit.conn.execute(update(table).where(key).values(**stored_as(profile)))
    unit.append_event(
        project_id=component.project_id,
        component_id=component.id,
        kind=f"monitor.{role}",
        at=when,
        data={"name": name, "rows": profile.rows},
    )
    return profile.rows
