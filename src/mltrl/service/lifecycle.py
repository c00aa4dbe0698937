"""Use-cases that move a component through its levels: initiate, graduate, switch back, pause ...

Each one reads the component's current state inside the write transaction,
asks :mod:`mltrl.domain.rules` for the next state, and lands the event and the
new state together. The ``UPDATE ... WHERE seq = <seen>`` makes a concurrent
writer that changed the component first win cleanly: the loser changes no row
and reports a conflict instead of writing a second, contradictory event.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mltrl.domain import rules
from mltrl.domain.model import Approval, ComponentState, EventKind, SwitchbackKind, Transition
from mltrl.errors import BadInput, Conflict, RuleViolation
from mltrl.service import inputs, lookup
from mltrl.service._store import _MOVE, Unit, batched
from mltrl.store.records import ComponentRecord


def record_start(
    unit: Unit, component_id: int, project_id: int, event: Transition, data: dict[str, Any] | None = None
) -> ComponentState:
    """Log the initiate/fork event that opens a component's log (the row was just inserted)."""
    state = rules.start(event)
    _append(unit, component_id, project_id, state.seq, event, data)
    return state


#: A level change ends the reviews of the old level: their gate is no longer the one ahead.
_SUPERSEDE = (
    "UPDATE reviews SET status = 'superseded', decided_at = :at, decided_by = :actor, "
    "decision_reason = :reason WHERE component_id = :cid AND status = 'open' AND level <> :level"
)
_OPEN_REVIEWS_OFF_LEVEL = (
    "SELECT id, level FROM reviews WHERE component_id = :cid AND status = 'open' AND level <> :level"
)


def _naming_component(use_case: Callable[..., ComponentRecord]) -> Callable[..., ComponentRecord]:
    """Prefix a rule's refusal with the component it is about, so the one-line error says where."""

    @functools.wraps(use_case)
    def wrapper(unit: Unit, ref: str, *args: Any, **kwargs: Any) -> ComponentRecord:
        try:
            return use_case(unit, ref, *args, **kwargs)
        except RuleViolation as exc:
            raise RuleViolation(f"{ref}: {exc.message}") from exc

    return wrapper


@_naming_component
def graduate(
    unit: Unit,
    ref: str,
    approval: Approval,
    *,
    to_level: int | None = None,
    reason: str = "",
    at: datetime | str | None = None,
    record: ComponentRecord | None = None,
) -> ComponentRecord:
    """Graduate ``ref`` on ``approval``; ``record``: the component as the caller just read it."""
    record = record or _component(unit, ref)
    state = lookup.state_of(record)
    if approval.level is None:
        approval = Approval(level=state.level, approvers=approval.approvers, source=approval.source)
    if to_level is not None:
        to_level = rules.parse_level(to_level, "target level")
        if to_level <= state.level:
            # Most often a second, concurrent graduation of the same gate: say so plainly.
            raise Conflict(f"{ref} is already at level {state.level}; it cannot graduate to {to_level}")
    event = rules.plan_graduation(
        state,
        approval,
        actor=unit.actor,
        at=inputs.moment(at),
        reason=inputs.text(reason, "reason", limit=4000),
        to_level=to_level,
    )
    return _land(unit, record, state, event, {"approval": approval.source})


@batched
def import_graduation(
    unit: Unit,
    ref: str,
    approver: str,
    *,
    allowed: bool = True,
    to_level: int | None = None,
    reason: str = "",
    at: datetime | str | None = None,
) -> ComponentRecord:
    """A graduation from before the registry, approved back then by ``approver``; never dated now.

    Import is history only: once a component has a review, a reviewed graduation or an entry review
    here, its levels are earned through gated reviews, and an import would be a way around them.
    """
    if not allowed:
        raise RuleViolation(
            f"{ref}: the organisation's policy forbids imported history (settings.allow_imports); "
            f"levels are earned through gated reviews: `mltrl review open {ref}`"
        )
    if at is None or inputs.moment(at, "--at") >= inputs.now():
        raise BadInput(f"{ref}: an imported graduation must be dated in the past (--at)")
    record = _component(unit, ref)
    live = None if unit.batch and ("history", record.id) in unit.batch.facts else _live_history(unit, record)
    if live:
        raise RuleViolation(
            f"{record.ref}: import-graduation loads history from before the registry, but {record.ref} "
            f"already has {live} recorded here; it climbs through gated reviews: "
            f"`mltrl review open {record.ref}`"
        )
    if unit.batch is not None:
        # Only a review, a reviewed graduation or an entry review makes history live, and none of
        # them is a batched use-case: any of them in this transaction makes the batch forget this.
        unit.batch.facts.add(("history", record.id))
    # level=None: an approval of whatever gate the component stands at (it was given back then).
    approval = Approval(
        level=None, approvers=(inputs.text(approver, "approver", required=True),), source="import"
    )
    return graduate(unit, ref, approval, to_level=to_level, reason=reason, at=at, record=record)


def _live_history(unit: Unit, record: ComponentRecord) -> str | None:
    """What makes a component's history live (reviewed here), in words, or None."""
    # One statement: it runs before every imported graduation.
    found = unit.reader.one(
        """SELECT (SELECT MIN(id) FROM reviews WHERE component_id = :cid) AS review,
                  (SELECT MIN(kind) FROM events WHERE component_id = :cid
                   AND kind IN ('graduate', 'enter', 'propose')) AS moved""",
        cid=record.id,
    )
    review, moved = (found["review"], found["moved"]) if found else (None, None)
    if review is not None:
        return f"review {review}"
    if moved is not None:
        return {
            "graduate": "a reviewed graduation",
            "enter": "an entry review",
            "propose": "an entry review",
        }[moved]
    return None


