"""Use-cases for the people around a component: its working group, and the R&D-to-product hand-off.

The paper: the working group evolves over the levels (product engineering joins at level 4, an
interdisciplinary group forms at 5, infrastructure and applied AI engineers balance it at 7, QA
leads from then on), and level 5 makes the hand-off from R&D to product explicit. Members are
recorded with the level at which they joined and left, so the history shows how the group changed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, update

from mltrl.domain.identity import same_person
from mltrl.errors import BadInput, RuleViolation
from mltrl.service import inputs, lookup
from mltrl.service._store import Unit
from mltrl.store import schema
from mltrl.store.records import ComponentRecord

#: The paper places the hand-off from R&D to product at level 5 (the "valley of death").
HANDOFF_LEVEL = 5


def join(unit: Unit, ref: str, person: str, role: str, *, at: datetime | str | None = None) -> None:
    record = lookup.component(unit.reader, ref)
    person = inputs.text(person, "--person", required=True, limit=200)
    role = inputs.text(role, "--role", required=True, limit=100)
    current = _members(unit, record.id)
    clash = next((m for m in current if same_person(m["person"], person)), None)
    if clash is not None:
        raise BadInput(f"{record.ref}: {clash['person']} is already in the working group as {clash['role']}")
    when = inputs.moment(at)
    unit.conn.execute(
        insert(schema.working_group).values(
            project_id=record.project_id,
            component_id=record.id,
            person=person,
            role=role,
            joined_at=when,
            joined_level=record.level,
        )
    )
    unit.append_event(
        project_id=record.project_id,
        component_id=record.id,
        kind="group.join",
        at=when,
        data={"person": person, "role": role, "level": record.level},
    )


def leave(unit: Unit, ref: str, person: str, *, reason: str = "", at: datetime | str | None = None) -> None:
    record = lookup.component(unit.reader, ref)
    member = next((m for m in _members(unit, record.id) if same_person(m["person"], person)), None)
    if member is None:
        raise BadInput(
            f"{record.ref}: {person!r} is not in the working group (see `mltrl group show {record.ref}`)"
        )
    when = inputs.moment(at)
    reason = inputs.text(reason, "--reason", limit=2000)
    unit.conn.execute(
        update(schema.working_group)
        .where(schema.working_group.c.id == member["id"])
        .values(left_at=when, left_level=record.level, left_reason=reason)
    )
    unit.append_event(
        project_id=record.project_id,
        component_id=record.id,
        kind="group.leave",
        at=when,
        reason=reason,
        data={"person": member["person"], "role": member["role"], "level": record.level},
    )


def hand_off(
    unit: Unit, ref: str, to: str, *, note: str = "", at: datetime | str | None = None
) -> ComponentRecord:
    """Product takes the component over from R&D: it gets a new owner, recorded as an event."""
    record = lookup.component(unit.reader, ref)
    if record.level < HANDOFF_LEVEL:
        raise RuleViolation(
            f"{record.ref} is at level {record.level}; the hand-off from R&D to product happens at level "
            f"{HANDOFF_LEVEL} (the paper's 'valley of death'), once the capability is proven"
        )
    project = lookup.project(unit.reader, record.project_key)
    before = record.owner or project.rd_owner
    to = inputs.text(to, "--to", required=True, limit=200)
    if before and same_person(before, to):
        raise BadInput(f"{record.ref} is already owned by {before}")
    when = inputs.moment(at)
    unit.conn.execute(update(schema.components).where(schema.components.c.id == record.id).values(owner=to))
    unit.append_event(
        project_id=record.project_id,
        component_id=record.id,
        kind="component.handoff",
        at=when,
        reason=inputs.text(note, "--note", limit=2000),
        data={"from": before, "to": to, "level": record.level},
    )
    return lookup.component(unit.reader, record.ref)


def _members(unit: Unit, component_id: int) -> list[dict]:  # type: ignore[type-arg]
    return unit.reader.all(
        "SELECT id, person, role FROM working_group WHERE component_id = :cid AND left_at IS NULL",
        cid=component_id,
    )
