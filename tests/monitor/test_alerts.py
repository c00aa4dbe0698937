"""Drift checks raise alerts: stored, shown in status, sent to a real webhook, and fed to the gate."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pandas as pd
import pytest

from mltrl.cli import main
from mltrl.errors import BadInput
from mltrl.service.inputs import redact_url
from mltrl.service.registry import Registry


def frame(seed: int, shift: float = 0.0, n: int = 20_000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"score": rng.normal(shift, 1, n), "channel": rng.choice(["web", "app"], n)})


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("svc", "Scoring service")
    registry.components.add("svc/1", "Scorer", kind="model", level=9, reason="work done before the registry")
    registry.monitor.set_reference("svc/1", frame(1))
    return registry


def test_drift_raises_an_alert_sends_it_and_fails_the_monitoring_evidence(reg: Registry, webhook) -> None:  # type: ignore[no-untyped-def]
    url, received = webhook
    reg.monitor.log("svc/1", frame(2))
    calm = reg.monitor.check("svc/1", webhook=url)
    assert calm["alerts"] == [] and received == []
    assert {c.id: c.status for c in reg.components.gate("svc/1", 9).criteria}["L9.monitoring-drift"] == "met"
    reg.monitor.log("svc/1", frame(3, shift=0.6), window="hour")
    outcome = reg.monitor.check("svc/1", webhook=url)
    assert outcome["drift"]["drifted_columns"] == ["score"] and outcome["quality"]["issues"] == []
    (alert,) = outcome["alerts"]
    alert_id = alert["id"]
    assert (
        alert["new"]
        and alert["kind"] == "drift"
        and alert["webhook"] == f"sent to {redact_url(url)}: HTTP 204"
    )
    (body,) = received  # with a line for Slack and Teams to show, and when it was sent
    window = outcome["window"]
    assert body.pop("text") == f"mltrl drift alert {alert_id} on svc/1 (level 9, window {window}): " + (
        f"drift in window {window}: score"
    )
    assert datetime.fromisoformat(body.pop("sent_at")).tzinfo is not None
    assert received == [
        {
            "id": alert_id,
            "component": "svc/1",
            "level": 9,
            "kind": "drift",
            "message": f"drift in window {outcome['window']}: score",
            "review_id": None,
            "columns": ["score"],
            "window": outcome["window"],
        }
    ]
    (alert,) = reg.alerts.list("svc/1", open_only=True)
    assert alert["level"] == 9 and "HTTP 204" in alert["webhook"]
    assert reg.status("svc").roots[0].open_alerts == 1  # visible to everyone who looks at the project
    assert {c.id: c.status for c in reg.components.gate("svc/1", 9).criteria}[
        "L9.monitoring-drift"
    ] == "unmet"
    reg.alerts.acknowledge(alert["id"], "retraining scheduled")
    assert reg.alerts.list("svc/1", open_only=True) == [] and reg.status("svc").roots[0].open_alerts == 0
    with pytest.raises(BadInput, match="already acknowledged"):
        reg.alerts.acknowledge(alert["id"])


def test_an_unreachable_webhook_never_loses_the_alert_and_it_can_be_sent_again(
    reg: Registry, webhook, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    reg.monitor.log("svc/1", frame(3, shift=0.6))
    outcome = reg.monitor.check("svc/1", webhook="http://127.0.0.1:9/nowhere")
    assert outcome["alerts"][0]["webhook"].startswith("not delivered")
    (alert,) = reg.alerts.list("svc/1")
    assert alert["webhook"].startswith("not delivered")
    url, received = webhook
    assert main(["--db", db_url, "monitor", "send", str(alert["id"]), "--webhook", url]) == 0
    assert "HTTP 204" in capsys.readouterr().out
    assert [r["id"] for r in received] == [alert["id"]] and "HTTP 204" in reg.alerts.list("svc/1")[0][
        "webhook"
    ]


def test_a_check_run_again_on_the_same_window_does_not_repeat_its_alert(
    reg: Registry, webhook, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """cron runs the check hourly on today's window: one alert per finding, sent once."""
    url, received = webhook
    reg.monitor.log("svc/1", frame(8, shift=0.6), at="2026-11-20T09:00:00Z")
    first = reg.monitor.check("svc/1", webhook=url)
    reg.monitor.log("svc/1", frame(9, shift=0.6), at="2026-11-20T10:00:00Z")  # the same day's window
    assert main(["--db", db_url, "monitor", "check", "svc/1", "--webhook", url]) == 1
    out = capsys.readouterr().out
    assert f"alert {first['alerts'][0]['id']}" in out and "raised before" in out
    assert len(reg.alerts.list("svc/1")) == 1 and len(received) == 1
    # acknowledging it does not make the same finding alert again
    reg.alerts.acknowledge(first["alerts"][0]["id"], "looking into it")
    assert reg.monitor.check("svc/1")["alerts"][0]["new"] is False and len(reg.alerts.list("svc/1")) == 1
    # the next day's window is a new finding: a new alert, sent again
    reg.monitor.log("svc/1", frame(10, shift=0.6), window="day", at="2026-11-21T10:00:00Z")
    second = reg.monitor.check("svc/1", webhook=url)
    assert second["alerts"][0]["new"] and second["window"] == "2026-11-21" and len(received) == 2
    # evidence records every run: monitoring ran, and what it found
    monitoring = [e for e in reg.evidence.list("svc/1") if e.kind == "monitoring"]
    assert len(monitoring) == 4 and {e.outcome for e in monitoring} == {"fail"}


