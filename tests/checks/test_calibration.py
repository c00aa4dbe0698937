"""Calibration (ECE/MCE/Brier, reliability diagram) and coverage of intervals and sets, on real models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, make_classification
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB

from mltrl.checks import CalibrationCheck, CoverageCheck, reliability_diagram
from mltrl.errors import BadInput


@pytest.fixture(scope="module")
def redundant() -> dict[str, Any]:
    """Correlated features: logistic regression stays calibrated, naive Bayes grows overconfident."""
    X, y = make_classification(n_samples=6000, n_features=20, n_informative=4, n_redundant=12, random_state=0)
    X_a, X_b, y_a, y_b = train_test_split(X, y, test_size=0.5, random_state=0)
    return {
        "X": X_b,
        "y": y_b,
        "logistic": LogisticRegression(max_iter=1000).fit(X_a, y_a),
        "bayes": GaussianNB().fit(X_a, y_a),
    }


@pytest.fixture(scope="module")
def diabetes() -> dict[str, Any]:
    """Split-conformal 90% intervals for a linear model on the diabetes data."""
    X, y = load_diabetes(return_X_y=True)
    X_fit, X_rest, y_fit, y_rest = train_test_split(X, y, test_size=0.6, random_state=0)
    X_cal, X_test, y_cal, y_test = train_test_split(X_rest, y_rest, test_size=0.5, random_state=0)
    model = LinearRegression().fit(X_fit, y_fit)
    residuals = np.abs(y_cal - model.predict(X_cal))
    level = np.ceil((len(y_cal) + 1) * 0.9) / len(y_cal)
    return {"pred": model.predict(X_test), "y": y_test, "q90": np.quantile(residuals, level),
            "q50": np.quantile(residuals, 0.5)}  # fmt: skip


def test_a_calibrated_model_passes_and_an_overconfident_one_fails(redundant: dict[str, Any]) -> None:
    check = CalibrationCheck(max_ece=0.03)
    good = check.run(redundant["logistic"], redundant["X"], redundant["y"])
    bad = check.run(redundant["bayes"], redundant["X"], redundant["y"])
    assert good.status == "pass", good.reason
    assert bad.status == "fail" and bad.reason.startswith("miscalibrated: ECE")
    assert bad.intervals["ece"][0] > 0.03 > good.intervals["ece"][0]
    assert bad.metrics["ece"] > 2 * good.metrics["ece"]
    assert bad.metrics["mce"] >= bad.metrics["ece"]
    assert sum(row["n"] for row in good.details) == len(redundant["y"]) == good.n
    strict_brier = CalibrationCheck(max_ece=0.5, max_brier=0.01).run(
        redundant["logistic"], redundant["X"], redundant["y"]
    )
    assert strict_brier.status == "fail" and "Brier" in strict_brier.reason


def test_probabilities_given_directly_and_the_reliability_diagram(
    redundant: dict[str, Any], tmp_path: Path
) -> None:
    proba = redundant["logistic"].predict_proba(redundant["X"])
    from_model = CalibrationCheck(strategy="quantile").run(
        redundant["logistic"], redundant["X"], redundant["y"]
    )
    from_array = CalibrationCheck(strategy="quantile").run(proba[:, 1], redundant["X"], redundant["y"])
    assert from_model.metrics == from_array.metrics
    svg = reliability_diagram(from_model, tmp_path / "reliability.svg")
    assert svg.startswith("<?xml") and "<svg" in svg
    assert (tmp_path / "reliability.svg").read_text() == svg
    with pytest.raises(BadInput, match="reliability_diagram: give the result of a CalibrationCheck"):
        reliability_diagram(CalibrationCheck(min_rows=10_000).run(proba, redundant["X"], redundant["y"]))


def test_coverage_of_intervals_at_their_nominal_level(diabetes: dict[str, Any]) -> None:
    pred, y = diabetes["pred"], diabetes["y"]
    honest = CoverageCheck(nominal=0.9).run(y, lower=pred - diabetes["q90"], upper=pred + diabetes["q90"])
    assert honest.status == "pass", honest.reason
    low, high = honest.intervals["coverage"]
    assert low <= 0.9 <= high and honest.metrics["mean_width"] == pytest.approx(2 * diabetes["q90"])
    narrow = CoverageCheck(nominal=0.9).run(y, lower=pred - diabetes["q50"], upper=pred + diabetes["q50"])
    assert narrow.status == "fail" and narrow.reason.startswith("intervals under-cover")
    wide = CoverageCheck(nominal=0.5).run(y, lower=pred - diabetes["q90"], upper=pred + diabetes["q90"])
    assert wide.status == "fail" and "over-cover" in wide.reason


def test_coverage_of_prediction_sets(redundant: dict[str, Any]) -> None:
    proba = redundant["logistic"].predict_proba(redundant["X"])
    y = redundant["y"]
    # Sets of every class with probability >= 0.05 (a crude, not conformal, rule): say what it covers.
    matrix = proba >= 0.05
    as_matrix = CoverageCheck(nominal=0.9).run(y, sets=matrix, classes=[0, 1])
    as_lists = CoverageCheck(nominal=0.9).run(y, sets=[np.flatnonzero(row).tolist() for row in matrix])
    assert as_matrix.metrics == as_lists.metrics
    assert 1 <= as_matrix.metrics["mean_set_size"] <= 2
    assert as_matrix.status in ("pass", "fail") and as_matrix.n == len(y)


def test_too_few_rows_is_insufficient_and_bad_input_is_one_line(redundant: dict[str, Any]) -> None:
    X, y = redundant["X"][:50], redundant["y"][:50]
    assert CalibrationCheck().run(redundant["logistic"], X, y).status == "insufficient"
    assert CoverageCheck(min_rows=100).run(y, lower=y - 1.0, upper=y + 1.0).status == "insufficient"
    with pytest.raises(BadInput, match="calibration: model \\(LinearRegression\\) has no predict_proba"):
        CalibrationCheck().run(LinearRegression().fit(X, y), X, y)
    with pytest.raises(BadInput, match="calibration: y has 1 missing \\(NaN/None\\) labels"):
        CalibrationCheck().run(redundant["logistic"], X, np.where(np.arange(50) == 3, np.nan, y))
    with pytest.raises(BadInput, match=r"calibration: model gave probabilities outside \[0, 1\]"):
        CalibrationCheck().run(np.full(50, 1.5), X, y)
    with pytest.raises(
        BadInput, match=r"calibration: model gave probabilities of shape \(20, 2\) for 50 rows"
    ):
        CalibrationCheck().run(np.full((20, 2), 0.5), X, y)
    with pytest.raises(BadInput, match="calibration: strategy 'kmeans' is not one of uniform, quantile"):
        CalibrationCheck(strategy="kmeans")
    with pytest.raises(BadInput, match="coverage: give either lower and upper"):
        CoverageCheck().run(y)
    with pytest.raises(BadInput, match=r"coverage: lower has shape \(3,\): give one bound per label \(50\)"):
        CoverageCheck().run(y, lower=[1, 2, 3], upper=y)
    with pytest.raises(BadInput, match="coverage: nominal must lie in"):
        CoverageCheck(nominal=1.5)


def test_same_inputs_and_seed_give_bit_identical_results(redundant: dict[str, Any]) -> None:
    runs = [
        CalibrationCheck(seed=3).run(redundant["bayes"], redundant["X"], redundant["y"]).to_json()
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    other = CalibrationCheck(seed=4).run(redundant["bayes"], redundant["X"], redundant["y"])
    assert other.to_json() != runs[0]  # the seed drives the bootstrap
