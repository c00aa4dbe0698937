"""The detector as a model: uncertainty, a baseline, reproducible training, single examples, speed."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier

from mltrl.checks import CalibrationCheck, GoldenCheck, LatencyCheck
from mltrl.demo import detector as bins

pytestmark = pytest.mark.mltrl(component="recycling/1.1")
#: Requirement 1 of the risk table: "The app shall classify an item in under 100 ms on a mid-range phone".
LATENCY_REQUIREMENT = "The app shall classify an item in under 100 ms on a mid-range phone"


@pytest.mark.mltrl(criterion="L7.uncertainty", rubric="I4")
def test_probabilities_are_calibrated(detector, golden, mltrl_evidence):
    X, y = golden
    check = CalibrationCheck(max_ece=0.1, bins=10, n_boot=500)
    mltrl_evidence.result(check.run(detector, X, y)).assert_pass()


@pytest.mark.mltrl(rubric="M5")
def test_a_simpler_model_does_no_better(detector, golden):
    X, y = golden
    train, y_train = bins.training()
    baseline = DummyClassifier(strategy="most_frequent").fit(train[bins.PIXELS], y_train)
    check = GoldenCheck(metric="accuracy", non_inferiority_margin=0.01, n_boot=500)
    # The detector must show it beats the baseline: the baseline is the "champion" it must not trail.
    check.run(detector.predict(X), X, y, champion=baseline.predict(X[bins.PIXELS])).assert_pass()
    assert (detector.predict(X) == y).mean() > (baseline.predict(X[bins.PIXELS]) == y).mean() + 0.5


@pytest.mark.mltrl(rubric="I1")
def test_training_is_reproducible(golden):
    X, _ = golden
    first, second = bins.Detector(), bins.Detector()
    assert np.array_equal(first.predict_proba(X), second.predict_proba(X))


@pytest.mark.mltrl(rubric=["I2", "I5"])
def test_one_example_at_a_time_and_bad_shapes(detector, golden):
    X, _ = golden
    one = X.iloc[[0]]
    assert detector.predict(one).shape == (1,)
    assert detector.predict_proba(one).sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="64 pixel columns"):
        detector.predict(np.zeros((1, 10)))


@pytest.mark.mltrl(rubric="Mon5")
def test_outputs_are_finite(detector, golden):
    X, _ = golden
    dark = X.copy()
    dark[bins.PIXELS] = 0
    assert np.isfinite(detector.predict_proba(X)).all() and np.isfinite(detector.predict_proba(dark)).all()


@pytest.mark.mltrl(criterion="L8.stress-tests", requirement="1", rubric="Mon6")
def test_latency_meets_requirement_1(detector, golden, mltrl_evidence):
    X, _ = golden
    check = LatencyCheck.from_requirement(LATENCY_REQUIREMENT, calls=200)
    mltrl_evidence.result(check.run(detector.predict, X)).assert_pass()
