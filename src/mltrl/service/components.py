"""Use-cases for components: add one at its starting level, couple two, register versions."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import insert

from mltrl.domain import rules, versions
from mltrl.domain.model import MAX_LEVEL, ComponentKind, EventKind, Status, SwitchbackKind, Transition
from mltrl.errors import BadInput, RuleViolation
from mltrl.service import inputs, lifecycle, lookup
from mltrl.service._store import Unit
from mltrl.service.hashing import sha256_path
from mltrl.store import queries, schema
from mltrl.store.records import ComponentRecord, VersionRecord
from mltrl.views.cadence import CADENCE_EVENT


def add(
    unit: Unit,
    project_key: str,
    code: str,
    name: str,
    *,
    kind: ComponentKind | str,
    level: int | str,
    parent: str | None = None,
    description: str = "",
    owner: str | None = None,
    reason: str = "",
    entry_review: bool = False,
    review_free_up_to: int | None = None,
    at: datetime | str | None = None,
) -> ComponentRecord:
    """Start a component at a level; it can never be switched back below that level.

    Above ``review_free_up_to`` (the policy's level up to which a reason is enough) a component
    enters only through an entry review: with ``entry_review`` it is added waiting (``entering``)
    for that review, which assesses the gate into its level once.
    """
    project = lookup.project(unit.reader, project_key)
    code = inputs.component_code(code)
    kind = inputs.component_kind(kind)
    level = rules.parse_level(level, "starting level")
    ref = f"{project.key}/{code}"
    reason = inputs.text(reason, "reason", limit=4000)
    _check_entry(ref, level, reason, entry_review, review_free_up_to)
    if queries.component(unit.reader, project.key, code) is not None:
        raise BadInput(f"component {code!r} already exists in project {project.key!r}")
    parent_id = None
    if parent is not None:
        parent_record = lookup.component(unit.reader, f"{project.key}/{inputs.component_code(parent)}")
        if parent_record.kind != ComponentKind.COMPOSITE:
            raise BadInput(f"parent {parent_record.ref} is a {parent_record.kind}, not a composite")
        parent_id = parent_record.id
    when = inputs.moment(at)
    if when < project.created_at:
        raise BadInput(
            f"{project.key}/{code}: --at {when.isoformat()} is before project {project.key} was created "
            f"({project.created_at.isoformat()})"
        )
    component_id = insert_component(
        unit,
        project_id=project.id,
        code=code,
        name=inputs.text(name, "component name", required=True),
        kind=kind.value,
        parent_id=parent_id,
        description=inputs.text(description, "description", limit=20000),
        owner=inputs.text(owner, "owner") or None,
        level=level,
        entry_level=level,
        at=when,
    )
    event = Transition(
        kind=EventKind.PROPOSE if entry_review else EventKind.INITIATE,
        to_level=level,
        entry_level=level,
        at=when,
        actor=unit.actor,
        reason=reason,
    )
    state = lifecycle.record_start(unit, component_id, project.id, event)
    if state.status is not Status.ACTIVE:
        unit.reader.execute(
            "UPDATE components SET status = :status WHERE id = :cid",
            {"status": state.status.value, "cid": component_id},
        )
    return lookup.component(unit.reader, ref)


def _check_entry(
    ref: str, level: int, reason: str, entry_review: bool, review_free_up_to: int | None
) -> None:
    """The paper lets work start at any level, but not skip the gates on the way: say what it takes."""
    if entry_review and level == 0:
        raise BadInput(f"{ref}: level 0 has no gate before it; add it without --entry-review")
    if review_free_up_to is None:
        return
    if level > review_free_up_to and not entry_review:
        raise RuleViolation(
            f"{ref}: entering at level {level} needs an entry review (the policy lets a component "
            f"enter with a reason alone up to level {review_free_up_to}); add it with --entry-review and "
            f"a --reason, then open the review of the gate into {level}: `mltrl review open {ref} --entry`"
        )
    if level > 0 and not reason:
        raise RuleViolation(
            f"{ref}: entering at level {level} needs a reason (--reason): what was done before, "
            "outside the registry, that lets the work start there?"
        )


def insert_component(
    unit: Unit,
    *,
    project_id: int,
    code: str,
    name: str,
    kind: str,
    level: int,
    entry_level: int,
    at: datetime,
    parent_id: int | None = None,
    forked_from_id: int | None = None,
    description: str = "",
    owner: str | None = None,
) -> int:
    """The current-state row of a new component, whose log opens with seq 1 at ``at``."""
    values = {
        "project_id": project_id,
        "code": code,
        "name": name,
        "kind": kind,
        "parent_id": parent_id,
        "forked_from_id": forked_from_id,
        "description": description,
        "owner": owner,
        "entry_level": entry_level,
        "level": level,
        "status": "active",
        "seq": 1,
        "last_at": at,
        "created_at": at,
    }
    # Parameters bound at execution, so SQLAlchemy compiles the statement once (bulk loads).
    return unit.conn.execute(_INSERT_COMPONENT, values).inserted_primary_key[0]


_INSERT_COMPONENT = insert(schema.components)


def couple(unit: Unit, ref: str, other_ref: str, *, note: str = "") -> None:
    """Record that two components depend on each other (possibly across projects)."""
    one = lookup.component(unit.reader, ref)
    other = lookup.component(unit.reader, other_ref)
    if one.id == other.id:
        raise BadInput(f"{ref} cannot be coupled to itself")
    if any(
        c.project_key == other.project_key and c.code == other.code
        for c in queries.couplings(unit.reader, one.id)
    ):
        raise BadInput(f"{one.ref} and {other.ref} are already coupled")
    when = inputs.now()
    unit.conn.execute(
        insert(schema.couplings).values(
            component_id=one.id,
            other_id=other.id,
            note=inputs.text(note, "note", limit=4000),
            created_at=when,
        )
    )
    unit.append_event(
        project_id=one.project_id,
        component_id=one.id,
        kind="component.couple",
        at=when,
        data={"with": other.ref},
    )


def register_version(
    unit: Unit,
    ref: str,
    kind: str,
    version: str,
    *,
    uri: str | None = None,
    path: str | Path | None = None,
    sha256: str | None = None,
    note: str = "",
    at: datetime | str | None = None,
) -> VersionRecord:
    """A code, model or data version of a component; its content hash is computed from ``path``."""
    record = lookup.changeable(unit.reader, ref, "versions")
    kind_value = inputs.version_kind(kind).value
    version = inputs.version_label(version)
    if path is not None and sha256 is not None:
        raise BadInput("give either a path to hash or a sha256, not both")
    digest = sha256_path(Path(path)) if path is not None else (inputs.sha256(sha256) if sha256 else None)
    known = queries.versions(unit.reader, record.id)
    clash = inputs.version_clash(version, [v.version for v in known if v.kind == kind_value])
    if clash is not None:  # the same version, or one equal but for build metadata: "current" is undefined
        same = "" if clash == version else f" as {clash}, equal but for build metadata"
        raise BadInput(f"{kind_value} version {version} of {record.ref} is already registered{same}")
    previous = [v.version for v in known if v.kind == kind_value]
    when = inputs.moment(at)
    if when < record.last_at:
        raise BadInput(
            f"{record.ref}: a version registered at {when.isoformat()} would predate the component's last "
            f"event ({record.last_at.isoformat()}); the log only moves forward in time (--at)"
        )
    unit.conn.execute(
        insert(schema.versions).values(
            component_id=record.id,
            kind=kind_value,
            version=version,
            uri=inputs.text(uri, "uri", limit=2000) or None,
            sha256=digest,
            note=inputs.text(note, "note", limit=4000),
            registered_at=when,
            registered_by=unit.actor,
        )
    )
    unit.append_event(
        project_id=record.project_id,
        component_id=record.id,
        kind="version.register",
        at=when,
        data={"kind": kind_value, "version": version, "sha256": digest},
    )
    if record.level == MAX_LEVEL and record.status in (Status.ACTIVE, Status.PAUSED):
        _embedded_switchback(unit, record, kind_value, previous, version, when)
    return next(
        v for v in queries.versions(unit.reader, record.id) if v.kind == kind_value and v.version == version
    )


def _embedded_switchback(
    unit: Unit, record: ComponentRecord, kind: str, previous: list[str], version: str, when: datetime
) -> None:
    """MLTRL's embedded switchback: any change to a deployed component sends it back through
    integration (level 7), where its tests must pass again on the new version. This holds whether
    it is paused and whatever level it entered at (one that entered at 9 now passes 7 and 8 here)."""
    before = versions.current(previous)  # the one that was current: a semantic version's highest
    change = f"{before} -> {version}" if before else f"{version} (its first)"
    reason = f"{kind} {change} changes the deployed component"
    lifecycle.switchback(
        unit,
        record.ref,
        7,
        kind=SwitchbackKind.EMBEDDED,
        reason=f"{reason}; back through integration",
        at=when,
    )


def set_cadence(unit: Unit, ref: str, days: int | str) -> ComponentRecord:
    """How often this deployed component is reviewed again (overrides the policy's default)."""
    record = lookup.component(unit.reader, ref)
    text = str(days).strip()
    if not text.isdigit() or not 1 <= int(text) <= 3650:
        raise BadInput(f"--every: {text!r} is not a number of days from 1 to 3650")
    unit.append_event(
        project_id=record.project_id,
        component_id=record.id,
        kind=CADENCE_EVENT,
        at=inputs.now(),
        data={"days": int(text)},
    )
    return record
