"""Use-cases for monitoring: store a component's reference profile and its window profiles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, update

from mltrl.errors import BadInput
from mltrl.service import inputs, lookup
from mltrl.service._store import Unit
from mltrl.store import schema

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
    """Save a profile; a window that already has one merges the new rows into it. Returns its rows."""
    from mltrl.monitor.serialize import dumps, loads

    component = lookup.component(unit.reader, ref)
    row = unit.reader.one(
        "SELECT id, data FROM profiles WHERE component_id = :cid AND role = :role AND name = :name",
        cid=component.id,
        role=role,
        name=name,
    )
    when = inputs.now()
    table = schema.profiles
    if row is not None and merge:
        profile = loads(bytes(row["data"])).merge(profile)
    values = {"rows": profile.rows, "data": dumps(profile), "updated_at": when, "updated_by": unit.actor}
    if row is None:
        unit.conn.execute(
            insert(table).values(
                project_id=component.project_id,
                component_id=component.id,
                role=role,
                name=name,
                window_start=start,
                window_end=end,
                **values,
            )
        )
    else:
        unit.conn.execute(update(table).where(table.c.id == row["id"]).values(**values))
    unit.append_event(
        project_id=component.project_id,
        component_id=component.id,
        kind=f"monitor.{role}",
        at=when,
        data={"name": name, "rows": profile.rows},
    )
    return profile.rows
