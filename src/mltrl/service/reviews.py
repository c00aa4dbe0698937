"""Use-cases of the gated review: open, staff the panel, record results, sign, decide.

The only way up a level is :func:`decide` with ``graduate`` on a review whose
panel, criteria, ethics checklist and key decisions all hold (see
:func:`mltrl.domain.review.blockers`). A decided review is immutable: every
change below refuses once the decision is in, and a new review is opened
instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update

from mltrl import sshsig
from mltrl.catalog import Catalog
from mltrl.domain.model import EMBEDDED_SWITCHBACKS, Approval, EventKind, Status, SwitchbackKind
from mltrl.domain.review import (
    CriterionSpec,
    Decision,
    PointSpec,
    Result,
    RoleSpec,
    Template,
    Verdict,
    check_decision,
    passed_but_paused,
    staying_choice,
)
from mltrl.errors import BadInput, Conflict, Forbidden, NotFound, RuleViolation
from mltrl.gates import evidence_blockers
from mltrl.service import inputs, lifecycle, lookup, projects
from mltrl.service._store import Unit
from mltrl.store import locks, review_queries, schema
from mltrl.store.records import ReviewRecord
from mltrl.views import attestation


def template_for(
    catalog: Catalog, level: int, *, entry: bool = False, traits: Iterable[str] = ()
) -> Template:
    """What a review of ``level`` asks, for a project with ``traits``: criteria that apply only to
    projects of another trait (the causal-inference ones) are left out."""
    lv = catalog.level(level)
    return Template(
        level=level,
        roles=tuple(RoleSpec(r.id, r.name, r.required, r.approvals) for r in lv.panel_roles),
        criteria=tuple(
            CriterionSpec(c.id, c.text, c.kind, c.waivable) for c in lv.criteria if c.applies(traits)
        ),
        ethics=tuple(q.id for q in catalog.ethics.questions),
        points=tuple(
            PointSpec(p.id, p.question, tuple(o.id for o in p.options), getattr(p, "needs_date", False))
            for p in lv.decision_points
        ),
        separation_of_duties=catalog.settings.separation_of_duties,
        entry=entry,
    )


def open_review(
    unit: Unit, catalog: Catalog, ref: str, *, entry: bool | None = None, at: datetime | str | None = None
) -> ReviewRecord:
    """The gate review of the component's level; for a component waiting to enter, its entry review.

    ``entry=True`` insists on an entry review and ``entry=False`` on a gate review, so a script that
    means one never opens the other.
    """
    component = lookup.component(unit.reader, ref)
    # One open review per component: concurrent opens of it queue on its row (PostgreSQL; SQLite
    # queues every writer), and each reads the component and its reviews as they stand after.
    locks.lock_row(unit.conn, schema.components, component.id)
    component = lookup.component(unit.reader, ref)
    entering = component.status == Status.ENTERING
    if entry is True and not entering:
        raise BadInput(
            f"{component.ref} is {component.status} at level {component.level}, not waiting to enter; "
            f"open its gate review without --entry"
        )
    if entry is False and entering:
        raise BadInput(
            f"{component.ref} waits to enter at level {component.level}: its review is the entry review "
            f"(`mltrl review open {component.ref} --entry`)"
        )
    if component.status not in (Status.ACTIVE, Status.ENTERING):
        raise BadInput(f"{component.ref} is {component.status}; only an active component can be reviewed")
    existing = review_queries.open_review(unit.reader, component.id)
    if existing is not None:
        raise BadInput(f"{component.ref} already has open review {existing.id}; decide it first")
    when = inputs.moment(at)
    # An entry review assesses the gate into the level, which is the gate at the end of the one below.
    gate = component.level - 1 if entering else component.level
    traits = lookup.project(unit.reader, component.project_key).traits
    template = template_for(catalog, gate, entry=entering, traits=traits)
    review_id = unit.conn.execute(
        insert(schema.reviews).values(
            project_id=component.project_id,
            component_id=component.id,
            level=gate,
            status="open",
            template=template.to_json(),
            opened_at=when,
            opened_by=unit.actor,
            decision_reason="",
            debrief="",
        )
    ).inserted_primary_key[0]
    _log(
        unit,
        component.project_id,
        component.id,
        "review.open",
        when,
        {"review": review_id, "level": gate, "entry": entering},
    )
    return _get(unit, review_id)


def add_member(
    unit: Unit, review_id: int, role: str, person: str, *, at: datetime | str | None = None
) -> None:
    record, state = _open(unit, review_id)
    person = inputs.text(person, "person", required=True)
    if state.template.role(role) is None:
        roles = ", ".join(r.id for r in state.template.roles)
        raise BadInput(
            f"review {review_id}: level {record.level} has no panel role {role!r} (roles: {roles})"
        )
    if person in state.panel:
        raise BadInput(f"review {review_id}: {person} is already on the panel as {state.panel[person]}")
    when = inputs.moment(at)
    unit.conn.execute(
        insert(schema.review_panel).values(review_id=review_id, role=role, person=person, added_at=when)
    )
    _log(
        unit,
        record.project_id,
        record.component_id,
        "review.member",
        when,
        {"review": review_id, "role": role, "person": person},
    )


def record_result(
    unit: Unit,
    review_id: int,
    criterion: str,
    result: str,
    note: str = "",
    *,
    at: datetime | str | None = None,
) -> None:
    record, state = _open(unit, review_id)
    spec = state.template.criterion(criterion)
    if spec is None:
        raise BadInput(f"review {review_id}: level {record.level} has no criterion {criterion!r}")
    value = inputs.choice(Result, result, "result")
    if value in (Result.WAIVED, Result.NOT_APPLICABLE) and not spec.waivable:
        raise BadInput(
            f"review {review_id}: {criterion} is mandatory and cannot be {value}; record met or unmet "
            "(only the organisation's policy can make it waivable)"
        )
    note = inputs.text(note, "note", limit=4000)
    if value in (Result.WAIVED, Result.NOT_APPLICABLE) and not note:
        raise BadInput(f"review {review_id}: {criterion} {value} needs a reason (--note)")
    when = inputs.moment(at)
    values = {"result": str(value), "note": note, "recorded_by": unit.actor, "recorded_at": when}
    _upsert(unit, schema.review_results, review_id, "criterion_id", criterion, values)
    _log(
        unit,
        record.project_id,
        record.component_id,
        "review.result",
        when,
        {"review": review_id, "criterion": criterion, "result": str(value)},
        reason=note,
    )


def answer_ethics(
    unit: Unit, review_id: int, answers: dict[str, str], *, at: datetime | str | None = None
) -> None:
    record, state = _open(unit, review_id)
    unknown = [q for q in answers if q not in state.template.ethics]
    if unknown:
        raise BadInput(f"review {review_id}: {unknown[0]!r} is not a question of the ethics checklist")
    when = inputs.moment(at)
    # Validate every answer before writing any, so a bad one leaves nothing half-recorded.
    cleaned = {
        q: inputs.text(text, f"answer to {q}", required=True, limit=20000) for q, text in answers.items()
    }
    for question, answer in cleaned.items():
        values = {"answer": answer, "answered_by": unit.actor, "answered_at": when}
        _upsert(unit, schema.review_ethics, review_id, "question_id", question, values)
    _log(
        unit,
        record.project_id,
        record.component_id,
        "review.ethics",
        when,
        {"review": review_id, "questions": sorted(answers)},
    )


def choose(
    unit: Unit,
    review_id: int,
    point: str,
    option: str,
    *,
    on_date: str | None = None,
    note: str = "",
    at: datetime | str | None = None,
) -> None:
    """Record a key decision of the level (research path, continue or pause, go / no-go ...)."""
    record, state = _open(unit, review_id)
    spec = state.template.point(point)
    if spec is None:
        points = ", ".join(p.id for p in state.template.points) or "none"
        raise BadInput(
            f"review {review_id}: level {record.level} has no key decision {point!r} (it has: {points})"
        )
    if option not in spec.options:
        raise BadInput(
            f"review {review_id}: {point} must be one of {', '.join(spec.options)}, not {option!r}"
        )
    if on_date is not None:
        try:
            dt.date.fromisoformat(on_date)
        except ValueError:
            raise BadInput(f"review {review_id}: date {on_date!r} is not YYYY-MM-DD") from None
    if spec.needs_date and option == "go" and on_date is None:
        raise BadInput(f"review {review_id}: a 'go' needs the date it happens (--date YYYY-MM-DD)")
    when = inputs.moment(at)
    table = schema.review_choices
    if point in state.choices:
        unit.conn.execute(table.delete().where(table.c.review_id == review_id, table.c.point_id == point))
    unit.conn.execute(
        insert(table).values(
            review_id=review_id,
            point_id=point,
            option_id=option,
            on_date=on_date,
            note=inputs.text(note, "note", limit=4000),
            recorded_by=unit.actor,
            recorded_at=when,
        )
    )
    _log(
        unit,
        record.project_id,
        record.component_id,
        "review.choice",
        when,
        {"review": review_id, "point": point, "option": option, "date": on_date},
        reason=note,
    )


def sign(
    unit: Unit,
    review_id: int,
    person: str,
    verdict: str,
    *,
    tasks: list[dict[str, str]] | None = None,
    note: str = "",
    at: datetime | str | None = None,
    ssh_signature: str | None = None,
    signers: Path | None = None,
    require_ssh: bool = False,
    role: str | None = None,
) -> None:
    """Sign as ``person`` (with ``role``: only if that is their seat on the panel); the signature
    keeps a digest of what the review shows now (:mod:`mltrl.views.attestation`), and, with
    ``ssh_signature``, an SSH signature over it that must verify against ``signers`` (the
    allowed-signers file). A signature that no longer matches what the review shows may be made
    again; any other is made once."""
    record, state = _open(unit, review_id)
    person = inputs.text(person, "person", required=True)
    if role is not None and state.panel.get(person) != role:
        held = f"sits on it as {state.panel[person]}" if person in state.panel else "is not on its panel"
        raise Forbidden(f"review {review_id}: {person} cannot sign as {role}: {person} {held}")
    if person not in state.panel:
        raise BadInput(f"review {review_id}: {person} is not on the panel and cannot sign")
    resigning = False
    if person in state.signatures:
        check = attestation.signature_checks(unit.reader, record).get(person, {})
        if check.get("matches") is not False:
            raise BadInput(f"review {review_id}: {person} has already signed")
        resigning = True
    value = inputs.choice(Verdict, verdict, "verdict")
    tasks = [_task(t) for t in tasks or []]
    if value is Verdict.REQUEST_CHANGES and not tasks:
        raise BadInput(f"review {review_id}: requesting changes needs at least one specific task")
    if value is Verdict.APPROVE and tasks:
        raise BadInput(f"review {review_id}: an approval carries no tasks; request changes instead")
    when = inputs.moment(at)
    note = inputs.text(note, "note", limit=4000)
    seen = attestation.snapshot(unit.reader, record)
    seen_digest = attestation.digest(seen)
    key = None
    if ssh_signature is not None:
        text = attestation.statement(review_id, person, str(value), seen_digest)
        try:
            key = sshsig.verify(signers, person, text, ssh_signature)
        except BadInput as exc:
            raise BadInput(f"review {review_id}: {exc.message}; nothing was signed") from None
    elif require_ssh:
        raise BadInput(
            f"review {review_id}: the organisation's policy requires an SSH signature "
            "(settings.require_ssh_signatures); sign with --ssh-key"
        )
    table = schema.review_signatures
    if resigning:  # the superseded signature stays in the event log
        unit.conn.execute(table.delete().where(table.c.review_id == review_id, table.c.person == person))
    unit.conn.execute(
        insert(table).values(
            review_id=review_id,
            person=person,
            verdict=str(value),
            tasks=tasks,
            note=note,
            signed_at=when,
            seen=seen,
            digest=seen_digest,
            ssh_signature=ssh_signature,
            ssh_key=key,
        )
    )
    data: dict[str, Any] = {
        "review": review_id,
        "person": person,
        "verdict": str(value),
        "tasks": tasks,
        "digest": seen_digest,
    }
    if ssh_signature is not None:
        data["ssh_key"] = key
        data["ssh_signature"] = hashlib.sha256(ssh_signature.encode()).hexdigest()
    if resigning:
        data["again"] = True
    _log(unit, record.project_id, record.component_id, "review.sign", when, data, reason=note)


def decide(
    unit: Unit,
    catalog: Catalog,
    review_id: int,
    decision: str,
    *,
    to_level: int | None = None,
    reason: str = "",
    debrief: str = "",
    fork_key: str | None = None,
    at: datetime | str | None = None,
) -> ReviewRecord:
    record, state = _open(unit, review_id)
    value = inputs.choice(Decision, decision, "decision")
    problems = check_decision(state, value, to_level=to_level)  # type: ignore[arg-type]
    gate_must_hold = value is Decision.GRADUATE or (
        value is Decision.STAY and staying_choice(state) == "keep-or-switch-back=keep"
    )
    if gate_must_hold and not problems:
        problems += evidence_blockers(unit.reader, catalog, record.project_key, record.code, record.level)
    if gate_must_hold and not problems:
        # An approval counts only for what it was given on (docs/trust.md): once the evidence holds,
        # the approvers must have seen it as it stands.
        checks = attestation.signature_checks(unit.reader, record)
        problems += [reason for _, reason in attestation.stale_approvals(checks)]
    passed = value is Decision.PAUSE and passed_but_paused(state)
    if passed:
        passed = not evidence_blockers(unit.reader, catalog, record.project_key, record.code, record.level)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise RuleViolation(
            f"review {review_id} cannot decide {value}: {problems[0]}{more}; see `mltrl review show "
            f"{review_id}`"
        )
    both_paths = state.choices.get("research-path", ("", None))[0] == "both"
    if value is Decision.GRADUATE and both_paths and not fork_key:
        raise BadInput(
            f"review {review_id}: path 'both' forks the project; name the new project (--fork-key)"
        )
    when = inputs.moment(at)
    if when < record.opened_at:
        raise BadInput(
            f"review {review_id} cannot be decided before it was opened ({record.opened_at.isoformat()})"
        )
    reason = inputs.text(reason, "reason", limit=4000)
    # The review is closed first: the level change below supersedes reviews still open at the old level.
    changed = unit.conn.execute(
        update(schema.reviews)
        .where(schema.reviews.c.id == review_id, schema.reviews.c.status == "open")
        .values(
            status="decided",
            decision=str(value),
            to_level=to_level,
            decision_reason=reason,
            debrief=inputs.text(debrief, "debrief", limit=20000),
            decided_at=when,
            decided_by=unit.actor,
        )
    ).rowcount
    if changed != 1:
        raise Conflict(f"review {review_id} was decided by someone else meanwhile; nothing was written")
    _log(
        unit,
        record.project_id,
        record.component_id,
        "review.decide",
        when,
        {
            "review": review_id,
            "decision": str(value),
            "to_level": to_level,
            "tasks": state.tasks,
            "passed": passed or gate_must_hold,
            "approvers": list(state.approvers),
        },
        reason=reason,
    )
    _carry_out(unit, record, state, value, to_level, reason, fork_key if both_paths else None, when)
    return _get(unit, review_id)


def _carry_out(
    unit: Unit,
    record: ReviewRecord,
    state: Any,
    value: Decision,
    to_level: int | None,
    reason: str,
    fork_key: str | None,
    when: datetime,
) -> None:
    """The lifecycle move a decision makes (none for tasks and stay)."""
    review_id = record.id
    because = reason or f"review {review_id}"
    if value is Decision.GRADUATE and state.template.entry:
        approval = Approval(level=record.level, approvers=state.approvers, source=f"review:{review_id}")
        lifecycle.enter(unit, record.ref, approval, reason=reason, at=when)
    elif value is Decision.GRADUATE:
        if fork_key:
            # Both paths: the new project carries on the research at level 2, while this one goes
            # on to the prototype at level 3.
            projects.fork(
                unit,
                record.project_key,
                fork_key,
                reason=f"review {review_id}: both paths. {reason}",
                at=when,
            )
        approval = Approval(level=record.level, approvers=state.approvers, source=f"review:{review_id}")
        lifecycle.graduate(unit, record.ref, approval, to_level=record.level + 1, reason=reason, at=when)
    elif value is Decision.SWITCHBACK:
        # At level 9 the panel's recorded choice (back to 7, back to 4) is the predefined switchback.
        embedded = record.level == 9 and (9, to_level) in EMBEDDED_SWITCHBACKS
        kind = SwitchbackKind.EMBEDDED if embedded else SwitchbackKind.REVIEW
        lifecycle.switchback(unit, record.ref, to_level, kind=kind, reason=because, at=when)
    elif value is Decision.PAUSE:
        lifecycle.change_status(unit, record.ref, EventKind.PAUSE, reason=because, at=when)


# --- helpers -------------------------------------------------------------------------------------


def _get(unit: Unit, review_id: int) -> ReviewRecord:
    record = review_queries.review(unit.reader, int(review_id))
    if record is None:
        raise NotFound(f"no review {review_id} (see `mltrl review list`)")
    return record


def _open(unit: Unit, review_id: int):  # type: ignore[no-untyped-def]
    """The review and its state, refusing when it is decided (immutable) or out of date."""
    record = _get(unit, review_id)
    if record.status == "superseded":
        raise BadInput(
            f"review {review_id} was closed unfinished when {record.ref} changed level "
            f"({record.decision_reason}); open a new review"
        )
    if record.status != "open":
        raise BadInput(
            f"review {review_id} was decided ({record.decision}) and cannot change; open a new review"
        )
    component = lookup.component(unit.reader, record.ref)
    expected = component.level - 1 if component.status == Status.ENTERING else component.level
    if expected != record.level:
        raise BadInput(
            f"review {review_id} is for level {record.level}, but {record.ref} is now at "
            f"{component.level}; open a new review"
        )
    project = lookup.project(unit.reader, record.project_key)
    owner = component.owner or project.rd_owner
    return record, review_queries.state(unit.reader, record, owner)


def _upsert(unit: Unit, table: Any, review_id: int, key: str, key_value: str, values: dict[str, Any]) -> None:
    """One row per (review, key): revise it while the review is open, or add it."""
    changed = unit.conn.execute(
        update(table).where(table.c.review_id == review_id, table.c[key] == key_value).values(**values)
    ).rowcount
    if not changed:
        unit.conn.execute(insert(table).values(review_id=review_id, **{key: key_value}, **values))


def _task(task: dict[str, str] | str) -> dict[str, str]:
    if isinstance(task, str):
        task = {"task": task}
    text = inputs.text(task.get("task"), "task", required=True, limit=2000)
    target = inputs.text(task.get("target"), "task target", limit=500)
    return {"task": text, "target": target} if target else {"task": text}


def _log(
    unit: Unit,
    project_id: int,
    component_id: int,
    kind: str,
    at: datetime,
    data: dict[str, Any],
    reason: str = "",
) -> None:
    unit.append_event(
        project_id=project_id, component_id=component_id, kind=kind, at=at, data=data, reason=reason
    )
