"""A check's result becomes evidence on the component's current versions, never a bare boolean."""

from __future__ import annotations

from typing import Any

import pytest

from mltrl.checks import CheckResult, GoldenCheck, record
from mltrl.errors import BadInput
from mltrl.service.registry import Registry

pytestmark = pytest.mark.usefixtures("lenient_entry")


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("rec", "Recycling", rd_owner="M. Chen")
    registry.components.add("rec/1.1", "Detector", kind="model", level=7, owner="M. Chen", reason="migrated")
    registry.versions.register("rec/1.1", "model", "1.0.0")
    registry.versions.register("rec/1.1", "data", "golden-2026.1")
    return registry


def test_a_golden_result_is_recorded_with_its_interval(reg: Registry, cancer: dict[str, Any]) -> None:
    result = GoldenCheck(metric="roc_auc", minimum=0.9, n_boot=200).run(
        cancer["good"], cancer["X"], cancer["y"]
    )
    evidence = record(reg, "rec/1.1", "L7.golden-dataset", result)
    assert evidence.outcome == "pass"
    assert evidence.kind == "test-run"
    low, high = result.intervals["roc_auc"]
    assert evidence.metrics == {
        "roc_auc": result.metrics["roc_auc"],
        "roc_auc_ci_low": low,
        "roc_auc_ci_high": high,
        "n": 228,
        "status": "pass",
    }
    assert evidence.versions == {"model": "1.0.0", "data": "golden-2026.1"}
    stored = reg.evidence.list("rec/1.1")[-1]
    assert stored.metrics["roc_auc_ci_low"] == low
    assert "golden: pass: roc_auc" in stored.note


def test_insufficient_is_recorded_as_a_fail_that_says_so(reg: Registry, cancer: dict[str, Any]) -> None:
    result = GoldenCheck(minimum=0.9).run(cancer["good"], cancer["X"].iloc[:12], cancer["y"].iloc[:12])
    evidence = record(reg, "rec/1.1", "L7.golden-dataset", result)
    assert evidence.outcome == "fail"
    assert evidence.metrics["status"] == "insufficient"
    assert "insufficient" in evidence.note and "fewer than min_rows=30" in evidence.note


def test_a_bare_boolean_or_unknown_criterion_records_nothing(reg: Registry) -> None:
    with pytest.raises(BadInput, match="record: result must be a CheckResult, not bool"):
        record(reg, "rec/1.1", "L7.golden-dataset", True)  # type: ignore[arg-type]
    with pytest.raises(BadInput, match=r"L7\.no-such"):
        record(reg, "rec/1.1", "L7.no-such", CheckResult("golden", "pass"))
    assert reg.evidence.list("rec/1.1") == []
