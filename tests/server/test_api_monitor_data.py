"""Monitoring data and checks over the API (issue 13, item 1): a serving process or a CI job logs
references and windows as JSON rows and runs the drift, performance and skew checks on a team server
— through a real `mltrl serve` process. Each answer is what the CLI prints with ``--json`` for the
same data, each refusal the CLI's line with nothing written, and a viewer cannot write."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
from server_site import Site, start_server, stop_server
from test_api_breadth import cli, ok

from mltrl.errors import BadInput
from mltrl.server.config import load

API = "/api/v1/projects/p/components"
SERVED_AT = "2026-05-04T12:00:00Z"


def _frames(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A reference and a served window of 400 rows; the window's income moved up by two spreads."""
    rng = np.random.default_rng(seed)

    def frame(income_mean: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "income": np.round(rng.normal(income_mean, 10.0, 400), 3),
                "age": np.round(rng.normal(40.0, 5.0, 400), 3),
                "region": rng.choice(["north", "south", "east"], 400),
            }
        )

    return frame(50.0), frame(70.0)


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict(orient="records")  # type: ignore[return-value]


def _counts(site: Site) -> dict[str, int]:
    with site.registry() as reg:
        return reg.counts()


def test_a_window_logged_over_http_drifts_as_the_cli_finds_it(
    site: Site, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    carl, vera = site.client("carl"), site.client("vera")
    reference, served = _frames()
    stored = ok(carl.put(f"{API}/7/references/default", json={"rows": _rows(reference)}))
    assert stored == {"component": "p/7", "role": "reference", "name": "default", "rows": 400}
    # Sent in two batches, as a serving process would: the window merges them.
    for half in (served[:200], served[200:]):
        logged = ok(carl.post(f"{API}/7/windows", json={"rows": _rows(half), "at": SERVED_AT}), 201)
    assert logged == {"component": "p/7", "role": "window", "name": "2026-05-04", "rows": 400}

    # The same data through the CLI's files, on p/1: the same window, the same rows.
    reference.to_csv(tmp_path / "reference.csv", index=False)
    served.to_csv(tmp_path / "served.csv", index=False)
    code, by_cli, _ = cli(
        capsys, site.db, "monitor", "reference", "p/1", str(tmp_path / "reference.csv"), "--json"
    )
    assert code == 0 and by_cli == {**stored, "component": "p/1"}
    code, by_cli, _ = cli(
        capsys, site.db, "monitor", "log", "p/1", str(tmp_path / "served.csv"), "--at", SERVED_AT, "--json"
    )
    assert code == 0 and by_cli == {**logged, "component": "p/1"}

    listed = ok(vera.get(f"{API}/7/profiles"))
    assert listed == cli(capsys, site.db, "monitor", "windows", "p/7", "--json")[1]
    assert [(p["role"], p["name"], p["rows"]) for p in listed["profiles"]] == [
        ("reference", "default", 400),
        ("window", "2026-05-04", 400),
    ]

    checked = ok(carl.post(f"{API}/7/monitoring-checks", json={}))
    assert checked["drift"]["drifted_columns"] == ["income"]
    # Income moved past the reference's range too: a data-quality alert with the drift alert.
    assert [(a["kind"], a["new"]) for a in checked["alerts"]] == [("drift", True), ("data-quality", True)]
    raised = [a["id"] for a in checked["alerts"]]
    drift_alert = raised[0]
    # The CLI on the same stored profiles finds the very same alert (raised before), and exits 1.
    code, again, err = cli(capsys, site.db, "monitor", "check", "p/7", "--json")
    assert code == 1 and f"alert {drift_alert}" in err
    assert again["drift"] == checked["drift"] and again["quality"] == checked["quality"]
    assert [(a["id"], a["new"]) for a in again["alerts"]] == [(raised[0], False), (raised[1], False)]
    # ... and on p/1, where the same rows came from CSV files, it finds the same drift.
    code, on_files, _ = cli(capsys, site.db, "monitor", "check", "p/1", "--json")
    assert code == 1 and on_files["drift"]["drifted_columns"] == ["income"]

    # The nightly job: every component of the project with a reference and a window, in one write.
    nightly = ok(carl.post("/api/v1/projects/p/monitoring-checks", json={"evidence": False}))
    code, expected, _ = cli(capsys, site.db, "monitor", "check", "p", "--no-evidence", "--json")
    assert code == 1 and nightly == expected
    assert [o["component"] for o in nightly["components"]] == ["p/1", "p/7"]

    with site.registry() as reg:
        evidence = [e for e in reg.evidence.list("p/7") if e.criterion_id == "L9.monitoring-drift"]
        alert = reg.alerts.get(drift_alert)
    # The API's check and the CLI's each recorded what they found; the first is the token's user's.
    assert [e.outcome for e in evidence] == ["fail", "fail"] and evidence[0].recorded_by == "carl"
    assert alert["component"] == "p/7" and alert["kind"] == "drift"

    report = ok(vera.get(f"{API}/7/monitoring-report", params={"min": "accuracy=0.9"}))
    code, expected, _ = cli(capsys, site.db, "monitor", "report", "p/7", "--min", "accuracy=0.9", "--json")
    assert code == 0 and {**report, "generated_at": None} == {**expected, "generated_at": None}
    assert report["window"] == "2026-05-04" and report["thresholds"]["min"] == {"accuracy": 0.9}


def test_bad_rows_are_refused_with_one_line_and_nothing_is_written(
    shared_site: Site, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    carl = shared_site.client("carl")
    with shared_site.registry() as reg:
        if not reg.monitor.profiles("p/7"):
            reg.monitor.set_reference("p/7", pd.DataFrame({"income": [1.0, 2.0, 3.0]}))
    before = _counts(shared_site)
    window = f"{API}/7/windows"

    def refused(method: str, path: str, body: dict[str, Any], status: int = 400) -> str:
        response = carl.request(method, path, json=body)
        assert response.status_code == status, response.text
        line = response.json()["error"]
        assert "\n" not in line
        return str(line)

    # An empty table: the CLI's words for a file with a header and no rows.
    (tmp_path / "empty.csv").write_text("income\n")
    code, _, err = cli(capsys, shared_site.db, "monitor", "log", "p/7", str(tmp_path / "empty.csv"))
    assert code == 2 and err.endswith(": the table has no rows")
    assert refused("POST", window, {"rows": []}) == "rows: the table has no rows"
    assert refused("PUT", f"{API}/7/references/default", {"rows": []}) == "rows: the table has no rows"
    assert refused("POST", window, {"rows": [{}]}) == "rows[0]: a row needs at least one column"
    ragged = refused("POST", window, {"rows": [{"income": 1.0, "age": 3}, {"income": 2.0}]})
    assert ragged.startswith("rows[1] has no column 'age' that rows[0] has")
    assert refused("POST", window, {"rows": [{"income": 1.0}, {"income": 2.0, "x": 1}]}).startswith(
        "rows[1] has a column 'x' that rows[0] does not"
    )
    assert "rows.0.income" in refused("POST", window, {"rows": [{"income": [1, 2]}]}, 422)
    assert "rows[0] column name" in refused("POST", window, {"rows": [{"in\x00come": 1.0}]})

    # Refusals of the service: the CLI's very line.
    (tmp_path / "served.csv").write_text("income\n4.0\n")
    served = str(tmp_path / "served.csv")
    for body, argv in [
        ({"window": "week"}, ["--window", "week"]),
        ({"start": "2026-05-01"}, ["--start", "2026-05-01"]),
        (
            {"start": "2026-05-01", "end": "2026-05-08", "at": SERVED_AT},
            ["--start", "2026-05-01", "--end", "2026-05-08", "--at", SERVED_AT],
        ),
        ({"start": "2026-05-08", "end": "2026-05-01"}, ["--start", "2026-05-08", "--end", "2026-05-01"]),
        ({"at": "yesterday-ish"}, ["--at", "yesterday-ish"]),
    ]:
        code, _, err = cli(capsys, shared_site.db, "monitor", "log", "p/7", served, *argv)
        assert code == 2 and refused("POST", window, {"rows": [{"income": 4.0}], **body}) == err, body
    # Text where the reference holds numbers would break every later check of the window.
    (tmp_path / "text.csv").write_text("income\nhigh\n")
    code, _, err = cli(capsys, shared_site.db, "monitor", "log", "p/7", str(tmp_path / "text.csv"))
    assert code == 2 and "nothing was stored" in err
    assert refused("POST", window, {"rows": [{"income": "high"}]}) == err
    # A project with nothing to check; a component with no window; an unknown metric; component.
    code, _, err = cli(capsys, shared_site.db, "monitor", "check", "q")
    response = shared_site.client("root").post("/api/v1/projects/q/monitoring-checks", json={})
    assert (response.status_code, code) == (400, 2) and response.json()["error"] == err
    code, _, err = cli(capsys, shared_site.db, "monitor", "check", "p/1")
    assert refused("POST", f"{API}/1/monitoring-checks", {}, 404) == err
    code, _, err = cli(capsys, shared_site.db, "monitor", "performance", "p/7", "--min", "speed=1")
    assert refused("POST", f"{API}/7/performance-checks", {"minimum": {"speed": 1}}) == err
    code, _, err = cli(capsys, shared_site.db, "monitor", "log", "p/9", served)
    assert refused("POST", f"{API}/9/windows", {"rows": [{"income": 1.0}]}, 404) == err
    assert _counts(shared_site) == before


def test_skew_and_performance_checks_raise_the_alerts_the_cli_raises(
    site: Site, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    carl = site.client("carl")
    rng = np.random.default_rng(11)
    training = pd.DataFrame({"id": np.arange(200), "amount": np.round(rng.normal(100, 20, 200), 2)})
    serving = training.copy()
    serving.loc[:39, "amount"] = serving.loc[:39, "amount"] * 2  # 20% of entities computed wrongly
    body = {"training": _rows(training), "serving": _rows(serving), "key": "id", "threshold": 0.05}
    skew = ok(carl.post(f"{API}/7/skew-checks", json=body))
    assert skew["skewed"] == ["amount"] and skew["alert"]["kind"] == "skew" and skew["alert"]["new"]
    training.to_csv(tmp_path / "training.csv", index=False)
    serving.to_csv(tmp_path / "serving.csv", index=False)
    argv = ["monitor", "skew", "p/7", str(tmp_path / "training.csv"), str(tmp_path / "serving.csv")]
    code, by_cli, _ = cli(capsys, site.db, *argv, "--key", "id", "--threshold", "0.05", "--json")
    # The same tables are the same finding: the CLI finds the alert the API raised.
    assert code == 1 and by_cli == {**skew, "alert": {**skew["alert"], "new": False}}
    mixed = {**body, "serving": [{**row, "id": str(row["id"])} for row in body["serving"]]}
    response = carl.post(f"{API}/7/skew-checks", json=mixed)
    assert response.status_code == 400
    assert response.json()["error"] == (
        "the key column 'id' holds numbers in the training table but text in the serving table; "
        "they cannot be joined"
    )

    # 60 served predictions, half of them right, against a floor of 0.9 accuracy.
    predictions = [{"id": f"t{i}", "prediction": i % 2} for i in range(60)]
    ok(carl.post(f"{API}/7/predictions", json={"rows": predictions, "at": SERVED_AT}), 201)
    ok(carl.post(f"{API}/7/actuals", json={"rows": [{"id": f"t{i}", "actual": 1} for i in range(60)]}), 201)
    checked = ok(carl.post(f"{API}/7/performance-checks", json={"minimum": {"accuracy": 0.9}}))
    assert checked["alert"]["kind"] == "performance" and checked["alert"]["new"]
    code, by_cli, _ = cli(capsys, site.db, "monitor", "performance", "p/7", "--min", "accuracy=0.9", "--json")
    assert code == 1 and by_cli == {**checked, "alert": {**checked["alert"], "new": False}}
    with site.registry() as reg:
        kinds = {(a["kind"], a["component"]) for a in reg.alerts.list("p")}
    assert kinds == {("skew", "p/7"), ("performance", "p/7")}


def test_who_may_log_check_and_prune(shared_site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    before = _counts(shared_site)
    rows = {"rows": [{"income": 1.0}]}
    vera, quentin, carl = (shared_site.client(name) for name in ("vera", "quentin", "carl"))
    for client, method, path, body in [
        (vera, "POST", f"{API}/7/windows", rows),
        (vera, "PUT", f"{API}/7/references/default", rows),
        (vera, "POST", f"{API}/7/monitoring-checks", {}),
        (quentin, "GET", f"{API}/7/profiles", None),
        (quentin, "GET", f"{API}/7/monitoring-report", None),
        (carl, "POST", "/api/v1/monitoring/prune", {"older_than": "400d"}),
    ]:
        response = client.request(method, path, json=body)
        assert response.status_code == 403, (path, response.text)
    # An approver signs and decides but records nothing of what the component does in production.
    response = shared_site.client("alan").post(f"{API}/7/monitoring-checks", json={})
    assert response.status_code == 403 and "alan" in response.json()["error"]
    assert _counts(shared_site) == before

    root = shared_site.client("root")
    pruned = ok(root.post("/api/v1/monitoring/prune", json={"older_than": "400d", "dry_run": True}))
    code, expected, _ = cli(
        capsys, shared_site.db, "monitor", "prune", "--older-than", "400d", "--dry-run", "--json"
    )
    assert code == 0
    assert {**pruned, "cutoff": None} == {**expected, "cutoff": None}  # the cutoff is "now" minus 400 days
    refused = root.post("/api/v1/monitoring/prune", json={"older_than": "0d"})
    code, _, err = cli(capsys, shared_site.db, "monitor", "prune", "--older-than", "0d")
    assert (refused.status_code, code) == (400, 2) and refused.json()["error"] == err
    assert _counts(shared_site) == before


class _Receiver(BaseHTTPRequestHandler):
    """A webhook receiver: keeps each alert it is sent, answers 204."""

    received: list[dict[str, Any]]

    def do_POST(self) -> None:  # the name http.server calls
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Receiver,), {"received": received}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


def test_alerts_go_only_to_the_webhooks_the_server_names(
    site: Site, receiver: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    """A check names a webhook of the server's configuration; a URL a caller typed is refused with
    nothing written and nothing sent (the server would otherwise POST wherever it is told)."""
    hook, received = receiver
    stop_server(site.process)
    config = tmp_path / "server.yaml"
    config.write_text(f"webhooks:\n  team: {hook}\n")
    url, process = start_server(site.db, tmp_path / "hooks.log", "--config", str(config))
    try:
        headers = {"Authorization": f"Bearer {site.tokens['carl']}"}
        carl = httpx.Client(base_url=url, headers=headers, timeout=60)
        reference, served = _frames()
        ok(carl.put(f"{API}/7/references/default", json={"rows": _rows(reference)}))
        ok(carl.post(f"{API}/7/windows", json={"rows": _rows(served), "at": SERVED_AT}), 201)
        before = _counts(site)
        for typed in (hook, "http://169.254.169.254/latest/meta-data", "elsewhere"):
            refused = carl.post(f"{API}/7/monitoring-checks", json={"webhook": typed})
            assert refused.status_code == 400, refused.text
            assert (
                refused.json()["error"]
                == f"no webhook {typed!r} on this server (its configuration names: team)"
            )
        assert _counts(site) == before and received == []

        checked = ok(carl.post(f"{API}/7/monitoring-checks", json={"webhook": "team"}))
        kinds = [a["kind"] for a in checked["alerts"]]
        assert [(body["kind"], body["component"]) for body in received] == [(k, "p/7") for k in kinds]
        assert all(a["webhook"].startswith("sent to http://127.0.0.1:") for a in checked["alerts"])
        assert received[0]["text"].startswith(f"mltrl drift alert {checked['alerts'][0]['id']} on p/7")

        # Sent again by name (`mltrl monitor send`), by someone who handles alerts.
        rita = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {site.tokens['rita']}"}, timeout=60
        )
        alert = checked["alerts"][0]["id"]
        resent = ok(rita.post(f"/api/v1/projects/p/alerts/{alert}/deliveries", json={"webhook": "team"}))
        assert resent["id"] == alert and resent["webhook"].startswith("sent to http://127.0.0.1:")
        assert [body["id"] for body in received][-1] == alert and len(received) == len(kinds) + 1
        refused = rita.post(f"/api/v1/projects/p/alerts/{alert}/deliveries", json={"webhook": hook})
        assert refused.status_code == 400 and len(received) == len(kinds) + 1
        vera = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {site.tokens['vera']}"}, timeout=60
        )
        refused = vera.post(f"/api/v1/projects/p/alerts/{alert}/deliveries", json={"webhook": "team"})
        assert refused.status_code == 403 and len(received) == len(kinds) + 1
    finally:
        stop_server(process)


@pytest.mark.parametrize(
    ("variable", "problem"),
    [
        ('{"team": "file:///etc/passwd"}', "team: give an http(s) URL"),
        ('{"team": "gopher://example.org"}', "team: give an http(s) URL"),
        ('{"9lives": "https://example.org"}', "'9lives': a webhook's name is a letter"),
        ('["https://example.org"]', "$MLTRL_SERVER_WEBHOOKS: "),
        ("https://example.org", "$MLTRL_SERVER_WEBHOOKS: give a JSON object of name to URL"),
    ],
)
def test_a_webhook_the_configuration_names_is_an_http_url_under_a_plain_name(
    variable: str, problem: str
) -> None:
    with pytest.raises(BadInput) as refused:
        load(None, {}, {"MLTRL_SERVER_WEBHOOKS": variable})
    assert problem in refused.value.message and "\n" not in refused.value.message
    assert load(None, {}, {"MLTRL_SERVER_WEBHOOKS": '{"team": "https://hooks.example.org/x"}'}).webhooks == {
        "team": "https://hooks.example.org/x"
    }
