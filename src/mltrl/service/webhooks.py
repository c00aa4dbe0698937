"""Delivering an alert to a webhook: a payload chat tools display, retries, and a signature.

- **Payload.** The alert's fields (``id``, ``component``, ``level``, ``kind``, ``message``,
  ``review_id``, ``columns``, ``window``, ``sent_at``) plus ``text``: one line saying it all, which
  is what Slack's and Microsoft Teams' incoming webhooks display (they ignore the other fields).
- **Retries.** A receiver that is down or overloaded (no connection, a timeout, HTTP 408, 429 or
  5xx) is tried again after 0.5 s, 1 s and 2 s (at most four attempts; a ``Retry-After`` of up to
  10 s is honoured instead). Any other answer is final: a 4xx will not change by asking again.
- **Signature.** With ``$MLTRL_WEBHOOK_SECRET`` set, every request carries
  ``X-Mltrl-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body bytes under that secret,
  so a receiver can check the alert came from someone holding the secret (``sent_at`` in the
  signed body lets it refuse old replays).

Nothing here raises: the outcome is returned as one line, stored on the alert and printed, with
the URL redacted (its secret is never stored nor shown).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from mltrl.service.inputs import redact_url

ENV_SECRET = "MLTRL_WEBHOOK_SECRET"
SIGNATURE_HEADER = "X-Mltrl-Signature"
TIMEOUT_S = 5
#: The first attempt and up to three retries.
ATTEMPTS = 4
#: Seconds before the first retry, doubled before each next one.
BACKOFF_S = 0.5
#: The longest ``Retry-After`` honoured; a receiver asking for more gets the usual back-off.
RETRY_AFTER_CAP_S = 10.0
#: Answers worth asking again: the receiver is busy or broken for now, not refusing this request.
RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})


def payload(alert: dict[str, Any]) -> dict[str, Any]:
    """The JSON body for a stored alert (as :func:`mltrl.store.alert_queries.alert` reads it)."""
    body = {key: alert[key] for key in ("id", "component", "level", "kind", "message", "review_id")}
    body["columns"] = alert["data"].get("columns", [])
    body["window"] = alert["data"].get("window", alert.get("window"))
    body["sent_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    body["text"] = _text(body)
    return body


def _text(body: dict[str, Any]) -> str:
    """One plain line for people: no markup, so Slack and Teams show the same words."""
    window = f", window {body['window']}" if body.get("window") else ""
    review = f" Before review {body['review_id']}." if body.get("review_id") is not None else ""
    line = (
        f"mltrl {body['kind']} alert {body['id']} on {body['component']} (level {body['level']}{window}): "
        f"{' '.join(str(body['message']).split())}{review}"
    )
    # Slack reads <...> as links and mentions (<!channel>) and & as an entity: escape all three.
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def signature(body: bytes, secret: str) -> str:
    """The ``X-Mltrl-Signature`` value: ``sha256=`` and the hex HMAC-SHA256 of ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send(
    url: str,
    body: dict[str, Any],
    *,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF_S,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """POST ``body`` as JSON, retrying what is worth retrying; returns what happened (never raises)."""
    shown = redact_url(url)  # the outcome is stored and printed: never the URL's secret
    if not url.startswith(("http://", "https://")):
        return f"not sent: {shown} is not an http(s) URL"
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "mltrl"}
    secret = os.environ.get(ENV_SECRET, "")
    if secret:
        headers[SIGNATURE_HEADER] = signature(data, secret)
    problem, wait = "", backoff
    for attempt in range(1, attempts + 1):
        status, problem, retry_after = _post(url, data, headers, shown)
        if status is not None and 200 <= status < 300:
            notes = [f"attempt {attempt} of {attempts}"] * (attempt > 1) + ["signed"] * bool(secret)
            return f"sent to {shown}: HTTP {status}" + (f" ({'; '.join(notes)})" if notes else "")
        if attempt == attempts or (status is not None and status not in RETRYABLE):
            break
        sleep(retry_after if retry_after is not None else wait)
        wait *= 2
    return f"not delivered to {shown}: {problem} (after {attempt} attempt{'s' if attempt > 1 else ''})"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook goes to the URL it was given and nowhere else: a receiver that redirects has not
    taken it, and cannot bounce the sender (a team server) into a request to an address it chose."""

    def redirect_request(self, *_: Any) -> None:
        return None  # urllib then raises the 3xx as an HTTPError


_OPENER = urllib.request.build_opener(_NoRedirects)


def _post(url: str, data: bytes, headers: dict[str, str], shown: str) -> tuple[int | None, str, float | None]:
    """(HTTP status or None, what went wrong, the receiver's Retry-After in seconds if usable)."""
    request = urllib.request.Request(url, data=data, method="POST", headers=headers)
    try:
        with _OPENER.open(request, timeout=TIMEOUT_S) as response:
            return response.status, "", None
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            return exc.code, f"HTTP {exc.code}, a redirect (webhooks do not follow redirects)", None
        return exc.code, f"HTTP {exc.code}", _retry_after(exc.headers.get("Retry-After"))
    except (urllib.error.URLError, ValueError, OSError) as exc:
        return None, str(getattr(exc, "reason", exc)).replace(url, shown), None


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (the delay-seconds form), when within the cap."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    if seconds is None or not 0 <= seconds <= RETRY_AFTER_CAP_S:
        return None
    return seconds
