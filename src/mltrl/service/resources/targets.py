"""``reg.targets``: readiness targets by date (``mltrl target``; ``/projects/{key}/targets``)."""

from __future__ import annotations

from datetime import datetime

from mltrl.analytics.targets import TargetStatus, target_statuses
from mltrl.service import inputs, lookup, targets
from mltrl.service.resources._base import Resource
from mltrl.store.reader import Reader


class Targets(Resource):
    """Readiness targets (OKRs): a component reaches a level by a date."""

    def add(self, ref: str, level: int | str, by: str, *, note: str = "") -> int:
        """A readiness target: ``ref`` reaches ``level`` by the date ``by`` (YYYY-MM-DD); returns its id."""
        return self._write(targets.add, ref, level, by, note=note)

    def remove(self, target_id: int, *, reason: str) -> None:
        """Drop a target, saying why (the log keeps it)."""
        self._write(targets.remove, target_id, reason=reason)

    def list(self, target: str | None = None, *, now: datetime | None = None) -> list[TargetStatus]:
        """Targets of a project (``KEY``), a component (``KEY/CODE``) or all: met, late, on track, at risk."""

        def view(r: Reader) -> list[TargetStatus]:
            moment = now or inputs.now()
            if target is None:
                return target_statuses(r, moment)
            if "/" in target:
                return target_statuses(r, moment, component_id=lookup.component(r, target).id)
            return target_statuses(r, moment, project_key=lookup.project(r, target).key)

        return self._read(view)
