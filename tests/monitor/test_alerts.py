"""Drift checks raise alerts: stored, shown in status, sent to a real webhook, and fed to the gate."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pandas as pd
import pytest

from mltrl.cli import main
from mltrl.errors import BadInput
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
    registry.create_project("svc", "Scoring service")
    registry.add_component("svc/1", "Scorer", kind="model", level=9)
    registry.set_reference("svc/1", frame(1))
    return registry


def test_drift_raises_an_alert_sends_it_and_fails_the_monitoring_evidence(reg: Registry, webhook) -> None:  # type: ignore[no-untyped-def]
    url, received = webhook
    reg.log_profile("svc/1", frame(2))
    calm = reg.check_drift("svc/1", webhook=url)
    assert calm["alert"] is None and received == []
    assert {c.id: c.status for c in reg.gate("svc/1", 9).criteria}["L9.monitoring-drift"] == "met"
    reg.log_profile("svc/1", frame(3, shift=0.6), window="hour")
    outcome = reg.check_drift("svc/1", webhook=url)
    assert outcome["drifted_columns"] == ["score"] and outcome["webhook"].endswith("HTTP 204")
    assert received == [
        {
            "alert": outcome["alert"],
            "component": "svc/1",
            "kind": "drift",
            "window": outcome["window"],
            "drifted_columns": ["score"],
        }
    ]
    (alert,) = reg.alerts("svc/1", open_only=True)
    assert alert["level"] == 9 and "HTTP 204" in alert["webhook"]
    assert reg.status("svc").roots[0].open_alerts == 1  # visible to everyone who looks at the project
    assert {c.id: c.status for c in reg.gate("svc/1", 9).criteria}["L9.monitoring-drift"] == "unmet"
    reg.acknowledge_alert(alert["id"], "retraining scheduled")
    assert reg.alerts("svc/1", open_only=True) == [] and reg.status("svc").roots[0].open_alerts == 0
    with pytest.raises(BadInput, match="already acknowledged"):
        reg.acknowledge_alert(alert["id"])


def test_an_unreachable_webhook_never_loses_the_alert(reg: Registry) -> None:
    reg.log_profile("svc/1", frame(3, shift=0.6))
    outcome = reg.check_drift("svc/1", webhook="http://127.0.0.1:9/nowhere")
    assert outcome["webhook"].startswith("not delivered")
    assert reg.alerts("svc/1")[0]["webhook"].startswith("not delivered")


def test_cli_check_alerts_and_ack(reg: Registry, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    reg.log_profile("svc/1", frame(4, shift=0.6))
    assert main(["--db", db_url, "monitor", "check", "svc/1"]) == 1
    assert "drift in score" in capsys.readouterr().err
    assert main(["--db", db_url, "monitor", "alerts", "svc", "--json"]) == 0
    (alert,) = json.loads(capsys.readouterr().out)
    assert main(["--db", db_url, "status", "svc"]) == 0
    assert "1 open alert(s)" in capsys.readouterr().out
    assert main(["--db", db_url, "monitor", "ack", str(alert["id"]), "--note", "known"]) == 0
    assert main(["--db", db_url, "monitor", "ack", "999"]) == 2
    assert "no alert 999" in capsys.readouterr().err
