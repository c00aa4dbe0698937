"""Webhook delivery against a real local HTTP server: a payload chat tools display, bounded retries
with back-off, and an HMAC-SHA256 signature receivers can verify (issue 14, item 5)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from mltrl.service.inputs import redact_url
from mltrl.service.registry import Registry
from mltrl.service.webhooks import ENV_SECRET, SIGNATURE_HEADER


@dataclass
class Receiver:
    """A webhook receiver answering with the given statuses in turn (then 200 for ever)."""

    url: str = ""
    answers: list[int] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    gets: list[str] = field(default_factory=list)  # paths asked for with GET (a followed redirect)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            state.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            state.headers.append(dict(self.headers))
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            if status == 429:
                self.send_header("Retry-After", "0")
            if 300 <= status < 400:  # sent back to itself, as a bounce elsewhere would be
                self.send_header("Location", state.url + "/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def do_GET(self) -> None:
            state.gets.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/services/T0/B0/secret-part"
    yield state
    server.shutdown()


@pytest.fixture
def alert(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.delenv(ENV_SECRET, raising=False)
    registry.projects.create("svc", "Scoring service")
    registry.components.add("svc/1", "Scorer", kind="model", level=0)
    return registry.alerts.create("svc/1", "drift", "drift in <!channel> & the score", {"columns": ["score"]})


def test_a_receiver_that_fails_twice_gets_the_alert_on_the_third_attempt(
    registry: Registry, alert: int, receiver: Receiver
) -> None:
    receiver.answers = [503, 502]
    outcome = registry.alerts.send(alert, receiver.url)
    assert outcome == f"sent to {redact_url(receiver.url)}: HTTP 200 (attempt 3 of 4)"
    assert len(receiver.bodies) == 3 and len(set(receiver.bodies)) == 1  # the same body each time
    assert registry.alerts.get(alert)["webhook"] == outcome
    assert "secret-part" not in outcome


def test_a_redirect_is_not_followed_and_the_alert_is_not_delivered(
    registry: Registry, alert: int, receiver: Receiver
) -> None:
    receiver.answers = [302]
    outcome = registry.alerts.send(alert, receiver.url)
    assert outcome == (
        f"not delivered to {redact_url(receiver.url)}: HTTP 302, a redirect (webhooks do not follow "
        "redirects) (after 1 attempt)"
    )
    assert len(receiver.bodies) == 1 and receiver.gets == []  # nothing went where it pointed


def test_retries_are_bounded_and_a_refusal_is_not_retried(
    registry: Registry, alert: int, receiver: Receiver
) -> None:
    receiver.answers = [500] * 10
    outcome = registry.alerts.send(alert, receiver.url)
    assert outcome == f"not delivered to {redact_url(receiver.url)}: HTTP 500 (after 4 attempts)"
    assert len(receiver.bodies) == 4
    receiver.answers, receiver.bodies = [400], []
    assert registry.alerts.send(alert, receiver.url).endswith("HTTP 400 (after 1 attempt)")
    assert len(receiver.bodies) == 1  # a 4xx will not change by asking again
    receiver.answers, receiver.bodies = [429], []
    assert registry.alerts.send(alert, receiver.url).endswith("HTTP 200 (attempt 2 of 4)")  # Retry-After: 0


def test_the_payload_carries_a_text_line_for_slack_and_teams(
    registry: Registry, alert: int, receiver: Receiver
) -> None:
    registry.alerts.send(alert, receiver.url)
    body = json.loads(receiver.bodies[0])
    assert body["text"] == (
        f"mltrl drift alert {alert} on svc/1 (level 0): drift in &lt;!channel&gt; &amp; the score"
    )  # no @channel ping smuggled in through the message: Slack reads <...> as mentions and links
    assert body["message"] == "drift in <!channel> & the score"  # the structured fields stay as stored
    assert body["id"] == alert and body["component"] == "svc/1" and body["columns"] == ["score"]


def test_a_signed_delivery_verifies_with_the_shared_secret(
    registry: Registry, alert: int, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry.alerts.send(alert, receiver.url)
    assert SIGNATURE_HEADER not in receiver.headers[0]  # no secret, no signature
    monkeypatch.setenv(ENV_SECRET, "s3cret")
    outcome = registry.alerts.send(alert, receiver.url)
    assert outcome.endswith("HTTP 200 (signed)")
    body, header = receiver.bodies[1], receiver.headers[1][SIGNATURE_HEADER]
    # What docs/monitoring.md tells a receiver to do:
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(header, expected)
    assert not hmac.compare_digest(header, "sha256=" + hmac.new(b"guess", body, hashlib.sha256).hexdigest())
