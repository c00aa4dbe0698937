"""Use-cases for projects: create one, fork one (the level-2 "both paths" bifurcation)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, update

from mltrl.domain.model import EventKind, Status, Transition
from mltrl.domain.rollup import code_sort_key
from mltrl.errors import BadInput
from mltrl.service import components, inputs, lifecycle, lookup
from mltrl.service._store import Unit
from mltrl.store import queries, schema
from mltrl.store.records import ProjectRecord


def create(
    unit: Unit,
    key: str,
    name: str,
    *,
    description: str = "",
    rd_owner: str | None = None,
    product_owner: str | None = None,
    at: datetime | str | None = None,
    parent_id: int | None = None,
    fork_reason: str | None = None,
    traits: list[str] | None = None,
    known_traits: frozenset[str] = frozenset(),
) -> ProjectRecord:
    key = inputs.project_key(key)
    if queries.project(unit.reader, key) is not None:
        raise BadInput(f"project {key!r} already exists")
    chosen = _traits(traits or [], known_traits)
    when = inputs.moment(at)
    project_id = unit.conn.execute(
        insert(schema.projects).values(
            key=key,
            name=inputs.text(name, "project name", required=True),
            description=inputs.text(description, "description", limit=20000),
            rd_owner=inputs.text(rd_owner, "R&D owner") or None,
            product_owner=inputs.text(product_owner, "product owner") or None,
            parent_id=parent_id,
            fork_reason=fork_reason,
            created_at=when,
            created_by=unit.actor,
            traits=chosen,
        )
    ).inserted_primary_key[0]
    unit.append_event(
        project_id=project_id,
        kind="project.create",
        at=when,
        reason=fork_reason or "",
        data={"traits": chosen} if chosen else None,
    )
    return lookup.project(unit.reader, key)


def set_traits(
    unit: Unit,
    key: str,
    *,
    add: list[str] | None = None,
    remove: list[str] | None = None,
    known_traits: frozenset[str] = frozenset(),
    at: datetime | str | None = None,
) -> ProjectRecord:
    """Add and remove traits of a project; the criteria that apply to it change with them."""
    project = lookup.project(unit.reader, key)
    added = _traits(add or [], known_traits)
    removed = sorted(set(remove or []))
    absent = [t for t in removed if t not in project.traits]
    if absent:
        raise BadInput(f"project {project.key} has no trait {absent[0]!r} to remove (it has: "
                       f"{', '.join(project.traits) or 'none'})")  # fmt: skip
    if removed:
        _refuse_removal_after_climbing(unit, project, removed)
    traits = sorted((set(project.traits) | set(added)) - set(removed))
    if traits == project.traits:
        return project
    when = inputs.moment(at)
    unit.conn.execute(update(schema.projects).where(schema.projects.c.id == project.id).values(traits=traits))
    unit.append_event(
        project_id=project.id,
        kind="project.traits",
        at=when,
        data={"added": sorted(set(added) - set(project.traits)), "removed": removed, "traits": traits},
    )
    return lookup.project(unit.reader, key)


def _refuse_removal_after_climbing(unit: Unit, project: ProjectRecord, removed: list[str]) -> None:
    """A trait switches criteria on; removing it would switch them off for gates still ahead. That
    is a way around a gate once work has climbed under those criteria, so only a project whose
    components all still stand at level 0 (nothing passed, nothing entering, no review open) may
    drop a trait: the decision what kind of project it is comes before the work."""
    climbed = unit.reader.all(
        """SELECT c.code, c.level, c.status FROM components c WHERE c.project_id = :p
           AND c.status != 'retired' AND (c.level > 0 OR c.status = 'entering'
               OR EXISTS (SELECT 1 FROM reviews r WHERE r.component_id = c.id AND r.status = 'open'))
           ORDER BY c.id LIMIT 3""",
        p=project.id,
    )
    if climbed:
        named = ", ".join(f"{project.key}/{row['code']} at level {row['level']}" for row in climbed)
        raise BadInput(
            f"project {project.key}: trait {removed[0]!r} cannot be removed, its criteria are in the gates "
            f"its components climb ({named}{' ...' if len(climbed) == 3 else ''}); traits can be "
            "removed only while every component stands at level 0 with no review open"
        )


def _traits(values: list[str], known: frozenset[str]) -> list[str]:
    """The traits asked for, each one a criterion of the catalogue applies to (a typo would apply none)."""
    for value in values:
        if value not in known:
            offered = ", ".join(sorted(known)) or "none: no criterion of the catalogue asks for one"
            raise BadInput(
                f"project trait {value!r} is not one the catalogue's criteria apply to ({offered})"
            )
    return sorted(set(values))


def fork(
    unit: Unit,
    parent_key: str,
    key: str,
    *,
    name: str | None = None,
    reason: str,
    description: str | None = None,
    at: datetime | str | None = None,
) -> ProjectRecord:
    """A new project that continues from the parent's live components, at their levels.

    Each copied component keeps its entry level (the levels below it were
    still never done) and a link to the component it came from; its log opens
    with a ``fork`` event instead of ``initiate``.
    """
    parent = lookup.project(unit.reader, parent_key)
    reason = inputs.text(reason, "fork reason", required=True, limit=4000)
    when = inputs.moment(at)
    child = create(
        unit,
        key,
        name or f"{parent.name} ({key})",
        description=parent.description if description is None else description,
        rd_owner=parent.rd_owner,
        product_owner=parent.product_owner,
        at=when,
        parent_id=parent.id,
        fork_reason=reason,
        traits=parent.traits,
        known_traits=frozenset(parent.traits),  # a fork carries its parent's traits as they are
    )
    originals = [c for c in queries.components(unit.reader, parent.key) if c.status != Status.RETIRED]
    new_ids: dict[str, int] = {}
    # Parents before children, so a composite exists before its parts point at it.
    for original in sorted(originals, key=lambda c: (c.parent_code is not None, code_sort_key(c.code))):
        new_ids[original.code] = components.insert_component(
            unit,
            project_id=child.id,
            code=original.code,
            name=original.name,
            kind=original.kind,
            parent_id=new_ids.get(original.parent_code) if original.parent_code else None,
            forked_from_id=original.id,
            description=original.description,
            owner=original.owner,
            entry_level=original.entry_level,
            level=original.level,
            at=when,
        )
        event = Transition(
            kind=EventKind.FORK,
            to_level=original.level,
            entry_level=original.entry_level,
            at=when,
            actor=unit.actor,
            reason=reason,
        )
        lifecycle.record_start(unit, new_ids[original.code], child.id, event, {"from": original.ref})
    unit.append_event(project_id=parent.id, kind="project.forked", at=when, reason=reason, data={"into": key})
    return child
