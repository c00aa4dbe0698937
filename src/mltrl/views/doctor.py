"""``doctor``: replay every component's event log and check it rebuilds the stored state exactly.

The log is the record of truth; the ``components`` row is a cache of its
fold. Any difference (a hand-edited row, a lost or duplicated event, an
event that breaks a lifecycle rule) is reported per component. The log itself is checked first:
its hash chain, and the signatures and decisions against the events that recorded them
(:mod:`mltrl.views.integrity`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mltrl.domain import rules
from mltrl.domain.model import EventKind, SwitchbackKind, Transition
from mltrl.errors import MltrlError
from mltrl.store import queries
from mltrl.store.reader import Reader
from mltrl.views import integrity


@dataclass
class DoctorReport:
    components_checked: int = 0
    events_replayed: int = 0
    events_chained: int = 0
    signatures_checked: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "components_checked": self.components_checked,
            "events_replayed": self.events_replayed,
            "events_chained": self.events_chained,
            "signatures_checked": self.signatures_checked,
            "problems": self.problems,
        }


def examine(r: Reader) -> DoctorReport:
    report = DoctorReport()
    sealed = integrity.check(r)
    report.problems.extend(sealed.problems)
    report.events_chained, report.signatures_checked = sealed.events_checked, sealed.signatures_checked
    logs: dict[int, list[dict[str, Any]]] = {}
    for row in queries.lifecycle_log(r):
        logs.setdefault(row["component_id"], []).append(row)
    imported_into_live = _imports_into_live_work(r)
    for component in queries.components(r):
        report.components_checked += 1
        for finding in imported_into_live.get(component.id, []):
            report.problems.append({"component": component.ref, "problem": finding})
        log = logs.get(component.id, [])
        report.events_replayed += len(log)

        def problem(text: str, ref: str = component.ref) -> None:
            report.problems.append({"component": ref, "problem": text})

        seqs = [row["seq"] for row in log]
        if seqs != list(range(1, len(seqs) + 1)):
            problem(f"event sequence numbers are {_summarise(seqs)}, expected 1..{len(seqs)}")
            continue
        try:
            state = rules.replay([_transition(row) for row in log])
        except MltrlError as exc:
            problem(f"the log breaks a rule: {exc.message}")
            continue
        except ValueError as exc:  # an event kind this mltrl does not know
            problem(f"the log holds an unreadable event: {exc}")
            continue
        stored = {
            "level": component.level,
            "entry_level": component.entry_level,
            "status": component.status,
            "seq": component.seq,
            "last_at": component.last_at,
        }
        replayed = {
            "level": state.level,
            "entry_level": state.entry_level,
            "status": state.status.value,
            "seq": state.seq,
            "last_at": state.last_at,
        }
        for name, value in stored.items():
            if replayed[name] != value:
                problem(f"stored {name} is {_show(value)} but the log says {_show(replayed[name])}")
    return report


def _imports_into_live_work(r: Reader) -> dict[int, list[str]]:
    """Imported graduations recorded after the component's history had gone live (a review was
    opened, or a move was reviewed here): levels that look earned but were not.

    Imports are back-dated, so the order that matters is the order of recording (event ids), not
    the dates. Reported, never rewritten: the log is the record of what happened.
    """
    live = {
        row["component_id"]: (row["id"], row["kind"])
        for row in r.all(
            """SELECT e.component_id, e.id, e.kind FROM events e
               WHERE e.id = (SELECT MIN(f.id) FROM events f WHERE f.component_id = e.component_id
                             AND f.kind IN ('graduate', 'enter', 'propose', 'review.open'))"""
        )
    }
    found: dict[int, list[str]] = {}
    for row in r.all(
        "SELECT id, component_id, from_level, to_level FROM events WHERE kind = 'import' ORDER BY id"
    ):
        first = live.get(row["component_id"])
        if first is not None and row["id"] > first[0]:
            what = "a review was opened" if first[1] == "review.open" else f"a reviewed {first[1]}"
            found.setdefault(row["component_id"], []).append(
                f"imported graduation {row['from_level']} -> {row['to_level']} was recorded after {what}; "
                "import is for history from before the registry, so this level was not earned at its gate"
            )
    return found


def _transition(row: dict[str, Any]) -> Transition:
    return Transition(
        kind=EventKind(row["kind"]),
        to_level=row["to_level"],
        at=row["at"],
        actor=row["actor"],
        from_level=row["from_level"],
        reason=row["reason"] or "",
        switchback_kind=SwitchbackKind(row["switchback_kind"]) if row["switchback_kind"] else None,
        approver=row["approver"],
        entry_level=row["entry_level"],
    )


def _summarise(seqs: list[int]) -> str:
    return "none" if not seqs else ", ".join(map(str, seqs[:8])) + (" ..." if len(seqs) > 8 else "")


def _show(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else repr(value)
