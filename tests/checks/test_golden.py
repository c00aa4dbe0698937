"""The golden check: absolute, relative to the champion, non-inferiority; with real models."""

from __future__ import annotations

from typing import Any

import pytest

from mltrl.checks import GoldenCheck
from mltrl.errors import BadInput


@pytest.mark.parametrize("metric", ["accuracy", "f1", "roc_auc"])
def test_a_good_model_passes_and_a_degraded_one_fails(cancer: dict[str, Any], metric: str) -> None:
    check = GoldenCheck(metric=metric, minimum=0.9, n_boot=200)
    good = check.run(cancer["good"], cancer["X"], cancer["y"])
    weak = check.run(cancer["weak"], cancer["X"], cancer["y"])
    assert good.status == "pass", good.reason
    assert weak.status == "fail", weak.reason
    low, high = good.intervals[metric]
    assert low <= good.metrics[metric] <= high
    assert weak.intervals[metric][1] < 0.9  # failed because the upper bound is below the minimum
    assert "minimum" in weak.reason and f"{metric} >= 0.9" in weak.reason
    assert good.n == len(cancer["y"]) == 228


def test_the_candidate_is_compared_with_its_champion(cancer: dict[str, Any]) -> None:
    X, y = cancer["X"], cancer["y"]
    check = GoldenCheck(max_drop_vs_champion=0.01, non_inferiority_margin=0.02, n_boot=300)
    worse = check.run(cancer["weak"], X, y, champion=cancer["good"])
    assert worse.status == "fail"
    assert worse.metrics["accuracy_diff"] == pytest.approx(
        worse.metrics["accuracy"] - worse.metrics["accuracy_champion"]
    )
    assert worse.intervals["accuracy_diff"][1] < -0.01
    assert {r["rule"]: r["status"] for r in worse.details} == {
        "max_drop_vs_champion": "fail",
        "non_inferiority": "fail",
    }
    same = check.run(cancer["good"], X, y, champion=cancer["good"])
    assert same.status == "pass"
    assert same.intervals["accuracy_diff"] == (0.0, 0.0)


def test_non_inferiority_puts_the_burden_on_the_candidate(cancer: dict[str, Any]) -> None:
    """An equally good but different candidate on a small golden set: not shown worse (max-drop
    passes), but not shown non-inferior within a tight margin either (the paired CI is too wide)."""
    X, y = cancer["X"].iloc[:60], cancer["y"].to_numpy()[:60]
    champion, candidate = y.copy(), y.copy()
    champion[[3, 17, 41]] = 1 - y[[3, 17, 41]]  # equally accurate (57/60), wrong on different rows
    candidate[[8, 25, 50]] = 1 - y[[8, 25, 50]]
    relaxed = GoldenCheck(max_drop_vs_champion=0.0, n_boot=500).run(candidate, X, y, champion=champion)
    strict = GoldenCheck(non_inferiority_margin=0.01, n_boot=500).run(candidate, X, y, champion=champion)
    assert relaxed.status == "pass"
    assert strict.status == "fail"
    assert strict.intervals["accuracy_diff"][0] <= -0.01


def test_too_few_rows_is_insufficient_not_a_pass(cancer: dict[str, Any]) -> None:
    result = GoldenCheck(minimum=0.5).run(cancer["good"], cancer["X"].iloc[:20], cancer["y"].iloc[:20])
    assert result.status == "insufficient"
    assert "20 golden rows, fewer than min_rows=30" in result.reason


def test_predictions_can_stand_for_the_model(cancer: dict[str, Any]) -> None:
    X, y = cancer["X"], cancer["y"]
    check = GoldenCheck(minimum=0.9, n_boot=200)
    assert check.run(cancer["good"].predict(X), X, y) == check.run(cancer["good"], X, y)


def test_same_inputs_and_seed_give_identical_results(cancer: dict[str, Any]) -> None:
    X, y = cancer["X"], cancer["y"]
    check = GoldenCheck(metric="f1", minimum=0.9, non_inferiority_margin=0.05, n_boot=200, seed=7)
    first = check.run(cancer["weak"], X, y, champion=cancer["good"])
    again = check.run(cancer["weak"], X, y, champion=cancer["good"])
    assert first.to_json() == again.to_json()
    other_seed = GoldenCheck(metric="f1", minimum=0.9, non_inferiority_margin=0.05, n_boot=200, seed=8)
    assert other_seed.run(cancer["weak"], X, y, champion=cancer["good"]).intervals != first.intervals


class _NoPredict:
    pass


@pytest.mark.parametrize(
    ("run", "message"),
    [
        (
            lambda c: GoldenCheck(minimum=0.9).run(_NoPredict(), c["X"], c["y"]),
            "golden: candidate (_NoPredict) has no predict method",
        ),
        (lambda c: GoldenCheck(minimum=0.9).run(c["good"], c["X"], c["y"][:-1]), "golden: y has 227 labels"),
        (
            lambda c: GoldenCheck(minimum=0.9).run(c["good"], c["X"], c["y"].where(c["y"] > 0)),
            "golden: y has 85 missing",
        ),
        (
            lambda c: GoldenCheck(minimum=0.9).run(c["good"].predict(c["X"])[:10], c["X"], c["y"]),
            "golden: candidate gave 10 predictions for 228 rows",
        ),
        (
            lambda c: GoldenCheck(max_drop_vs_champion=0.01).run(c["good"], c["X"], c["y"]),
            "golden: champion is missing",
        ),
        (
            lambda c: GoldenCheck(minimum=0.9).run(c["good"], c["X"], c["y"], champion=_NoPredict()),
            "golden: champion (_NoPredict) has no predict method",
        ),
        (lambda c: GoldenCheck(metric="mse", minimum=1.0), "golden: metric 'mse' is not one of"),
        (lambda c: GoldenCheck(), "golden: give a threshold"),
        (lambda c: GoldenCheck(minimum=float("nan")), "golden: minimum must be a finite number"),
        (lambda c: GoldenCheck(non_inferiority_margin=0), "golden: non_inferiority_margin must be above 0"),
        (lambda c: GoldenCheck(minimum=0.9, n_boot=0), "golden: n_boot must be a positive whole number"),
    ],
)
def test_bad_input_is_one_line_naming_check_and_argument(
    cancer: dict[str, Any], run: Any, message: str
) -> None:
    with pytest.raises(BadInput) as caught:
        run(cancer)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_regressor_is_scored_by_r2() -> None:
    from sklearn.datasets import load_diabetes
    from sklearn.dummy import DummyRegressor
    from sklearn.linear_model import Ridge

    X, y = load_diabetes(return_X_y=True)
    ridge, mean = Ridge(alpha=0.1).fit(X[:300], y[:300]), DummyRegressor().fit(X[:300], y[:300])
    check = GoldenCheck(metric="r2", minimum=0.2, max_drop_vs_champion=0.05, n_boot=200)
    assert check.run(ridge, X[300:], y[300:], champion=ridge).status == "pass"
    result = check.run(mean, X[300:], y[300:], champion=ridge)
    assert result.status == "fail"
    assert result.metrics["r2"] < 0.01 < 0.3 < result.metrics["r2_champion"]
