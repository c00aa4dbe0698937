"""Readiness targets ("component reaches level N by date") judged against the log and a forecast.

A target is *met* when the component first stood at level N or above on or before the due date
(*met late* after it), *late* when the date has passed without it, and otherwise *on track* or *at
risk* by a forecast: the organisation's own median time per level (``report``), summed over the
levels still to climb, less the time already spent at the current one. The forecast carries the
range the lower and upper quartiles of those stays give, and is *insufficient* (no verdict) while a
level on the way has fewer than ``MIN_STAYS`` completed stays to learn from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from mltrl.analytics.report import DAY_S, Report, build_report
from mltrl.store import target_queries
from mltrl.store.reader import Reader, as_utc

#: Completed stays a level needs before its median says anything about the next component.
MIN_STAYS = 3


@dataclass(frozen=True)
class Target:
    id: int
    ref: str
    level: int
    due: date
    note: str
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class TargetStatus:
    target: Target
    state: str  # met | met late | late | on track | at risk | insufficient data
    current_level: int
    reached_at: datetime | None = None
    forecast: date | None = None  # median forecast of the day the level is reached
    forecast_range: tuple[date, date] | None = None  # from the quartiles of the organisation's stays
    reason: str = ""

    @property
    def describe(self) -> str:
        t = self.target
        text = f"L{t.level} by {t.due.isoformat()}: {self.state}"
        if self.forecast is not None and self.forecast_range is not None:
            low, high = self.forecast_range
            text += f" (forecast {self.forecast.isoformat()}, likely {low.isoformat()} to {high.isoformat()})"
        elif self.reason:
            text += f" ({self.reason})"
        return text

    def to_json(self) -> dict[str, Any]:
        t = self.target
        return {
            "id": t.id,
            "component": t.ref,
            "level": t.level,
            "due": t.due.isoformat(),
            "note": t.note,
            "state": self.state,
            "current_level": self.current_level,
            "reached_at": self.reached_at.isoformat() if self.reached_at else None,
            "forecast": self.forecast.isoformat() if self.forecast else None,
            "forecast_range": [d.isoformat() for d in self.forecast_range] if self.forecast_range else None,
            "reason": self.reason,
            "describe": self.describe,
        }


def judge(
    target: Target,
    *,
    current_level: int,
    status: str,
    reached_at: datetime | None,
    current_stay_days: float,
    report: Report,
    now: datetime,
) -> TargetStatus:
    """The state of one target; ``reached_at`` is when the component first stood at its level."""
    deadline = datetime.combine(target.due, time.max, tzinfo=UTC)
    if reached_at is not None:
        state = "met" if reached_at <= deadline else "met late"
        return TargetStatus(target, state, current_level, reached_at=reached_at)
    if now > deadline:
        return TargetStatus(target, "late", current_level, reason=f"still at level {current_level}")
    if status != "active":
        return TargetStatus(target, "at risk", current_level, reason=f"the component is {status}")
    levels = range(current_level, target.level)
    thin = [n for n in levels if report.completed_stays_per_level.get(n, 0) < MIN_STAYS]
    if thin:
        stays = ", ".join(f"L{n} has {report.completed_stays_per_level.get(n, 0)}" for n in thin)
        return TargetStatus(
            target,
            "insufficient data",
            current_level,
            reason=f"too few completed stays to forecast ({stays}; {MIN_STAYS} needed)",
        )

    def remaining(days_per_level: dict[int, float]) -> float:
        first, *rest = levels
        return max(0.0, days_per_level[first] - current_stay_days) + sum(days_per_level[n] for n in rest)

    medians = report.median_days_per_level
    quartiles = report.quartile_days_per_level
    forecast = (now + timedelta(days=remaining(medians))).date()
    low = (now + timedelta(days=remaining({n: quartiles[n][0] for n in levels}))).date()
    high = (now + timedelta(days=remaining({n: quartiles[n][1] for n in levels}))).date()
    state = "on track" if forecast <= target.due else "at risk"
    return TargetStatus(target, state, current_level, forecast=forecast, forecast_range=(low, high))


def target_statuses(
    r: Reader,
    now: datetime,
    *,
    project_key: str | None = None,
    component_id: int | None = None,
    organisation: Report | None = None,
) -> list[TargetStatus]:
    """Every target (of a project or component, or all), judged now; no log scan when there are none.

    ``organisation``: an organisation-wide report already built for ``now``, to reuse its medians.
    """
    rows = target_queries.targets(r, project_key=project_key, component_id=component_id)
    if not rows:
        return []
    # The organisation's own pace, whatever the target's project.
    report = (
        organisation if organisation is not None and organisation.project is None else build_report(r, now)
    )
    stays = {(c.project, c.code): c.current_stay_s / DAY_S for c in report.components}
    reached = target_queries.first_reached(r, [row["component_id"] for row in rows])
    out = []
    for row in rows:
        target = Target(
            id=row["id"],
            ref=f"{row['project_key']}/{row['code']}",
            level=row["level"],
            due=date.fromisoformat(row["due"]),
            note=row["note"],
            created_at=as_utc(row["created_at"]),
            created_by=row["created_by"],
        )
        out.append(
            judge(
                target,
                current_level=row["current_level"],
                status=row["status"],
                reached_at=reached.get((row["component_id"], row["level"])),
                current_stay_days=stays.get((row["project_key"], row["code"]), 0.0),
                report=report,
                now=now,
            )
        )
    return out
