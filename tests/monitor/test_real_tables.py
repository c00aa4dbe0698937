"""Monitoring that fits real tables: identifiers and clocks left out of drift, metrics that judge an
imbalanced classifier or a regressor with their intervals, skew alerts raised once per finding."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mltrl.cli import main
from mltrl.errors import BadInput
from mltrl.service.registry import Registry


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("pay", "Payments")
    for code in ("1", "2", "3"):
        registry.components.add(f"pay/{code}", f"Model {code}", kind="model", level=9, reason="deployed")
    return registry


def transactions(start: int, day: str, n: int = 5_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "tx_id": np.arange(start, start + n),  # one integer per row, new every day
            "order_ref": [f"o-{start + i}" for i in range(n)],
            "ts": pd.Timestamp(day) + pd.to_timedelta(np.sort(rng.integers(0, 86_400, n)), unit="s"),
            "seq": np.arange(start, start + n) * 3,  # a counter
            "amount": rng.lognormal(3, 0.5, n),
            "country": rng.choice(["de", "fr", "it"], n),
        }
    )


def test_identifiers_and_timestamps_are_left_out_of_drift_and_said_so(
    reg: Registry, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg.monitor.set_reference("pay/1", transactions(0, "2026-01-01"))
    reg.monitor.log("pay/1", transactions(900_000, "2026-03-01", seed=1), at="2026-03-01")
    run = ["--db", db_url, "monitor"]
    assert main([*run, "drift", "pay/1", "--json"]) == 0  # before, every id and clock drifted
    report = json.loads(capsys.readouterr().out)
    assert [c["column"] for c in report["columns"]] == ["amount", "country"]
    reasons = {e["column"]: e["reason"] for e in report["excluded_columns"]}
    assert reasons["ts"] == "timestamp" and reasons["seq"].startswith("identifier")
    distinct = re.fullmatch(r"identifier: about ([\d,]+) distinct of 5,000 values", reasons["tx_id"])
    assert distinct is not None and abs(int(distinct[1].replace(",", "")) - 5_000) < 100  # HLL: ~0.8%
    assert reasons["order_ref"].startswith("identifier")
    assert main([*run, "check", "pay/1"]) == 0  # no drift alert, no out-of-range for the ids
    assert "no drift and no data-quality issue" in capsys.readouterr().out
    assert main([*run, "drift", "pay/1"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "not compared" in out and "tx_id (identifier" in out and "include: true" in out
    # the settings file ignores any column and brings a left-out one back
    (tmp_path / "drift.yaml").write_text(
        "country: {ignore: true}\ntx_id: {include: true}\n", encoding="utf-8"
    )
    assert main([*run, "drift", "pay/1", "--config", str(tmp_path / "drift.yaml"), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["drifted_columns"] == ["tx_id"]
    assert {"column": "country", "reason": "ignored in the settings"} in report["excluded_columns"]
    (tmp_path / "bad.yaml").write_text("tx_id: {ignore: yes please}\n", encoding="utf-8")
    assert main([*run, "drift", "pay/1", "--config", str(tmp_path / "bad.yaml")]) == 2
    assert "ignore must be true or false" in capsys.readouterr().err


def test_a_feature_with_repeats_is_still_compared(reg: Registry) -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"age": rng.integers(18, 90, 5_000), "user": rng.integers(0, 1_000, 5_000)})
    reg.monitor.set_reference("pay/1", frame)
    reg.monitor.log("pay/1", frame.sample(frac=1, random_state=1), at="2026-03-01")
    _label, report = reg.monitor.drift("pay/1")
    assert [c.column for c in report.columns] == ["age", "user"] and report.excluded == {}


def breast_cancer_scores() -> tuple[np.ndarray, np.ndarray]:
    features, target = load_breast_cancer(return_X_y=True)
    train_x, test_x, train_y, test_y = train_test_split(features, target, test_size=0.5, random_state=0)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.01)).fit(train_x, train_y)
    return test_y, model.predict_proba(test_x)[:, 1]


def test_binary_metrics_with_scores_match_scikit_learn(reg: Registry) -> None:
    truth, score = breast_cancer_scores()
    ids = np.arange(truth.size)
    reg.predictions.log("pay/1", pd.DataFrame({"id": ids, "prediction": score}), at="2026-03-01")
    half = truth.size // 2  # actuals arrive in two parts: the counts add up
    for part in (slice(0, half), slice(half, None)):
        frame = pd.DataFrame({"id": ids[part], "actual": truth[part]})
        reg.actuals.log("pay/1", frame, positive="1", decision_threshold=0.5)
    (window,) = reg.actuals.performance("pay/1")
    label = (score >= 0.5).astype(int)
    assert window["accuracy"] == pytest.approx(skm.accuracy_score(truth, label))
    assert window["precision"] == pytest.approx(skm.precision_score(truth, label))
    assert window["recall"] == pytest.approx(skm.recall_score(truth, label))
    assert window["f1"] == pytest.approx(skm.f1_score(truth, label))
    # scores are kept to 0.001, so the AUCs agree to about that
    assert window["roc_auc"] == pytest.approx(skm.roc_auc_score(truth, score), abs=2e-3)
    assert window["pr_auc"] == pytest.approx(skm.average_precision_score(truth, score), abs=5e-3)
    assert window["average"] == "binary (positive class '1')"
    assert window["classes"]["1"]["actual"] == int(truth.sum())
    assert window["classes"]["not 1"]["predicted"] == int((label == 0).sum())
    for name in ("accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc"):
        low, high = window["intervals"][name]
        assert low <= window[name] <= high and high - low < 0.2
    outcome = reg.monitor.check_performance("pay/1", minimum={"roc_auc": 0.999, "f1": 0.5})
    verdicts = {v["metric"]: v["verdict"] for v in outcome["verdicts"]}
    assert verdicts == {"roc_auc": "fail", "f1": "pass"} and outcome["alert"]["kind"] == "performance"


def test_multiclass_labels_macro_average_and_undefined_auc(reg: Registry) -> None:
    features, target = load_wine(return_X_y=True)
    names = np.array(["barolo", "grignolino", "barbera"])[target]
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.005)).fit(features[::2], names[::2])
    guess = model.predict(features[1::2])
    truth = names[1::2]
    ids = np.arange(truth.size)
    reg.predictions.log("pay/2", pd.DataFrame({"id": ids, "prediction": guess}), at="2026-03-01")
    reg.actuals.log("pay/2", pd.DataFrame({"id": ids, "actual": truth}))
    (window,) = reg.actuals.performance("pay/2")
    assert window["f1"] == pytest.approx(skm.f1_score(truth, guess, average="macro"))
    assert window["precision"] == pytest.approx(skm.precision_score(truth, guess, average="macro"))
    assert window["average"].startswith("macro")
    assert {k: v["actual"] for k, v in window["classes"].items()} == dict(
        zip(*np.unique(truth, return_counts=True), strict=True)
    )
    assert window["roc_auc"] is None and "labels" in window["undefined"]["roc_auc"]


def test_regression_metrics_match_scikit_learn(reg: Registry) -> None:
    features, target = load_diabetes(return_X_y=True)
    model = LinearRegression().fit(features[::2], target[::2])
    guess, truth = model.predict(features[1::2]), target[1::2]
    ids = np.arange(truth.size)
    reg.predictions.log("pay/3", pd.DataFrame({"id": ids, "prediction": guess}), at="2026-03-01")
    reg.actuals.log("pay/3", pd.DataFrame({"id": ids, "actual": truth}), task="regression")
    (window,) = reg.actuals.performance("pay/3")
    assert window["mae"] == pytest.approx(skm.mean_absolute_error(truth, guess))
    assert window["rmse"] == pytest.approx(skm.root_mean_squared_error(truth, guess))
    assert window["mape"] == pytest.approx(skm.mean_absolute_percentage_error(truth, guess))
    assert window["r2"] == pytest.approx(skm.r2_score(truth, guess))
    for name in ("mae", "rmse", "mape"):
        low, high = window["intervals"][name]
        assert low < window[name] < high
    # an infinite prediction is refused with nothing written
    reg.predictions.log("pay/3", pd.DataFrame({"id": ["z"], "prediction": [np.inf]}), at="2026-03-02")
    before = reg.counts()
    with pytest.raises(BadInput, match=r"prediction z: .* is not a finite number"):
        reg.actuals.log("pay/3", pd.DataFrame({"id": ["z"], "actual": [1.0]}), task="regression")
    assert reg.counts() == before


def test_cli_one_class_gives_null_auc_and_too_few_actuals_are_insufficient(
    reg: Registry, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pd.DataFrame({"id": range(20), "p": np.linspace(0.1, 0.9, 20)}).to_csv(tmp_path / "p.csv", index=False)
    pd.DataFrame({"id": range(20), "y": [1] * 20}).to_csv(tmp_path / "y.csv", index=False)
    run = ["--db", db_url, "monitor"]
    assert main([*run, "predictions", "pay/1", str(tmp_path / "p.csv"), "--prediction-column", "p"]) == 0
    assert (
        main([*run, "actuals", "pay/1", str(tmp_path / "y.csv"), "--actual-column", "y", "--positive", "1"])
        == 0
    )
    capsys.readouterr()
    assert (
        main([*run, "performance", "pay/1", "--min", "roc_auc=0.8", "--min-accuracy", "0.99", "--json"]) == 0
    )

    def refuse(word: str) -> object:
        raise ValueError(word)

    outcome = json.loads(capsys.readouterr().out, parse_constant=refuse)  # strict: null, never NaN
    (window,) = outcome["windows"]
    assert window["roc_auc"] is None and window["undefined"]["roc_auc"] == "only one class among the actuals"
    assert [v["verdict"] for v in outcome["verdicts"]] == ["insufficient", "insufficient"]
    assert outcome["alert"] is None and reg.alerts.list("pay/1") == []


def test_skew_alerts_once_per_finding(reg: Registry, db_url: str, tmp_path: Path) -> None:
    training = pd.DataFrame({"id": range(200), "income": np.arange(200) * 1.0})
    training.to_csv(tmp_path / "train.csv", index=False)
    training.assign(income=training["income"] / 1000).to_csv(tmp_path / "serve.csv", index=False)
    run = [
        "--db",
        db_url,
        "monitor",
        "skew",
        "pay/1",
        str(tmp_path / "train.csv"),
        str(tmp_path / "serve.csv"),
    ]
    assert main([*run, "--key", "id"]) == 1
    assert main([*run, "--key", "id"]) == 1  # the same tables again: the same finding
    (alert,) = reg.alerts.list("pay/1")
    assert alert["kind"] == "skew" and alert["window"].startswith("tables ")
    training.assign(income=training["income"] / 100).to_csv(tmp_path / "serve.csv", index=False)
    assert main([*run, "--key", "id"]) == 1  # other data: a new finding
    assert len(reg.alerts.list("pay/1")) == 2
