"""``reg.audit``: ``GET /audit`` (``mltrl audit``) and the check of the event chain
(``mltrl audit verify``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mltrl.service.resources._base import Resource


class Audit(Resource):
    """Who did what, when, from where; and whether the log is intact."""

    def list(
        self,
        *,
        project: str | None = None,
        user: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after: int = 0,
        limit: int = 10_000,
    ) -> list[dict[str, Any]]:
        """The event log as audit entries (``GET /audit``, ``mltrl audit --json``)."""
        from mltrl.views.audit import entries

        return self._read(
            entries, project=project, user=user, since=since, until=until, after=after, limit=limit
        )

    def verify(self) -> Any:
        """The event chain, signatures and decisions checked (``mltrl audit verify``)."""
        from mltrl.views.integrity import check

        return self._read(check)
