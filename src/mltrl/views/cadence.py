"""Recurring reviews of deployed components: when each is next due, and which are overdue.

The paper: level 9 is reviewed again on a regular cadence, not graduated. The organisation sets the
cadence (``settings.review_every_days``) and a component can have its own (``mltrl component cadence``,
recorded as an event). A deployed component is due ``cadence`` days after the later of reaching
level 9 and its last decided level-9 review.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mltrl.store.reader import Reader, as_utc

CADENCE_EVENT = "component.cadence"


@dataclass(frozen=True)
class ReviewDue:
    ref: str
    name: str
    every_days: int
    since: datetime  # reached level 9, or its last level-9 review was decided
    last_review: int | None
    due_at: datetime
    overdue: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "component": self.ref,
            "name": self.name,
            "every_days": self.every_days,
            "since": self.since.isoformat(),
            "last_review": self.last_review,
            "due_at": self.due_at.isoformat(),
            "overdue": self.overdue,
        }


def schedule(r: Reader, default_days: int, now: datetime, project_key: str | None = None) -> list[ReviewDue]:
    """Every active deployed component (of the project, or of all), soonest due first."""
    where = "c.level = 9 AND c.status = 'active'" + (" AND p.key = :key" if project_key else "")
    params: dict[str, Any] = {"key": project_key} if project_key else {}
    deployed = r.all(
        f"""SELECT c.id, p.key || '/' || c.code AS ref, c.name FROM components c
            JOIN projects p ON p.id = c.project_id WHERE {where}""",
        **params,
    )
    if not deployed:
        return []
    ids = ", ".join(str(int(row["id"])) for row in deployed)
    arrived = {
        row["component_id"]: as_utc(row["at"])
        for row in r.all(
            f"""SELECT component_id, MAX(at) AS at FROM events
                WHERE component_id IN ({ids}) AND seq IS NOT NULL AND to_level = 9
                  AND kind IN ('initiate', 'fork', 'graduate', 'import', 'enter') GROUP BY component_id"""
        )
    }
    reviewed: dict[int, tuple[int, datetime]] = {}
    for row in r.all(
        f"""SELECT component_id, id, decided_at FROM reviews
            WHERE component_id IN ({ids}) AND level = 9 AND status = 'decided' ORDER BY decided_at, id"""
    ):
        reviewed[row["component_id"]] = (row["id"], as_utc(row["decided_at"]))
    cadences: dict[int, int] = {}
    for row in r.all(
        f"SELECT component_id, data FROM events WHERE component_id IN ({ids}) AND kind = '{CADENCE_EVENT}' "
        "ORDER BY at, id"
    ):
        data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
        cadences[row["component_id"]] = int(data["days"])
    out = []
    for row in deployed:
        cid = row["id"]
        review_id, decided = reviewed.get(cid, (None, None))
        reached = arrived.get(cid)
        since = max((t for t in (reached, decided) if t is not None), default=now)
        every = cadences.get(cid, default_days)
        due = since + timedelta(days=every)
        last = review_id if decided is not None and (reached is None or decided >= reached) else None
        out.append(ReviewDue(row["ref"], row["name"], every, since, last, due, due < now))
    return sorted(out, key=lambda d: (d.due_at, d.ref))
