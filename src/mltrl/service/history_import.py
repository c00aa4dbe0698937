"""Loading a team's lifecycle history from before the registry, many events at once.

Each event goes through the same rules as the one-at-a-time calls (``import_graduation``,
``switchback``, ``pause``, ``resume``, ``retire``): :mod:`mltrl.domain.rules` plans it against the
component's state as the events before it left it and refuses anything MLTRL forbids, and an import
is refused for a component whose history is live here (a review, a reviewed graduation, an entry
review) or dated now or later. What is saved is only the database work: each component is read
once, and the events and the components' final states land in one ``executemany`` each, the
states with the optimistic ``seq`` check of a single move. No card revisions are frozen (a card
assembled today is not what it looked like back then).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mltrl.domain import rules
from mltrl.domain.model import Approval, ComponentState, EventKind
from mltrl.errors import BadInput, Conflict, MltrlError
from mltrl.service import inputs, lookup
from mltrl.service._store import _INSERT_EVENT, _MOVE, Unit
from mltrl.service.lifecycle import _live_history
from mltrl.store import queries
from mltrl.store.records import ComponentRecord

KINDS = ("import", "switchback", "pause", "resume", "retire")
_IMPORT_DATA = '{"approval": "import"}'  # an import's event data, as the JSON the database holds
_STATUS = {"pause": EventKind.PAUSE, "resume": EventKind.RESUME, "retire": EventKind.RETIRE}


def load(unit: Unit, events: Iterable[Mapping[str, Any]], *, allowed: bool = True) -> int:
    """Record ``events`` in order (see :meth:`reg.components.import_history`); return how many."""
    if not allowed:
        raise BadInput(
            "the organisation's policy forbids imported history (settings.allow_imports); "
            "levels are earned through gated reviews"
        )
    now = inputs.now()
    events = list(events)
    found = _components(unit, events)
    seen: dict[str, tuple[ComponentRecord, int]] = {}  # ref -> (record, seq before this load)
    states: dict[str, ComponentState] = {}
    rows: list[dict[str, Any]] = []
    actor, via, chain = unit.actor, unit.via, unit.chain
    approvals: dict[tuple[int, str], Approval] = {}  # one per gate and approver, not one per event
    time = unit.reader.time
    for number, event in enumerate(events, start=1):
        try:
            ref = event["ref"]
            if ref not in seen:
                record = found.get(ref) or lookup.component(unit.reader, ref)  # (says what is missing)
                live = _live_history(unit, record) if record.id in found.live else None
                if live:
                    raise BadInput(
                        f"{record.ref} already has {live} recorded here; it climbs through gated reviews"
                    )
                seen[ref], states[ref] = (record, record.seq), lookup.state_of(record)
            record, state = seen[ref][0], states[ref]
            transition, data = _plan(event, state, actor, now, approvals)
            after = rules.apply(state, transition)
        except (KeyError, TypeError) as exc:
            raise BadInput(f"history event {number}: {exc} is missing or malformed") from None
        except MltrlError as exc:
            raise type(exc)(f"history event {number} ({event.get('ref')}): {exc.message}") from exc
        states[ref] = after
        row = {
            "project_id": record.project_id,
            "component_id": record.id,
            "seq": after.seq,
            "kind": transition.kind.value,
            "from_level": transition.from_level,
            "to_level": transition.to_level,
            "entry_level": transition.entry_level,
            "switchback_kind": transition.switchback_kind.value if transition.switchback_kind else None,
            "approver": transition.approver,
            "reason": transition.reason,
            "actor": transition.actor,
            "at": time(transition.at),
            "data": _IMPORT_DATA if data else None,
            "via": via,
        }
        if chain is not None:
            chain.link(row)  # in the same pass: the hash costs about what building the row does
        rows.append(row)
    moves = [
        {
            "cid": record.id,
            "seen": before,
            "level": states[ref].level,
            "entry_level": states[ref].entry_level,
            "status": states[ref].status.value,
            "seq": states[ref].seq,
            "last_at": time(states[ref].last_at),
        }
        for ref, (record, before) in seen.items()
    ]
    # Rows built as the database takes them (times as text on SQLite, data as JSON text).
    if moves and unit.reader.execute_many(_MOVE, moves, converted=True) != len(moves):
        raise Conflict("a component was changed by someone else during the import; nothing was written")
    if rows:
        unit.reader.execute_many(_INSERT_EVENT, rows, converted=True)
    return len(rows)


class _Found(dict[str, ComponentRecord]):
    """The components the events name, by reference; ``live``: ids with reviews or reviewed moves."""

    live: set[int]


def _components(unit: Unit, events: list[Mapping[str, Any]]) -> _Found:
    """Every component the events name, read once per project (not once per event or component)."""
    found = _Found()
    refs = {e.get("ref") for e in events if isinstance(e, Mapping)}
    projects = {ref.split("/", 1)[0] for ref in refs if isinstance(ref, str) and "/" in ref}
    for key in projects:
        for record in queries.components(unit.reader, key):
            if record.ref in refs:
                found[record.ref] = record
    ids = ", ".join(str(int(c.id)) for c in found.values()) or "NULL"
    found.live = {
        row["component_id"]
        for row in unit.reader.all(
            f"""SELECT component_id FROM reviews WHERE component_id IN ({ids})
                UNION SELECT component_id FROM events WHERE component_id IN ({ids})
                AND kind IN ('graduate', 'enter', 'propose')"""
        )
    }
    return found


def _plan(
    event: Mapping[str, Any],
    state: ComponentState,
    actor: str,
    now: Any,
    approvals: dict[tuple[int, str], Approval],
) -> tuple[Any, Any]:
    """The transition ``event`` asks for, planned by the rules, and its event data."""
    kind = event["kind"]
    at = inputs.moment(event["at"], "at")
    reason = inputs.text(event.get("reason", ""), "reason", limit=4000)
    if kind == "import":
        if at >= now:
            raise BadInput("an imported graduation must be dated in the past (at)")
        approver = inputs.text(event.get("approver"), "approver", required=True)
        to_level = event.get("to_level")
        if to_level is not None:
            to_level = rules.parse_level(to_level, "target level")
        approval = approvals.get((state.level, approver))
        if approval is None:
            approval = approvals[state.level, approver] = Approval(
                level=state.level, approvers=(approver,), source="import"
            )
        transition = rules.plan_graduation(
            state, approval, actor=actor, at=at, reason=reason, to_level=to_level
        )
        return transition, {"approval": "import"}
    if kind == "switchback":
        transition = rules.plan_switchback(
            state,
            rules.parse_level(event["to_level"], "target level"),
            inputs.switchback_kind(event.get("switchback")),
            actor=actor,
            at=at,
            reason=reason,
        )
        return transition, None
    if kind in _STATUS:
        return rules.plan_status_change(state, _STATUS[kind], actor=actor, at=at, reason=reason), None
    raise BadInput(f"kind {kind!r} is not one of {', '.join(KINDS)}")
