"""``reg.alerts``: ``/projects/{key}/alerts`` and their acknowledgement."""

from __future__ import annotations

from typing import Any

from mltrl.errors import NotFound
from mltrl.service import lookup
from mltrl.service.resources import _monitor_checks as checks
from mltrl.service.resources._base import Resource


class Alerts(Resource):
    """Alerts: stored with the component, visible in ``status``, sent to webhooks, brought before
    reviews, acknowledged by name."""

    def get(self, alert_id: int) -> dict[str, Any]:
        """One alert with its data, review and delivery (``NotFound`` when there is none)."""
        from mltrl.store import alert_queries

        row = self._read(lambda r: alert_queries.alert(r, int(alert_id)))
        if row is None:
            raise NotFound(f"no alert {alert_id}")
        return row  # type: ignore[no-any-return]

    def create(
        self,
        ref: str,
        kind: str,
        message: str,
        data: dict[str, Any] | None = None,
        *,
        window: str | None = None,
    ) -> int:
        """Raise an alert (drift, skew, data-quality, performance) on a component; returns its id.

        With a ``window``, the same finding (kind and ``data["columns"]``) about the same window is
        stored once: a repeat returns the earlier alert's id."""
        from mltrl.service import alerts

        return self._write(alerts.raise_alert, ref, kind, message, data or {}, window)[0]

    def review(self, alert_id: int) -> dict[str, Any]:
        """Bring an alert before a review of its component: joins the open review or opens one
        (on a level-9 component, the deployment review that keeps it or switches it back)."""
        from mltrl.service import alerts

        return self._write(alerts.review, self.catalog, int(alert_id))

    def route(
        self, alert_id: int, *, webhook: str | None = None, open_review: bool = False
    ) -> dict[str, Any]:
        """Bring an alert before a review unless it is before one, then send it to ``webhook``
        unless it was delivered there already; returns the alert's id, kind, message, review and
        delivery."""
        with self._reg.transaction():
            routed = checks.before_review(self._reg, alert_id, None, open_review)
        routed.pop("new")
        return checks.deliver(self._reg, [routed], webhook)[0]

    def send(self, alert_id: int, webhook: str) -> str:
        """POST the stored alert as JSON to ``webhook`` (retried, signed with ``$MLTRL_WEBHOOK_SECRET``,
        with a ``text`` line for Slack and Teams); the delivery outcome is recorded on it."""
        from mltrl.service import alerts

        row = self.get(alert_id)
        delivery = alerts.send(webhook, row)
        self._write(alerts.record_delivery, row["id"], delivery)
        return delivery

    def acknowledge(self, alert_id: int, note: str = "") -> None:
        """Acknowledge by name (``POST /projects/{key}/alerts/{id}/acknowledgement``)."""
        from mltrl.service import alerts

        self._write(alerts.acknowledge, int(alert_id), note)

    def list(self, target: str | None = None, *, open_only: bool = False) -> list[dict[str, Any]]:
        """Alerts of a project (``KEY``), a component (``KEY/CODE``) or all
        (``GET /projects/{key}/alerts``)."""
        from mltrl.store import alert_queries

        def view(r):  # type: ignore[no-untyped-def]
            if target is None:
                return alert_queries.alerts(r, open_only=open_only)
            if "/" in target:
                return alert_queries.alerts(
                    r, component_id=lookup.component(r, target).id, open_only=open_only
                )
            return alert_queries.alerts(r, project_key=lookup.project(r, target).key, open_only=open_only)

        return self._read(view)
