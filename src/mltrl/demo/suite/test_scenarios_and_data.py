"""Critical scenarios of the risk table, and data validation where data enter and after processing."""

from __future__ import annotations

from pathlib import Path

import pytest

from mltrl.checks import DataValidationCheck, ScenarioSuite
from mltrl.demo import detector as bins

HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.mltrl(component="recycling/1.1")


@pytest.mark.mltrl(criterion="L7.critical-scenarios", rubric="M6")
def test_critical_scenarios(detector, golden, mltrl_evidence):
    X, y = golden
    suite = ScenarioSuite.from_yaml(mltrl_evidence.read(HERE / "scenarios.yaml"))
    mltrl_evidence.result(suite.run(detector, X, y)).assert_pass()


@pytest.mark.mltrl(criterion="L7.data-validation", rubric="D1")
def test_photos_as_they_arrive(golden, mltrl_evidence):
    X, _ = golden
    check = DataValidationCheck.from_yaml(mltrl_evidence.read(HERE / "expectations.yaml"))
    mltrl_evidence.result(check.run(X, stage="ingestion")).assert_pass()


@pytest.mark.mltrl(criterion="L7.data-validation", rubric="D7")
def test_features_after_processing(detector, golden, mltrl_evidence):
    X, _ = golden
    reference = detector.processed(bins.training()[0])
    check = DataValidationCheck.infer(reference)  # the scaling step keeps every feature in [0, 1]
    mltrl_evidence.result(check.run(detector.processed(X), stage="processed")).assert_pass()
