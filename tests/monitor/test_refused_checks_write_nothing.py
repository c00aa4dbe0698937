"""A check that says ``error:`` has written nothing and notified no one.

``--open-review`` on a component that cannot be reviewed (paused) refuses the whole check: no alert,
no evidence, no event is stored and no webhook is called, on its own or when a project-wide check
reaches it after other components.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, inspect, text

from mltrl.cli import main
from mltrl.service.registry import Registry

AT = "2024-05-01T10:00:00+00:00"


def frame(seed: int, shift: float = 0.0, n: int = 5_000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"score": rng.normal(shift, 1, n), "channel": rng.choice(["web", "app"], n)})


def every_row(url: str) -> dict[str, list[str]]:
    """Every row of every table, in a stable order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: sorted(repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{name}"')))
                for name in sorted(inspect(conn).get_table_names())
            }
    finally:
        engine.dispose()


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
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


@pytest.fixture
def reg(registry: Registry) -> Registry:
    """svc/1 drifting; svc/2 drifting too, with failing predictions, but paused."""
    registry.projects.create("svc", "Scoring service")
    ids = [f"p{i}" for i in range(200)]
    for ref in ("svc/1", "svc/2"):
        registry.components.add(
            ref, "Scorer", kind="model", level=3, reason="research done before the registry"
        )
        registry.monitor.set_reference(ref, frame(1))
        registry.monitor.log(ref, frame(2, shift=0.8), at=AT)
        registry.predictions.log(ref, pd.DataFrame({"id": ids, "prediction": ["a"] * 200}), at=AT)
        registry.actuals.log(ref, pd.DataFrame({"id": ids, "actual": ["a"] * 20 + ["b"] * 180}))
    registry.components.pause("svc/2", reason="retraining")
    return registry


def refused(db_url: str, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run ``mltrl ARGV``; assert it failed in one line with every table unchanged; the message."""
    before = every_row(db_url)
    code = main(["--db", db_url, *argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert every_row(db_url) == before
    return err


def test_a_drift_check_that_cannot_open_its_review_writes_nothing(
    reg: Registry, db_url: str, capsys: pytest.CaptureFixture[str], webhook: tuple[str, list[dict]]
) -> None:
    url, received = webhook
    err = refused(db_url, capsys, "monitor", "check", "svc/2", "--open-review", "--webhook", url)
    assert "svc/2 is paused" in err
    assert received == []  # nobody was told about an alert that does not exist


def test_a_project_check_that_fails_on_one_component_writes_nothing_for_any(
    reg: Registry, db_url: str, capsys: pytest.CaptureFixture[str], webhook: tuple[str, list[dict]]
) -> None:
    url, received = webhook
    # svc/1 comes first and could be checked and reviewed; svc/2 cannot: the check is one write
    err = refused(db_url, capsys, "monitor", "check", "svc", "--open-review", "--webhook", url)
    assert "svc/2 is paused" in err
    assert received == []
    assert reg.alerts.list("svc") == [] and reg.reviews.list("svc") == []


def test_skew_and_performance_checks_that_cannot_open_their_review_write_nothing(
    reg: Registry, db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    training, serving = tmp_path / "training.csv", tmp_path / "serving.csv"
    pd.DataFrame({"id": range(100), "x": range(100)}).to_csv(training, index=False)
    pd.DataFrame({"id": range(100), "x": [i + 1 for i in range(100)]}).to_csv(serving, index=False)
    skew = ["monitor", "skew", "svc/2", str(training), str(serving), "--key", "id", "--open-review"]
    assert "svc/2 is paused" in refused(db_url, capsys, *skew)
    performance = ["monitor", "performance", "svc/2", "--min-accuracy", "0.9", "--open-review"]
    assert "svc/2 is paused" in refused(db_url, capsys, *performance)


def test_the_same_check_on_a_reviewable_component_stores_alerts_and_opens_its_review(
    reg: Registry, db_url: str, capsys: pytest.CaptureFixture[str], webhook: tuple[str, list[dict]]
) -> None:
    url, received = webhook
    assert main(["--db", db_url, "monitor", "check", "svc/1", "--open-review", "--webhook", url]) == 1
    alerts = reg.alerts.list("svc/1")
    (review,) = reg.reviews.list("svc/1")
    assert alerts and {a["review_id"] for a in alerts} == {review.id}
    # delivered after the alerts and the review landed, so the receiver sees the review too
    assert sorted(r["id"] for r in received) == [a["id"] for a in alerts]
    assert {r["review_id"] for r in received} == {review.id}
    assert all("sent to" in a["webhook"] for a in reg.alerts.list("svc/1"))
