"""Tell people when a review needs them, by webhook (Slack-compatible JSON: ``text`` says it all).

Set ``$MLTRL_NOTIFY_WEBHOOK`` to an incoming-webhook URL (Slack, Microsoft Teams, Mattermost, or any
receiver of JSON). Delivery reuses the alerts' sender (:mod:`mltrl.service.webhooks`): retries on a
busy receiver, ``X-Mltrl-Signature`` when ``$MLTRL_WEBHOOK_SECRET`` is set. It runs after the
answer was sent, so a slow receiver never holds a page; the outcome goes to the server log.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any

from mltrl.service import webhooks
from mltrl.store.records import ReviewRecord

ENV_NOTIFY = "MLTRL_NOTIFY_WEBHOOK"
log = logging.getLogger("mltrl.server.notify")


def panel_seat(base_url: str, review: ReviewRecord, person: str, role: str) -> None:
    """``person`` was put on the panel of ``review``: it waits for their signature."""
    _send(base_url, review, "sign", [person], f"{person} is asked to sign it as {role}")


def ready_to_decide(base_url: str, review: ReviewRecord, people: list[str]) -> None:
    """Every signature is in and nothing blocks the gate: it waits for someone who decides."""
    _send(
        base_url,
        review,
        "decide",
        people,
        f"it is ready for a decision by {', '.join(people) or 'an approver'}",
    )


def payload(base_url: str, review: ReviewRecord, need: str, people: list[str], what: str) -> dict[str, Any]:
    url = f"{base_url.rstrip('/')}/projects/{review.project_key}/reviews/{review.id}"
    line = f"mltrl: review {review.id} of {review.ref} (level {review.level}) needs you: {what}. {url}"
    return {
        # Slack reads <...> and & as markup: escaped, so names show as typed.
        "text": line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        "review": review.id,
        "component": review.ref,
        "level": review.level,
        "needs": need,
        "people": people,
        "url": url,
        "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _send(base_url: str, review: ReviewRecord, need: str, people: list[str], what: str) -> None:
    url = os.environ.get(ENV_NOTIFY, "")
    if not url:
        return
    outcome = webhooks.send(url, payload(base_url, review, need, people, what))
    log.info("review %s: %s", review.id, outcome)
