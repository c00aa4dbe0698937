"""The MLTRL lifecycle rules, as pure functions over :class:`ComponentState`.

One function, :func:`apply`, decides whether an event is legal in a state and
what state follows. Everything that changes a level goes through it: the
services when they write, and ``doctor`` when it replays the log. The
``plan_*`` helpers only build the event a use-case asks for and let
:func:`apply` judge it, so the rules live in one place.
"""

from __future__ import annotations

from datetime import datetime

from mltrl.domain.model import (
    EMBEDDED_SWITCHBACKS,
    MAX_LEVEL,
    MIN_LEVEL,
    STARTING_EVENTS,
    Approval,
    ComponentState,
    EventKind,
    Status,
    SwitchbackKind,
    Transition,
)
from mltrl.errors import BadInput, RuleViolation


def parse_level(value: object, where: str = "level") -> int:
    """A level from user input: a whole number 0-9, or a one-line error naming ``where``."""
    text = str(value).strip()
    if not text.lstrip("-").isdigit():
        raise BadInput(f"{where}: {text!r} is not a level; levels are whole numbers from 0 to 9")
    level = int(text)
    if not MIN_LEVEL <= level <= MAX_LEVEL:
        raise BadInput(f"{where}: level {level} is outside 0-9")
    return level


def is_predefined_embedded(from_level: int, to_level: int) -> bool:
    return (from_level, to_level) in EMBEDDED_SWITCHBACKS


def start(event: Transition) -> ComponentState:
    """The state a starting event (initiate or fork) creates."""
    if event.kind not in STARTING_EVENTS:
        raise RuleViolation(f"a component's log must start with initiate or fork, not {event.kind}")
    level = parse_level(event.to_level)
    entry = level if event.entry_level is None else parse_level(event.entry_level, "entry level")
    if entry > level:
        raise RuleViolation(f"entry level {entry} is above the starting level {level}")
    _require_actor(event)
    status = Status.ACTIVE
    if event.kind is EventKind.PROPOSE:
        if level == MIN_LEVEL:
            raise RuleViolation("level 0 has no gate before it; initiate the component there")
        status = Status.ENTERING
    return ComponentState(level=level, entry_level=entry, status=status, seq=1, last_at=event.at)


def apply(state: ComponentState, event: Transition) -> ComponentState:
    """The state after ``event``, or :class:`RuleViolation` if MLTRL forbids it."""
    _require_actor(event)
    if event.at < state.last_at:
        raise RuleViolation(
            f"{event.kind} at {event.at.isoformat()} is earlier than the component's last event "
            f"({state.last_at.isoformat()}); the log only moves forward in time"
        )
    if event.from_level is not None and event.from_level != state.level:
        raise RuleViolation(
            f"{event.kind} from level {event.from_level}, but the component is at {state.level}"
        )
    if state.status is Status.RETIRED:
        raise RuleViolation(f"the component is retired; {event.kind} is not possible")
    handler = _HANDLERS.get(event.kind)
    if handler is None:
        raise RuleViolation(f"{event.kind} cannot happen after the component has started")
    level, status = handler(state, event)
    # An embedded switchback may take a component below the level it entered at (a change to a
    # deployed component goes back through integration even if it entered at 9): from then on it
    # has been at that level, and the gates above it must be passed here.
    entry = min(state.entry_level, level)
    return ComponentState(level=level, entry_level=entry, status=status, seq=state.seq + 1, last_at=event.at)


def replay(events: list[Transition]) -> ComponentState:
    """Fold a whole log into the state it implies, checking every rule on the way."""
    if not events:
        raise RuleViolation("an empty log describes no component")
    state = start(events[0])
    for event in events[1:]:
        state = apply(state, event)
    return state


def _graduate(state: ComponentState, event: Transition) -> tuple[int, Status]:
    _require_active(state, "graduate" if event.kind is EventKind.GRADUATE else "import a graduation")
    if state.level == MAX_LEVEL:
        raise RuleViolation(
            "level 9 is the top: a deployed component is reviewed again, it does not graduate"
        )
    if event.to_level > state.level + 1:
        skipped = ", ".join(str(n) for n in range(state.level + 1, event.to_level))
        raise RuleViolation(
            f"graduating from {state.level} to {event.to_level} would skip level {skipped}; "
            "MLTRL climbs one level at a time"
        )
    if event.to_level <= state.level:
        raise RuleViolation(
            f"graduating to {event.to_level} does not go up from {state.level}; use a switchback to go down"
        )
    if not event.approver or not event.approver.strip():
        raise RuleViolation(
            f"graduating from {state.level} needs an approval of the level-{state.level} gate"
        )
    return event.to_level, state.status


