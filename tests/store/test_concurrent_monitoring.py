"""Eight real processes monitoring one component at once: nothing lost, nothing counted twice.

Each test starts eight ``mltrl`` processes at the same instant against the backend under test (on
PostgreSQL, the test's private schema) and checks the invariant a user relies on afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mltrl.service.registry import Registry

WRITERS = 8
AT = "2024-05-01T10:00:00+00:00"


def frame(seed: int, n: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"score": rng.normal(shift, 1, n), "channel": rng.choice(["web", "app"], n)})


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("svc", "Scoring service")
    registry.components.add(
        "svc/1", "Scorer", kind="model", level=3, reason="research done before the registry"
    )
    return registry


def failures(results: list) -> list[str]:  # type: ignore[type-arg]
    return [r.stderr for r in results if r.returncode != 0]


@pytest.mark.slow
@pytest.mark.parametrize("window_exists", [True, False], ids=["existing-window", "new-window"])
def test_rows_logged_at_once_all_land_in_the_window(
    reg: Registry, db_url: str, tmp_path: Path, together, window_exists: bool
) -> None:  # type: ignore[no-untyped-def]
    reg.monitor.set_reference("svc/1", frame(0, 500))
    if window_exists:
        reg.monitor.log("svc/1", frame(0, 2_000), at=AT)
    files = []
    for i in range(WRITERS):
        files.append(tmp_path / f"batch{i}.csv")
        frame(i + 1, 2_000).to_csv(files[-1], index=False)
    results = together([["--db", db_url, "monitor", "log", "svc/1", str(f), "--at", AT] for f in files])
    assert failures(results) == []
    (window,) = [p for p in reg.monitor.profiles("svc/1") if p["role"] == "window"]
    expected = 2_000 * (WRITERS + window_exists)
    assert window["rows"] == expected
    # the merged profile itself holds every row, not only the count stored beside it
    _label, _reference, merged = reg.monitor.window_profiles("svc/1", window=window["name"])
    assert merged.rows == merged.column("score").count == merged.column("channel").count == expected
    logged = [e for e in reg.history("svc/1") if e.kind == "monitor.window"]
    assert len(logged) == WRITERS + window_exists


# Every process sends the same actuals in the same small batches: each batch is a race.
SEND_ACTUALS = """
import json, pandas as pd
url, ids, batches = sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
joined = 0
with Registry.open(db=url) as reg:
    for b in range(batches):
        chunk = ids[b::batches]
        frame = pd.DataFrame({"id": chunk, "actual": [int(i[1:]) % 10 < 6 and "a" or "b" for i in chunk]})
        joined += reg.actuals.log("svc/1", frame)["matched"]
print(joined)
"""


@pytest.mark.slow
def test_the_same_actuals_sent_at_once_are_evaluated_once(reg: Registry, db_url: str, racing) -> None:  # type: ignore[no-untyped-def]
    ids = [f"p{i}" for i in range(1_000)]
    reg.predictions.log("svc/1", pd.DataFrame({"id": ids, "prediction": ["a"] * len(ids)}), at=AT)
    results = racing(SEND_ACTUALS, [[db_url, json.dumps(ids), "25"]] * WRITERS)
    assert failures(results) == []
    # what the processes say they joined adds up to what there was to join
    assert sum(int(r.stdout) for r in results) == len(ids)
    (window,) = reg.actuals.performance("svc/1")
    assert window["evaluated"] == len(ids) and window["awaiting_actuals"] == 0
    assert window["accuracy"] == pytest.approx(0.6)
    assert sum(e.data["matched"] for e in reg.history("svc/1") if e.kind == "monitor.actuals") == len(ids)


@pytest.mark.slow
def test_checks_run_at_once_raise_each_finding_once(reg: Registry, db_url: str, together) -> None:  # type: ignore[no-untyped-def]
    reg.monitor.set_reference("svc/1", frame(1, 5_000))
    drifted = frame(2, 5_000, shift=0.8)
    drifted.loc[:999, "score"] = np.nan  # and a data-quality finding beside the drift
    reg.monitor.log("svc/1", drifted, at=AT)
    results = together([["--db", db_url, "monitor", "check", "svc/1"]] * WRITERS)
    assert [r.returncode for r in results] == [1] * WRITERS, failures(results)
    alerts = reg.alerts.list("svc/1")
    assert sorted(a["kind"] for a in alerts) == ["data-quality", "drift"]
    raised = [e for e in reg.history("svc/1") if e.kind == "alert.raise"]
    assert len(raised) == 2
    # every process names the same two alerts, whether it raised them or found them raised
    named = {line for r in results for line in r.stderr.splitlines()}
    assert len(named) == 1, named


# Every process acknowledges the same alerts in the same order: each alert is a race.
ACKNOWLEDGE = """
import json
url, actor, alerts = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
won, refused = [], set()
with Registry.open(db=url, actor=actor) as reg:
    for k, alert in enumerate(alerts):
        next_round(k)
        try:
            reg.alerts.acknowledge(alert, "seen")
            won.append(alert)
        except MltrlError as exc:
            refused.add(exc.message.replace(str(alert), "N"))
print(json.dumps({"won": won, "refused": sorted(refused)}))
"""


@pytest.mark.slow
def test_an_alert_acknowledged_at_once_is_acknowledged_once(reg: Registry, db_url: str, racing) -> None:  # type: ignore[no-untyped-def]
    alerts = [
        reg.alerts.create("svc/1", "drift", f"drift in c{i}", {"columns": [f"c{i}"]}, window="2024-05-01")
        for i in range(40)
    ]
    results = racing(ACKNOWLEDGE, [[db_url, f"p{i}", json.dumps(alerts)] for i in range(WRITERS)])
    assert failures(results) == []
    outcomes = [json.loads(r.stdout) for r in results]
    assert sorted(a for o in outcomes for a in o["won"]) == alerts  # each acknowledged by one process
    assert {m for o in outcomes for m in o["refused"]} <= {"alert N was already acknowledged"}
    acks = [e for e in reg.history("svc/1") if e.kind == "alert.acknowledge"]
    assert sorted(e.data["alert"] for e in acks) == alerts
    winners = {a: f"p{i}" for i, o in enumerate(outcomes) for a in o["won"]}
    assert {a["id"]: a["acknowledged_by"] for a in reg.alerts.list("svc/1")} == winners


# Every process brings the same alerts before a review, in the same order: each alert is a race,
# and the first of them is also a race to open the component's review.
REVIEW_ALERTS = """
import json
url, actor, alerts = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
with Registry.open(db=url, actor=actor) as reg:
    for k, alert in enumerate(alerts):
        next_round(k)
        try:
            reg.alerts.review(alert)
        except MltrlError as exc:
            assert "is already before review" in exc.message, exc.message
"""


@pytest.mark.slow
def test_alerts_brought_before_a_review_at_once_share_one_review(reg: Registry, db_url: str, racing) -> None:  # type: ignore[no-untyped-def]
    alerts = [
        reg.alerts.create("svc/1", "drift", f"drift in c{i}", {"columns": [f"c{i}"]}, window="2024-05-01")
        for i in range(40)
    ]
    results = racing(REVIEW_ALERTS, [[db_url, f"p{i}", json.dumps(alerts)] for i in range(WRITERS)])
    assert failures(results) == []
    (review,) = reg.reviews.list("svc/1")
    assert {a["id"]: a["review_id"] for a in reg.alerts.list("svc/1")} == dict.fromkeys(alerts, review.id)
    linked = [e.data["alert"] for e in reg.history("svc/1") if e.kind == "alert.review"]
    assert sorted(linked) == alerts