@_naming_component
def enter(
    unit: Unit, ref: str, approval: Approval, *, reason: str = "", at: datetime | str | None = None
) -> ComponentRecord:
    """Admit a component its entry review approved: it is active at the level it asked to enter at."""
    record = lookup.component(unit.reader, ref)
    state = lookup.state_of(record)
    event = rules.plan_entry(
        state,
        approval,
        actor=unit.actor,
        at=inputs.moment(at),
        reason=inputs.text(reason, "reason", limit=4000),
    )
    return _land(unit, record, state, event, {"approval": approval.source})


@batched
@_naming_component
def switchback(
    unit: Unit,
    ref: str,
    to_level: int | str,
    *,
    kind: SwitchbackKind | str | None = None,
    reason: str,
    at: datetime | str | None = None,
) -> ComponentRecord:
    record = _component(unit, ref)
    state = lookup.state_of(record)
    event = rules.plan_switchback(
        state,
        rules.parse_level(to_level, "target level"),
        inputs.switchback_kind(kind),
        actor=unit.actor,
        at=inputs.moment(at),
        reason=inputs.text(reason, "reason", limit=4000),
    )
    return _land(unit, record, state, event)


@batched
@_naming_component
def change_status(
    unit: Unit, ref: str, kind: EventKind, *, reason: str = "", at: datetime | str | None = None
) -> ComponentRecord:
    record = _component(unit, ref)
    state = lookup.state_of(record)
    event = rules.plan_status_change(
        state, kind, actor=unit.actor, at=inputs.moment(at), reason=inputs.text(reason, "reason", limit=4000)
    )
    return _land(unit, record, state, event)


def _land(
    unit: Unit,
    record: ComponentRecord,
    seen: ComponentState,
    event: Transition,
    data: dict[str, Any] | None = None,
) -> ComponentRecord:
    after = rules.apply(seen, event)
    if unit.batch is None:
        changed = unit.reader.execute(
            _MOVE,
            {
                "cid": record.id,
                "seen": seen.seq,
                "level": after.level,
                "entry_level": after.entry_level,
                "status": after.status.value,
                "seq": after.seq,
                "last_at": after.last_at,
            },
        )
        if changed != 1:
            raise Conflict(
                f"{record.ref} was changed by someone else while this {event.kind} ran; nothing was written"
            )
    _append(unit, record.id, record.project_id, after.seq, event, data)
    # What was just written, without reading it back (bulk loads make many moves).
    # (Built directly: dataclasses.replace costs more than the database work here.)
    moved = ComponentRecord(
        **{
            **vars(record),
            "level": after.level,
            "entry_level": after.entry_level,
            "status": after.status.value,
            "seq": after.seq,
            "last_at": after.last_at,
        }
    )
    if unit.batch is not None:
        # Written behind, with the same check of the seq this transaction first saw (Batch.flush).
        unit.batch.move(moved, seen.seq)
        unit.batch.known[record.ref] = moved
    if after.level != seen.level:
        _supersede_reviews(unit, moved, f"{event.kind} {seen.level} -> {after.level}", event.at)
        if unit.on_level_change is not None:
            unit.on_level_change(unit, moved, f"{event.kind} {seen.level} -> {after.level}", event.at)
    return moved


def _component(unit: Unit, ref: str) -> ComponentRecord:
    """The component, as this transaction's batch left it if it moved it, else as stored."""
    if unit.batch is not None:
        key, code = inputs.parse_ref(ref)
        known = unit.batch.known.get(f"{key}/{code}")
        if known is not None:
            return known
    return lookup.component(unit.reader, ref)


def _supersede_reviews(unit: Unit, record: ComponentRecord, change: str, at: datetime) -> None:
    """Close the open reviews of the level the component left, so a new review can be opened."""
    batch = unit.batch
    if batch is not None and ("no open reviews", record.id) in batch.facts:
        return  # only the review use-cases open reviews, and any of them makes the batch forget this
    stale = unit.reader.all(_OPEN_REVIEWS_OFF_LEVEL, cid=record.id, level=record.level)
    if not stale:
        if batch is not None:
            batch.facts.add(("no open reviews", record.id))
        return
    reason = f"superseded: {change}"
    unit.reader.execute(
        _SUPERSEDE, {"cid": record.id, "level": record.level, "at": at, "actor": unit.actor, "reason": reason}
    )
    for row in stale:
        unit.append_event(
            project_id=record.project_id,
            component_id=record.id,
            kind="review.supersede",
            at=at,
            reason=reason,
            data={"review": row["id"], "level": row["level"]},
        )


def _append(
    unit: Unit, component_id: int, project_id: int, seq: int, event: Transition, data: dict[str, Any] | None
) -> None:
    unit.append_event(
        project_id=project_id,
        component_id=component_id,
        seq=seq,
        kind=event.kind.value,
        from_level=event.from_level,
        to_level=event.to_level,
        entry_level=event.entry_level,
        switchback_kind=event.switchback_kind.value if event.switchback_kind else None,
        approver=event.approver,
        reason=event.reason,
        actor=event.actor,
        at=event.at,
        data=data,
    )
