"""Retention: ``mltrl monitor prune`` deletes old monitoring data a registry no longer needs.

Window profiles pile up one per component and window (a year of hourly windows is 8,760 rows per
component), and acknowledged alerts are settled. What is deleted is only that:

- **window profiles** whose window ended before the cutoff;
- **acknowledged alerts** raised before the cutoff that no review names.

Never a reference profile (every drift check compares against it), never an alert nobody has
acknowledged yet, never one brought before a review (the review's record lists it), and never the
event log: each project that lost rows gets a ``monitor.prune`` event with the counts.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, select

from mltrl.errors import BadInput
from mltrl.service import inputs, lookup
from mltrl.service._store import Unit
from mltrl.store import locks, schema

EVENT = "monitor.prune"
_AGE = re.compile(r"([0-9]{1,5})\s*([dw])")
_UNIT_DAYS = {"d": 1, "w": 7}


@dataclass(frozen=True)
class PruneReport:
    """What a prune deleted (or, with ``dry_run``, would delete), per component and in total."""

    older_than: str
    cutoff: datetime
    dry_run: bool
    profiles: int = 0
    alerts: int = 0
    #: component ref -> {"profiles": n, "alerts": m}, only components that lose something.
    components: dict[str, dict[str, int]] = field(default_factory=dict)
    project_ids: dict[str, int] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("project_ids")
        return {**data, "cutoff": self.cutoff.isoformat()}


def parse_age(text: str) -> timedelta:
    """``400d`` or ``52w``: how old monitoring data must be to go. At least a day."""
    match = _AGE.fullmatch(str(text).strip().lower())
    if match is None or int(match.group(1)) == 0:
        raise BadInput(f"--older-than {text!r}: write a number of days or weeks, e.g. 400d or 52w")
    return timedelta(days=int(match.group(1)) * _UNIT_DAYS[match.group(2)])


def prune(
    unit: Unit,
    older_than: str,
    *,
    target: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> PruneReport:
    """Delete (or count, ``dry_run``) window profiles and acknowledged, unreviewed alerts older than
    ``older_than`` (``400d``), in the whole registry or one project (``KEY``) or component (``KEY/CODE``)."""
    cutoff = (now or inputs.now()) - parse_age(older_than)
    scope = _scope(unit, target)
    profiles, alerts = schema.profiles, schema.alerts
    old_profiles = and_(
        profiles.c.role == "window",
        func.coalesce(profiles.c.window_end, profiles.c.updated_at) < cutoff,
        *scope(profiles),
    )
    settled_alerts = and_(
        alerts.c.acknowledged_at.is_not(None),
        alerts.c.review_id.is_(None),
        alerts.c.created_at < cutoff,
        *scope(alerts),
    )
    counts = _counts(unit, old_profiles, settled_alerts)
    if dry_run or not counts:
        return _report(older_than, cutoff, dry_run, counts)
    # Checks of these components wait while their old rows go (an alert check looks for an earlier
    # alert of the same finding: it must not find one that is being deleted). In id order: no deadlock.
    for component_id in sorted(c["component_id"] for c in counts.values()):
        locks.lock_row(unit.conn, schema.components, component_id)
    counts = _counts(unit, old_profiles, settled_alerts)  # as they stand under the locks
    unit.conn.execute(delete(profiles).where(old_profiles))
    unit.conn.execute(delete(alerts).where(settled_alerts))
    report = _report(older_than, cutoff, False, counts)
    _record(unit, report)
    return report


def _report(
    older_than: str, cutoff: datetime, dry_run: bool, counts: dict[str, dict[str, int]]
) -> PruneReport:
    components = {
        ref: {"profiles": c["profiles"], "alerts": c["alerts"]} for ref, c in sorted(counts.items())
    }
    return PruneReport(
        older_than=older_than,
        cutoff=cutoff,
        dry_run=dry_run,
        profiles=sum(c["profiles"] for c in components.values()),
        alerts=sum(c["alerts"] for c in components.values()),
        components=components,
        project_ids={ref: c["project_id"] for ref, c in counts.items()},
    )


def _scope(unit: Unit, target: str | None):  # type: ignore[no-untyped-def]
    """A filter for a table with project_id and component_id columns."""
    if target is None:
        return lambda table: ()
    if "/" in target:
        component_id = lookup.component(unit.reader, target).id
        return lambda table: (table.c.component_id == component_id,)
    project_id = lookup.project(unit.reader, target).id
    return lambda table: (table.c.project_id == project_id,)


def _counts(unit: Unit, old_profiles: Any, settled_alerts: Any) -> dict[str, dict[str, int]]:
    """component ref -> its id, project id, and how many profiles and alerts match."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"profiles": 0, "alerts": 0})
    for table, condition, name in (
        (schema.profiles, old_profiles, "profiles"),
        (schema.alerts, settled_alerts, "alerts"),
    ):
        c, p = schema.components, schema.projects
        rows = unit.conn.execute(
            select(p.c.key, c.c.code, c.c.id, c.c.project_id, func.count())
            .select_from(table.join(c, c.c.id == table.c.component_id).join(p, p.c.id == c.c.project_id))
            .where(condition)
            .group_by(p.c.key, c.c.code, c.c.id, c.c.project_id)
        ).all()
        for key, code, component_id, project_id, n in rows:
            entry = out[f"{key}/{code}"]
            entry.update(component_id=component_id, project_id=project_id)
            entry[name] = int(n)
    return dict(out)


def _record(unit: Unit, report: PruneReport) -> None:
    """One event per project that lost rows, with the counts per component."""
    by_project: dict[int, dict[str, dict[str, int]]] = defaultdict(dict)
    for ref, c in report.components.items():
        by_project[report.project_ids[ref]][ref] = c
    when = inputs.now()
    for project_id, components in sorted(by_project.items()):
        unit.append_event(
            project_id=project_id,
            kind=EVENT,
            at=when,
            reason=f"monitoring data older than {report.older_than} ({report.cutoff.date().isoformat()})",
            data={
                "older_than": report.older_than,
                "cutoff": report.cutoff.isoformat(),
                "profiles": sum(c["profiles"] for c in components.values()),
                "alerts": sum(c["alerts"] for c in components.values()),
                "components": components,
            },
        )