def _switchback(state: ComponentState, event: Transition) -> tuple[int, Status]:
    embedded = event.switchback_kind is SwitchbackKind.EMBEDDED and is_predefined_embedded(
        state.level, event.to_level
    )
    if not (embedded and state.status is Status.PAUSED):
        # A change to a deployed component returns it to integration whether or not it is paused.
        _require_active(state, "switch back")
    to = event.to_level
    if to >= state.level:
        raise RuleViolation(f"a switchback goes down; {state.level} -> {to} does not")
    if event.switchback_kind is None:
        raise RuleViolation("a switchback needs a kind: discovery, review or embedded")
    if event.switchback_kind is SwitchbackKind.EMBEDDED and not is_predefined_embedded(state.level, to):
        raise RuleViolation(
            f"{state.level} -> {to} is not one of the embedded switchbacks MLTRL predefines "
            "(4->2, 9->4, and 9->7, 9->6 or 9->5); record it as discovery or review"
        )
    if to < state.entry_level and not embedded:
        raise RuleViolation(
            f"cannot switch back to {to}: the component entered at level {state.entry_level}, "
            f"so level {to} was never done"
        )
    if not event.reason.strip():
        raise RuleViolation("a switchback needs a reason")
    return to, state.status


def _enter(state: ComponentState, event: Transition) -> tuple[int, Status]:
    if state.status is not Status.ENTERING:
        raise RuleViolation("only a component waiting for its entry review can enter")
    _require_same_level(state, event)
    if not event.approver or not event.approver.strip():
        raise RuleViolation(f"entering at level {state.level} needs the approval of an entry review")
    return state.level, Status.ACTIVE


def _pause(state: ComponentState, event: Transition) -> tuple[int, Status]:
    _require_active(state, "pause")
    _require_same_level(state, event)
    return state.level, Status.PAUSED


def _resume(state: ComponentState, event: Transition) -> tuple[int, Status]:
    if state.status is not Status.PAUSED:
        raise RuleViolation("only a paused component can be resumed")
    _require_same_level(state, event)
    return state.level, Status.ACTIVE


def _retire(state: ComponentState, event: Transition) -> tuple[int, Status]:
    _require_same_level(state, event)
    return state.level, Status.RETIRED


_HANDLERS = {
    EventKind.GRADUATE: _graduate,
    EventKind.IMPORT: _graduate,
    EventKind.ENTER: _enter,
    EventKind.SWITCHBACK: _switchback,
    EventKind.PAUSE: _pause,
    EventKind.RESUME: _resume,
    EventKind.RETIRE: _retire,
}


def _require_active(state: ComponentState, verb: str) -> None:
    if state.status is Status.PAUSED:
        raise RuleViolation(f"the component is paused; resume it before you {verb}")
    if state.status is Status.ENTERING:
        raise RuleViolation(
            f"the component has not entered yet (it waits for its entry review at level {state.level}); "
            f"it cannot {verb}"
        )


def _require_same_level(state: ComponentState, event: Transition) -> None:
    if event.to_level != state.level:
        raise RuleViolation(f"{event.kind} keeps the level; {event.to_level} differs from {state.level}")


def _require_actor(event: Transition) -> None:
    if not event.actor or not event.actor.strip():
        raise BadInput(f"{event.kind} needs an actor (who made the change)")


# --- building events for the use-cases ------------------------------------------------------------


def plan_graduation(
    state: ComponentState,
    approval: Approval,
    *,
    actor: str,
    at: datetime,
    reason: str = "",
    to_level: int | None = None,
) -> Transition:
    """The graduation event for an approval of the gate at ``approval.level``.

    ``to_level`` is what the caller asked for; :func:`apply` refuses anything
    but the next level, so a requested skip gets the skip error.
    """
    if approval.level != state.level:
        raise RuleViolation(
            f"the approval is for the level-{approval.level} gate, but the component is at {state.level}"
        )
    return Transition(
        kind=EventKind.IMPORT if approval.source == "import" else EventKind.GRADUATE,
        from_level=state.level,
        to_level=state.level + 1 if to_level is None else to_level,
        at=at,
        actor=actor,
        reason=reason,
        approver=approval.describe,
    )


def plan_entry(
    state: ComponentState, approval: Approval, *, actor: str, at: datetime, reason: str = ""
) -> Transition:
    """The event that admits a component its entry review approved (the gate into its level)."""
    if approval.level != state.level - 1:
        raise RuleViolation(
            f"the approval is for the level-{approval.level} gate, but the component asks to enter at "
            f"{state.level} (the gate into it is level {state.level - 1}'s)"
        )
    return Transition(
        kind=EventKind.ENTER,
        from_level=state.level,
        to_level=state.level,
        at=at,
        actor=actor,
        reason=reason,
        approver=approval.describe,
    )


def plan_switchback(
    state: ComponentState,
    to_level: int,
    kind: SwitchbackKind | None,
    *,
    actor: str,
    at: datetime,
    reason: str,
) -> Transition:
    """The switchback event; an unnamed kind on a predefined path is recognised as embedded."""
    if kind is None and is_predefined_embedded(state.level, to_level):
        kind = SwitchbackKind.EMBEDDED
    return Transition(
        kind=EventKind.SWITCHBACK,
        from_level=state.level,
        to_level=to_level,
        at=at,
        actor=actor,
        reason=reason,
        switchback_kind=kind,
    )


def plan_status_change(
    state: ComponentState, kind: EventKind, *, actor: str, at: datetime, reason: str = ""
) -> Transition:
    return Transition(
        kind=kind, from_level=state.level, to_level=state.level, at=at, actor=actor, reason=reason
    )
