"""Delayed actuals: predictions wait, actuals join later, each window is evaluated; rows do not linger."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mltrl.cli import main
from mltrl.errors import BadInput
from mltrl.service.registry import Registry


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("svc", "Scoring")
    registry.components.add(
        "svc/1", "Classifier", kind="model", level=9, reason="work done before the registry"
    )
    registry.components.add(
        "svc/2", "Regressor", kind="model", level=9, reason="work done before the registry"
    )
    return registry


def test_classification_accuracy_per_window_as_actuals_arrive(reg: Registry) -> None:
    monday = datetime(2026, 3, 2, 9, tzinfo=UTC)
    first = pd.DataFrame({"id": ["a", "b", "c", "d"], "prediction": ["cat", "dog", "cat", "cat"]})
    second = pd.DataFrame({"id": ["e", "f"], "prediction": ["dog", "dog"]})
    assert reg.predictions.log("svc/1", first, at=monday) == ("2026-03-02", 4)
    assert reg.predictions.log("svc/1", second, at=monday + timedelta(days=1)) == ("2026-03-03", 2)
    # Two days later, some actuals arrive (plus one for a prediction never logged).
    result = reg.actuals.log(
        "svc/1",
        pd.DataFrame({"id": ["a", "b", "c", "e", "zzz"], "actual": ["cat", "cat", "cat", "dog", "cat"]}),
    )
    assert result == {"matched": 4, "unmatched": 1}
    windows = {w["window"]: w for w in reg.actuals.performance("svc/1")}
    assert windows["2026-03-02"]["accuracy"] == pytest.approx(2 / 3)
    assert (windows["2026-03-02"]["evaluated"], windows["2026-03-02"]["awaiting_actuals"]) == (3, 1)
    assert (windows["2026-03-03"]["accuracy"], windows["2026-03-03"]["awaiting_actuals"]) == (1.0, 1)
    # The rest arrives; joined predictions are gone from the waiting table.
    reg.actuals.log("svc/1", pd.DataFrame({"id": ["d", "f"], "actual": ["dog", "dog"]}))
    windows = {w["window"]: w for w in reg.actuals.performance("svc/1")}
    assert windows["2026-03-02"]["accuracy"] == 0.5 and windows["2026-03-02"]["awaiting_actuals"] == 0
    assert reg.actuals.log("svc/1", pd.DataFrame({"id": ["a"], "actual": ["cat"]})) == {
        "matched": 0,
        "unmatched": 1,
    }


def test_regression_errors(reg: Registry) -> None:
    rng = np.random.default_rng(0)
    truth = rng.normal(100, 10, 1_000)
    served = truth + rng.normal(0, 2, 1_000)
    reg.predictions.log("svc/2", pd.DataFrame({"id": range(1_000), "prediction": served}))
    reg.actuals.log("svc/2", pd.DataFrame({"id": range(1_000), "actual": truth}), task="regression")
    (window,) = reg.actuals.performance("svc/2")
    assert window["mae"] == pytest.approx(float(np.mean(np.abs(served - truth))), rel=1e-9)
    assert window["rmse"] == pytest.approx(float(np.sqrt(np.mean((served - truth) ** 2))), rel=1e-9)


def test_bad_input_writes_nothing(reg: Registry) -> None:
    reg.predictions.log("svc/1", pd.DataFrame({"id": ["a"], "prediction": ["cat"]}))
    before = reg.counts()
    for action, message in (
        (
            lambda: reg.predictions.log("svc/1", pd.DataFrame({"id": ["x", "x"], "prediction": [1, 2]})),
            "repeat",
        ),
        (
            lambda: reg.predictions.log("svc/1", pd.DataFrame({"key": ["y"], "prediction": [1]})),
            "no column 'id'",
        ),
        (
            lambda: reg.actuals.log("svc/1", pd.DataFrame({"id": ["a"], "actual": ["cat"]}), task="ranking"),
            "task 'ranking'",
        ),
        (
            lambda: reg.actuals.log(
                "svc/1", pd.DataFrame({"id": ["a"], "actual": ["cat"]}), task="regression"
            ),
            "not a number",
        ),
    ):
        with pytest.raises(BadInput, match=message):
            action()
    assert reg.counts() == before
    assert reg.actuals.performance("svc/1")[0]["awaiting_actuals"] == 1


def test_cli_performance_alert(
    reg: Registry, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pd.DataFrame({"id": range(100), "prediction": ["a"] * 100}).to_csv(tmp_path / "served.csv", index=False)
    pd.DataFrame({"id": range(100), "actual": ["a"] * 60 + ["b"] * 40}).to_csv(
        tmp_path / "truth.csv", index=False
    )
    run = ["--db", db_url, "monitor"]
    assert main([*run, "predictions", "svc/1", str(tmp_path / "served.csv")]) == 0
    assert main([*run, "actuals", "svc/1", str(tmp_path / "truth.csv")]) == 0
    capsys.readouterr()
    assert main([*run, "performance", "svc/1", "--min-accuracy", "0.5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["windows"][0]["accuracy"] == 0.6
    assert main([*run, "performance", "svc/1", "--min-accuracy", "0.9"]) == 1
    # the whole 95% interval (Wilson) lies below the threshold: a breach, not noise
    assert "accuracy 0.600 [0.502, 0.691] < 0.9" in capsys.readouterr().err
    (alert,) = reg.alerts.list("svc/1")
    assert alert["kind"] == "performance" and alert["review_id"] is None
    # the deployed model's accuracy fell: the alert goes before its review; rerunning repeats nothing
    assert main([*run, "performance", "svc/1", "--min-accuracy", "0.9", "--open-review"]) == 1
    out = capsys.readouterr().out
    (review,) = reg.reviews.list("svc/1")
    assert "raised before" in out and f"before review {review.id}" in out and review.level == 9
    assert [a["review_id"] for a in reg.alerts.list("svc/1")] == [review.id]


def test_api_performance_check_without_actuals_raises_nothing(reg: Registry) -> None:
    outcome = reg.monitor.check_performance("svc/1", min_accuracy=0.99)
    assert outcome["windows"] == [] and outcome["verdicts"] == [] and outcome["alert"] is None
    assert outcome["breach"] is None and reg.alerts.list("svc/1") == []
