"""``report``: quantified progress from the event log.

Time spent per level per component (paused time does not count: nobody was
working on it), switchback counts by kind, the most frequent transitions,
paths and cycles across projects (where work loops, e.g. 7 -> 8 -> 7), and
the median time a completed stay at each level took across the organisation.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from statistics import median, quantiles
from typing import Any

from mltrl.store import queries
from mltrl.store.reader import Reader

DAY_S = 86400.0


@dataclass
class ComponentProgress:
    project: str
    code: str
    level: int
    status: str
    seconds_per_level: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    current_stay_s: float = 0.0
    switchbacks: Counter[str] = field(default_factory=Counter)
    path: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "code": self.code,
            "level": self.level,
            "status": self.status,
            "days_per_level": {str(k): _days(v) for k, v in sorted(self.seconds_per_level.items())},
            "current_stay_days": _days(self.current_stay_s),
            "switchbacks": dict(sorted(self.switchbacks.items())),
            "path": self.path,
        }


@dataclass
class Report:
    generated_at: datetime
    project: str | None
    components: list[ComponentProgress]
    switchbacks_by_kind: dict[str, int]
    top_transitions: list[dict[str, Any]]
    top_paths: list[dict[str, Any]]
    top_cycles: list[dict[str, Any]]
    median_days_per_level: dict[int, float]
    completed_stays_per_level: dict[int, int]
    #: Lower and upper quartile of the completed stays per level, in days (levels with 2+ stays).
    quartile_days_per_level: dict[int, tuple[float, float]] = field(default_factory=dict)
    #: Readiness targets in scope with their state (met, met late, late, on track, at risk).
    targets: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "project": self.project,
            "components": [c.to_json() for c in self.components],
            "switchbacks_by_kind": self.switchbacks_by_kind,
            "top_transitions": self.top_transitions,
            "top_paths": self.top_paths,
            "top_cycles": self.top_cycles,
            "median_days_per_level": {str(k): v for k, v in sorted(self.median_days_per_level.items())},
            "completed_stays_per_level": {
                str(k): v for k, v in sorted(self.completed_stays_per_level.items())
            },
            "quartile_days_per_level": {
                str(k): list(v) for k, v in sorted(self.quartile_days_per_level.items())
            },
            "targets": self.targets,
        }


def report_with_targets(r: Reader, now: datetime, project_key: str | None = None, top: int = 10) -> Report:
    """The report, with the targets in its scope judged against the organisation's pace."""
    from mltrl.analytics.targets import target_statuses

    report = build_report(r, now, project_key, top=top)
    report.targets = [
        t.to_json() for t in target_statuses(r, now, project_key=project_key, organisation=report)
    ]
    return report


def build_report(r: Reader, now: datetime, project_key: str | None = None, top: int = 10) -> Report:
    rows = queries.lifecycle_scan(r, project_key)
    names = queries.component_names(r)
    progress: list[ComponentProgress] = []
    completed: dict[int, list[float]] = defaultdict(list)
    transitions: Counter[tuple[int, int, str]] = Counter()
    paths: Counter[tuple[int, ...]] = Counter()
    cycles: Counter[tuple[int, ...]] = Counter()

    now_s = now.timestamp()
    for component_id, log in groupby(rows, key=itemgetter(0)):
        component = _walk(names[component_id], list(log), now_s, completed, transitions, cycles)
        paths[tuple(component.path)] += 1
        progress.append(component)

    by_kind: Counter[str] = Counter()
    for component in progress:
        by_kind.update(component.switchbacks)
    return Report(
        generated_at=now,
        project=project_key,
        components=progress,
        switchbacks_by_kind={kind: by_kind.get(kind, 0) for kind in ("discovery", "review", "embedded")},
        top_transitions=[
            {"from": a, "to": b, "kind": kind, "count": n} for (a, b, kind), n in _top(transitions, top)
        ],
        top_paths=[{"path": list(path), "count": n} for path, n in _top(paths, top)],
        top_cycles=[{"cycle": list(cycle), "count": n} for cycle, n in _top(cycles, top)],
        median_days_per_level={level: _days(median(stays)) for level, stays in sorted(completed.items())},
        completed_stays_per_level={level: len(stays) for level, stays in sorted(completed.items())},
        quartile_days_per_level={
            level: (_days(q[0]), _days(q[2]))
            for level, stays in sorted(completed.items())
            if len(stays) >= 2 and (q := quantiles(stays, n=4, method="inclusive"))
        },
    )


_STATUS_AFTER = {"pause": "paused", "resume": "active", "retire": "retired", "enter": "active"}
#: How a move up is labelled in the transition counts: imported history is never shown as reviewed.
_UP = {"graduate": "graduate", "import": "imported graduation"}


def _walk(
    name: tuple[str, str],
    events: list[tuple[Any, ...]],
    now_s: float,
    completed: dict[int, list[float]],
    transitions: Counter[tuple[int, int, str]],
    cycles: Counter[tuple[int, ...]],
) -> ComponentProgress:
    """Fold one component's log (ordered by seq) into its progress, feeding the organisation counters.

    Rows are ``lifecycle_scan`` tuples: (component id, kind, to_level, switchback_kind, seconds).
    """
    _, first_kind, level, _, since = events[0]
    status = "entering" if first_kind == "propose" else "active"
    component = ComponentProgress(project=name[0], code=name[1], level=level, status=status)
    per_level = component.seconds_per_level
    path = component.path
    path.append(level)
    stay = 0.0
    # This loop runs once per event of the whole organisation: keep it lean.
    for _, kind, to_level, switchback_kind, at in events[1:]:
        if status == "active":
            spent = at - since
            per_level[level] += spent
            stay += spent
        if kind in _UP:
            completed[level].append(stay)
            transitions[(level, to_level, _UP[kind])] += 1
            stay, level = 0.0, to_level
            path.append(level)
        elif kind == "switchback":
            completed[level].append(stay)
            transitions[(level, to_level, f"{switchback_kind} switchback")] += 1
            stay, level = 0.0, to_level
            path.append(level)
            component.switchbacks[switchback_kind] += 1
            cycles[_cycle(path)] += 1
        else:
            status = _STATUS_AFTER.get(kind, status)
        since = at
    if status == "active":
        tail = max(0.0, now_s - since)
        per_level[level] += tail
        stay += tail
    component.level, component.status, component.current_stay_s = level, status, stay
    return component


def _cycle(path: list[int]) -> tuple[int, ...]:
    """The loop a switchback closes: from the last earlier visit of the level it returns to."""
    target = path[-1]
    for i in range(len(path) - 2, -1, -1):
        if path[i] == target:
            return tuple(path[i:])
    return tuple(path[-2:])  # back to a level last seen before a fork; the step itself is the loop


def _top(counter: Counter, n: int) -> list[tuple[Any, int]]:
    # Ties broken by the key so the report is the same on every run.
    return sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))[:n]


def _days(seconds: float) -> float:
    return round(seconds / DAY_S, 3)