def test_cli_check_alerts_and_ack(reg: Registry, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    reg.monitor.log("svc/1", frame(4, shift=0.6))
    assert main(["--db", db_url, "monitor", "check", "svc/1"]) == 1
    assert "drift in window" in capsys.readouterr().err
    assert main(["--db", db_url, "monitor", "alerts", "svc", "--json"]) == 0
    (alert,) = json.loads(capsys.readouterr().out)["alerts"]
    assert main(["--db", db_url, "status", "svc"]) == 0
    assert "1 open alert(s)" in capsys.readouterr().out
    assert main(["--db", db_url, "monitor", "ack", str(alert["id"]), "--note", "known"]) == 0
    assert main(["--db", db_url, "monitor", "ack", "999"]) == 2
    assert "no alert 999" in capsys.readouterr().err


def test_an_alert_on_a_deployed_component_opens_its_review_and_later_alerts_join_it(
    reg: Registry, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    reg.monitor.log("svc/1", frame(5, shift=0.6))
    assert main(["--db", db_url, "monitor", "check", "svc/1", "--open-review"]) == 1
    out = capsys.readouterr().out
    (review,) = reg.reviews.list("svc/1")
    assert review.level == 9 and review.status == "open"
    assert f"before review {review.id}: mltrl review show {review.id}" in out
    # the review shows what brought it about, to the whole panel
    assert main(["--db", db_url, "review", "show", str(review.id)]) == 0
    shown = capsys.readouterr().out
    assert "Monitoring alerts before this review: 1" in shown and "drift in window" in shown
    assert main(["--db", db_url, "review", "show", str(review.id), "--json"]) == 0
    (linked,) = json.loads(capsys.readouterr().out)["context"]["alerts"]
    assert linked["kind"] == "drift" and linked["review_id"] == review.id
    # a skew found later joins the same open review instead of opening another
    skew_alert = reg.alerts.create("svc/1", "skew", "training-serving skew in score")
    assert main(["--db", db_url, "monitor", "review", str(skew_alert)]) == 0
    assert f"joined review {review.id}" in capsys.readouterr().out
    assert [a["review_id"] for a in reg.alerts.list("svc/1")] == [review.id, review.id]
    assert len(reg.reviews.list("svc/1")) == 1
    # refusals: one line, exit 2, nothing changed
    events = len(reg.history("svc/1"))
    assert main(["--db", db_url, "monitor", "review", str(skew_alert)]) == 2
    assert f"already before review {review.id}" in capsys.readouterr().err
    assert main(["--db", db_url, "monitor", "review", "4242"]) == 2
    assert "no alert 4242" in capsys.readouterr().err
    assert len(reg.history("svc/1")) == events


def test_monitor_status_shows_what_is_watched_and_what_is_open(
    reg: Registry, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    reg.components.add(
        "svc/2", "Ranker", kind="model", level=5, reason="work done before the registry"
    )  # not monitored: not listed
    reg.monitor.log("svc/1", frame(6), at="2026-11-20T10:00:00Z")
    reg.monitor.check("svc/1")
    assert main(["--db", db_url, "monitor", "status", "svc", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["components"]
    assert row["component"] == "svc/1" and row["level"] == 9 and row["references"] == ["default"]
    assert row["latest_window"] == "2026-11-20" and row["latest_window_rows"] == 20_000
    assert row["last_check"]["outcome"] == "pass" and row["open_alerts"] == []
    reg.monitor.log("svc/1", frame(7, shift=0.6), at="2026-11-21T10:00:00Z")
    assert main(["--db", db_url, "monitor", "check", "svc/1"]) == 1
    capsys.readouterr()
    assert main(["--db", db_url, "monitor", "status"]) == 0
    out = capsys.readouterr().out
    assert "2026-11-21" in out and "fail" in out and "drift in window 2026-11-21: score" in out
    assert main(["--db", db_url, "monitor", "status", "nope"]) == 2


def test_one_cron_line_checks_every_monitored_component_of_a_project(
    reg: Registry, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    reg.components.add("svc/2", "Ranker", kind="model", level=9, reason="work done before the registry")
    reg.components.add(
        "svc/3", "Not monitored", kind="model", level=9, reason="work done before the registry"
    )
    reg.monitor.set_reference("svc/2", frame(11))
    reg.monitor.log("svc/1", frame(12))
    reg.monitor.log("svc/2", frame(13, shift=0.6))
    assert main(["--db", db_url, "monitor", "check", "svc", "--json"]) == 1
    outcomes = {o["component"]: o for o in json.loads(capsys.readouterr().out)["components"]}
    assert set(outcomes) == {"svc/1", "svc/2"}
    assert outcomes["svc/1"]["alerts"] == [] and outcomes["svc/2"]["drift"]["drifted_columns"] == ["score"]
    assert main(["--db", db_url, "monitor", "check", "svc"]) == 1
    captured = capsys.readouterr()
    assert "svc/1: window" in captured.out and "no drift" in captured.out
    assert "svc/2 (drift): drift in window" in captured.out and "raised before" in captured.out
    assert captured.err.startswith("error: svc/2: drift in window") and captured.err.count("\n") == 1
    reg.projects.create("empty", "Nothing monitored")
    assert main(["--db", db_url, "monitor", "check", "empty"]) == 2
    assert "nothing in empty has a reference 'default'" in capsys.readouterr().err
