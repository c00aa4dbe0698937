"""The retention part of the :class:`~mltrl.service.registry.Registry` API (``mltrl monitor prune``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mltrl.service import retention
from mltrl.service.retention import PruneReport


class RetentionAPI:
    """Delete monitoring data a registry no longer needs; never references or open alerts."""

    _write: Any

    def prune_monitoring(
        self,
        older_than: str,
        target: str | None = None,
        *,
        dry_run: bool = False,
        now: datetime | None = None,
    ) -> PruneReport:
        """Delete window profiles whose window ended, and acknowledged alerts no review names raised,
        more than ``older_than`` (``400d``, ``52w``) before ``now``; in the whole registry, a project
        (``KEY``) or a component (``KEY/CODE``). ``dry_run`` counts without deleting. Each project
        that lost rows gets a ``monitor.prune`` event with the counts."""
        return self._write(retention.prune, older_than, target=target, dry_run=dry_run, now=now)
