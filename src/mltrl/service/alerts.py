"""Monitoring alerts: stored with the component, optionally sent to a webhook, acknowledged by people.

A webhook that cannot be reached never loses the alert: the alert is stored first and the delivery
outcome is recorded on it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, update

from mltrl.catalog import Catalog
from mltrl.errors import BadInput, NotFound
from mltrl.service import inputs, lookup, reviews
from mltrl.service._store import Unit
from mltrl.store import alert_queries, locks, review_queries, schema

KINDS = ("drift", "skew", "data-quality", "performance")


def raise_alert(
    unit: Unit, ref: str, kind: str, message: str, data: dict[str, Any], window: str | None = None
) -> tuple[int, bool]:
    """Store an alert: (its id, True); or, when the same finding about the same window was
    alerted before (same kind, same columns; acknowledged or not): (that alert's id, False).
    A check that cron runs hourly on today's window so alerts once per finding, not once per run."""
    if kind not in KINDS:
        raise BadInput(f"alert kind {kind!r} is not one of {', '.join(KINDS)}")
    component = lookup.component(unit.reader, ref)
    # Two checks of one window at once: the second waits here for the first to commit, then finds
    # its alert below instead of raising the same finding again.
    locks.lock_row(unit.conn, schema.components, component.id)
    if window is not None:
        earlier = alert_queries.same_finding(unit.reader, component.id, kind, window, data.get("columns", []))
        if earlier is not None:
            return earlier, False
    when = inputs.now()
    alert_id = unit.conn.execute(
        insert(schema.alerts).values(
            project_id=component.project_id,
            component_id=component.id,
            kind=kind,
            message=inputs.text(message, "alert message", required=True, limit=4000),
            data=data,
            created_at=when,
            created_by=unit.actor,
            window_label=window,
        )
    ).inserted_primary_key[0]
    unit.append_event(
        project_id=component.project_id,
        component_id=component.id,
        kind="alert.raise",
        at=when,
        reason=message,
        data={"alert": alert_id, "kind": kind, "level": component.level},
    )
    return alert_id, True


def acknowledge(unit: Unit, alert_id: int, note: str = "") -> None:
    row = unit.reader.one("SELECT project_id, component_id FROM alerts WHERE id = :id", id=alert_id)
    if row is None:
        raise NotFound(f"no alert {alert_id}")
    when = inputs.now()
    # Only an unacknowledged alert is updated, in one statement: of two people acknowledging it at
    # once, the second's update finds it acknowledged and changes nothing.
    table = schema.alerts
    acknowledged = unit.conn.execute(
        update(table)
        .where(table.c.id == alert_id, table.c.acknowledged_at.is_(None))
        .values(acknowledged_at=when, acknowledged_by=unit.actor)
    ).rowcount
    if not acknowledged:
        raise BadInput(f"alert {alert_id} was already acknowledged")
    unit.append_event(
        project_id=row["project_id"],
        component_id=row["component_id"],
        kind="alert.acknowledge",
        at=when,
        reason=inputs.text(note, "note", limit=4000),
        data={"alert": alert_id},
    )


def review(unit: Unit, catalog: Catalog, alert_id: int) -> dict[str, Any]:
    """Bring an alert before a review of its component: join the open review, or open one.

    On a deployed (level-9) component this opens the recurring deployment review, whose decision
    is to keep the component or switch it back; the alert stays linked to that review.
    """
    row = alert_queries.alert(unit.reader, alert_id)
    if row is None:
        raise NotFound(f"no alert {alert_id}")
    # Serialise with other reviews of this component's alerts (and with opening its review), then
    # read the alert again as it stands now.
    locks.lock_row(unit.conn, schema.components, row["component_id"])
    row = alert_queries.alert(unit.reader, alert_id)
    if row["review_id"] is not None:
        raise BadInput(f"alert {alert_id} is already before review {row['review_id']}")
    existing = review_queries.open_review(unit.reader, row["component_id"])
    record = existing if existing is not None else reviews.open_review(unit, catalog, row["component"])
    unit.conn.execute(update(schema.alerts).where(schema.alerts.c.id == alert_id).values(review_id=record.id))
    unit.append_event(
        project_id=record.project_id,
        component_id=record.component_id,
        kind="alert.review",
        at=inputs.now(),
        reason=row["message"],
        data={"alert": alert_id, "review": record.id, "opened": existing is None},
    )
    return {"alert": alert_id, "review": record.id, "level": record.level, "opened": existing is None}


def send(url: str, alert: dict[str, Any]) -> str:
    """Deliver a stored alert to a webhook (see :mod:`mltrl.service.webhooks`: the payload, retries
    and signature); returns what happened, for the record (never raises)."""
    from mltrl.service import webhooks

    return webhooks.send(url, webhooks.payload(alert))


def was_sent_to(outcome: str | None, url: str) -> bool:
    """Whether a recorded delivery outcome (from :func:`send`) says the alert reached ``url``."""
    return outcome is not None and outcome.startswith(f"sent to {inputs.redact_url(url)}:")


def record_delivery(unit: Unit, alert_id: int, outcome: str) -> None:
    unit.conn.execute(update(schema.alerts).where(schema.alerts.c.id == alert_id).values(webhook=outcome))
