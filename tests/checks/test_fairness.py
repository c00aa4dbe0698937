"""Fairness across groups: fairlearn's figures, honest intervals, verdicts, and one-line refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mltrl.checks.fairness import FairnessCheck
from mltrl.errors import BadInput


def decisions(n: int, rates: dict[str, float], seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Rows of several groups; each group's predictions are right at its own rate."""
    rng = np.random.default_rng(seed)
    group = rng.choice(list(rates), n)
    y = rng.integers(0, 2, n)
    right = rng.random(n) < np.array([rates[g] for g in group])
    return pd.DataFrame({"site": group}), y, np.where(right, y, 1 - y)


def test_figures_are_fairlearns_and_a_real_model_on_real_data_passes() -> None:
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.assign(site=np.where(X["mean radius"] > X["mean radius"].median(), "large", "small"))
    features = [c for c in X.columns if c != "site"]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X[features][:300], y[:300])
    held, truth = X[300:], y[300:].to_numpy()
    predicted = model.predict(held[features])
    result = FairnessCheck("site", max_difference=0.9).run(predicted, held, truth)
    assert result.metrics["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(truth, predicted, sensitive_features=held["site"])
    )
    assert result.metrics["equalized_odds_difference"] == pytest.approx(
        equalized_odds_difference(truth, predicted, sensitive_features=held["site"])
    )
    # Large tumours are mostly malignant: selection rates differ a lot, and the check says so.
    assert result.metrics["demographic_parity_difference"] > 0.5
    assert result.status == "pass" and {d["group"] for d in result.details} == {"large", "small"}


def test_a_real_disparity_fails_and_equal_groups_pass() -> None:
    X, y, p = decisions(6000, {"north": 0.95, "south": 0.75}, seed=1)
    unfair = FairnessCheck("site", measures=["equalized_odds"], max_difference=0.1).run(p, X, y)
    assert unfair.status == "fail" and "equalized odds difference" in unfair.reason
    low, high = unfair.intervals["equalized_odds_difference"]
    assert low <= unfair.metrics["equalized_odds_difference"] <= high


def test_a_a_equal_groups_rarely_fail() -> None:
    """Three groups predicted equally well never differ in truth: fewer than ~5% of runs may fail.
    (50 runs: fairlearn takes about a second per call, so this is the slowest test of the module.)"""
    failures = 0
    for rep in range(50):
        X, y, p = decisions(3000, {"a": 0.9, "b": 0.9, "c": 0.9}, seed=100 + rep)
        check = FairnessCheck(
            "site", measures=["demographic_parity"], max_difference=0.05, n_boot=300, seed=rep
        )
        failures += check.run(p, X, y).status == "fail"
    assert failures <= 5


def test_small_groups_are_insufficient_and_seeded_runs_repeat() -> None:
    X, y, p = decisions(400, {"a": 0.9, "b": 0.9}, seed=3)
    X.loc[:390, "site"] = "a"
    assert FairnessCheck("site").run(p, X, y).status == "insufficient"
    X, y, p = decisions(2000, {"a": 0.9, "b": 0.85}, seed=4)
    assert FairnessCheck("site").run(p, X, y).to_json() == FairnessCheck("site").run(p, X, y).to_json()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda X, y, p: FairnessCheck("region").run(p, X, y), "no group column 'region'"),
        (lambda X, y, p: FairnessCheck("site").run(p, X, np.zeros(len(y))), "need binary labels"),
        (lambda X, y, p: FairnessCheck("site", measures=["parity"]), "measures must be among"),
        (lambda X, y, p: FairnessCheck("site").run(p[:10], X, y), "10 predictions"),
        (lambda X, y, p: FairnessCheck("site").run(p, X.assign(site=None), y), "has 500 missing values"),
    ],
)
def test_bad_input_is_one_line(build, message: str) -> None:  # type: ignore[no-untyped-def]
    X, y, p = decisions(500, {"a": 0.9, "b": 0.9}, seed=5)
    with pytest.raises(BadInput, match=message):
        build(X, y, p)
