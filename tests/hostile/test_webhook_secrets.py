"""A webhook URL's secret (user:password@, a ?token=, a secret path) is never stored nor printed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pandas as pd
import pytest
from hostile_harness import snapshot

from mltrl.cli import main
from mltrl.service.inputs import redact_url
from mltrl.service.registry import Registry

# Components start at high levels here with a reason alone; entry reviews are tested in test_paper_rules.
pytestmark = pytest.mark.usefixtures("lenient_entry")

SECRETS = ("s3cr3t-pass", "tok-9f8e7d", "B0XXXXSECRETPATH")


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
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    yield f"http://127.0.0.1:{port}/services/{SECRETS[2]}?token={SECRETS[1]}", received
    server.shutdown()


def frame(shift: float) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({"score": rng.normal(shift, 1, 5_000)})


def test_the_secret_of_a_webhook_stays_out_of_the_alerts_table_and_the_output(
    registry: Registry, db_url: str, webhook: tuple[str, list[dict]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, received = webhook
    registry.projects.create("svc", "Scoring service")
    registry.components.add("svc/1", "Scorer", kind="model", level=9, reason="work done before the registry")
    registry.monitor.set_reference("svc/1", frame(0.0))
    registry.monitor.log("svc/1", frame(3.0))
    assert main(["--db", db_url, "monitor", "check", "svc/1", "--webhook", url]) == 1
    out, err = capsys.readouterr()
    assert received  # delivered to the real URL, secret and all
    alert_id = received[0]["id"]
    assert main(["--db", db_url, "monitor", "send", str(alert_id), "--webhook", url]) == 0
    # urllib cannot send to user:password@ URLs; the failed delivery is recorded without the password
    with_password = url.replace("http://", f"http://hook:{SECRETS[0]}@")
    assert main(["--db", db_url, "monitor", "send", str(alert_id), "--webhook", with_password]) == 0
    assert main(["--db", db_url, "monitor", "alerts", "--json"]) == 0
    more_out, more_err = capsys.readouterr()
    printed = out + err + more_out + more_err
    stored = repr(snapshot(db_url))
    for secret in SECRETS:
        assert secret not in printed and secret not in stored
    assert f"not delivered to {redact_url(with_password)}" in stored
    assert redact_url(with_password).startswith("http://***@127.0.0.1:")
    assert f"sent to {redact_url(url)}: HTTP 204" in printed
