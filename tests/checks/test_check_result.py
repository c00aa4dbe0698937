"""The result contract: structured, strict JSON, never a bare boolean."""

from __future__ import annotations

import json
import math

import pytest

from mltrl.checks import CheckResult


def _result(status: str = "pass") -> CheckResult:
    return CheckResult(
        check="golden",
        status=status,
        metrics={"auc": 0.91, "undefined": math.nan},
        intervals={"auc": (0.88, 0.94)},
        threshold={"text": "auc >= 0.85", "minimum": 0.85},
        reason="auc 0.91\n[0.88, 0.94] holds",
        details=[{"slice": "all", "n": 120}],
        n=120,
    )


def test_to_json_is_strict_and_complete() -> None:
    text = _result().to_json()
    payload = json.loads(text, parse_constant=lambda word: pytest.fail(f"non-strict JSON: {word}"))
    assert payload["status"] == "pass"
    assert payload["metrics"] == {"auc": 0.91, "undefined": None}
    assert payload["intervals"] == {"auc": [0.88, 0.94]}
    assert payload["threshold"]["minimum"] == 0.85
    assert payload["reason"] == "auc 0.91 [0.88, 0.94] holds"  # one line
    assert payload["n"] == 120


def test_a_result_is_not_a_boolean() -> None:
    with pytest.raises(TypeError, match="not a boolean"):
        assert _result("fail")
    assert _result().passed
    assert not _result("insufficient").passed


def test_assert_pass_says_why() -> None:
    with pytest.raises(AssertionError, match="golden: insufficient: auc"):
        _result("insufficient").assert_pass()


def test_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="status 'ok'"):
        _result("ok")


def test_caller_mutation_does_not_change_the_result() -> None:
    metrics = {"auc": 0.9}
    result = CheckResult("golden", "pass", metrics=metrics)
    metrics["auc"] = 0.1
    assert result.metrics["auc"] == 0.9


def test_evidence_metrics_are_flat_and_finite() -> None:
    flat = _result().evidence_metrics()
    assert flat == {"auc": 0.91, "auc_ci_low": 0.88, "auc_ci_high": 0.94, "n": 120, "status": "pass"}
