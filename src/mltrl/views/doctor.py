"""``doctor``: replay every component's event log and check it rebuilds the stored state exactly.

The log is the record of truth; the ``components`` row is a cache of its
fold. Any difference (a hand-edited row, a lost or duplicated event, an
event that breaks a lifecycle rule) is reported per component.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mltrl.domain import rules
from mltrl.domain.model import EventKind, SwitchbackKind, Transition
from mltrl.errors import MltrlError
from mltrl.store import queries
from mltrl.store.reader import Reader


@dataclass
class DoctorReport:
    components_checked: int = 0
    events_replayed: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "components_checked": self.components_checked,
            "events_replayed": self.events_replayed,
            "problems": self.problems,
        }


def examine(r: Reader) -> DoctorReport:
    report = DoctorReport()
    logs: dict[int, list[dict[str, Any]]] = {}
    for row in queries.lifecycle_log(r):
        logs.setdefault(row["component_id"], []).append(row)
    for component in queries.components(r):
        report.components_checked += 1
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
