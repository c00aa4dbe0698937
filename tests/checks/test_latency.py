"""Latency and throughput against objectives, judged from timings; objectives read from requirements."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier

from mltrl.checks import LatencyCheck, record
from mltrl.errors import BadInput
from mltrl.service.registry import Registry


def timings(median_ms: float, n: int = 500, seed: int = 0) -> list[float]:
    """Seeded log-normal service times in seconds (a long right tail, as real latencies have)."""
    return list(np.random.default_rng(seed).lognormal(np.log(median_ms / 1000), 0.3, size=n))


def test_quantiles_inside_outside_and_straddling_the_objective() -> None:
    seconds = timings(20.0)  # p95 about 33 ms
    p95 = float(np.quantile(np.asarray(seconds) * 1000, 0.95))
    met = LatencyCheck(p95_ms=60).evaluate(seconds)
    assert met.status == "pass", met.reason
    assert met.metrics["p95_ms"] == pytest.approx(p95)
    low, high = met.intervals["p95_ms"]
    assert low < p95 < high < 60
    assert met.metrics["p50_ms"] < met.metrics["p95_ms"] < met.metrics["p99_ms"]
    missed = LatencyCheck(p95_ms=25).evaluate(seconds)
    assert missed.status == "fail" and missed.reason.startswith("objective missed: p95")
    close = LatencyCheck(p95_ms=round(p95, 1)).evaluate(seconds)
    assert close.status == "insufficient" and "run more calls" in close.reason
    few = LatencyCheck(p95_ms=60).evaluate(seconds[:50])
    assert few.status == "insufficient" and "fewer than min_calls=100" in few.reason


def test_throughput_and_errors() -> None:
    seconds = timings(10.0)  # one after another: about 100 calls a second
    result = LatencyCheck(min_throughput=50).evaluate(seconds)
    assert result.status == "pass"
    assert result.metrics["throughput"] == pytest.approx(len(seconds) / sum(seconds))
    low, high = result.intervals["throughput"]
    assert 50 < low < result.metrics["throughput"] < high
    assert LatencyCheck(min_throughput=500).evaluate(seconds).status == "fail"
    four_workers = LatencyCheck(min_throughput=300).evaluate(seconds, wall_seconds=sum(seconds) / 4)
    assert four_workers.status == "pass"
    broken = seconds[:]
    broken[3] = broken[7] = float("nan")  # two calls raised
    failed = LatencyCheck(p95_ms=60).evaluate(broken)
    assert failed.status == "fail" and "2 of 500 calls raised" in failed.reason
    assert failed.metrics["errors"] == 2
    assert LatencyCheck(p95_ms=60, max_error_rate=0.01).evaluate(broken).status == "pass"


def test_a_real_model_timed_and_a_service_that_raises() -> None:
    X, y = load_breast_cancer(return_X_y=True)
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    rows = [X[i : i + 1] for i in range(40)]
    result = LatencyCheck(p99_ms=60_000, calls=120, concurrency=2).run(model.predict, rows)
    assert result.n == 120 and result.metrics["errors"] == 0
    as_table = LatencyCheck(p99_ms=60_000, calls=100).run(model.predict, X[:40])  # rows one at a time
    assert as_table.n == 100 and as_table.metrics["errors"] == 0
    assert 0 < result.metrics["p50_ms"] <= result.metrics["p95_ms"] <= result.metrics["p99_ms"]

    def flaky(row: Any) -> Any:
        if row[0, 0] > 20:  # the service cannot handle the largest tumours
            raise RuntimeError("overloaded")
        return model.predict(row)

    big = sum(1 for i in range(120) if rows[i % 40][0, 0] > 20)
    failed = LatencyCheck(p99_ms=60_000, calls=120).run(flaky, rows)
    assert failed.status == "fail" and f"{big} of 120 calls raised" in failed.reason


def test_objectives_read_from_a_requirement(registry: Registry) -> None:
    registry.projects.create("rec", "Recycling", rd_owner="M. Chen")
    registry.requirements.add(
        "rec", "1", "The app shall classify an item in under 100 ms on a mid-range phone",
        kind="product", category="product", p_failure=0.2, value=7,
    )  # fmt: skip
    registry.requirements.add(
        "rec", "2", "The service shall keep p99 latency under 0.5 s at 50 requests per second",
        kind="product", category="technical", p_failure=0.3, value=5,
    )  # fmt: skip
    registry.requirements.add(
        "rec",
        "3",
        "The app shall show its sources",
        kind="product",
        category="product",
        p_failure=0.1,
        value=2,
    )
    first, second, third = registry.requirements.list("rec")
    check = LatencyCheck.from_requirement(first)
    assert (check.p95_ms, check.requirement) == (100.0, "1")
    assert check.evaluate(timings(20.0)).threshold["requirement"] == "1"
    check = LatencyCheck.from_requirement(second, calls=50)
    assert (check.p99_ms, check.min_throughput, check.calls) == (500.0, 50.0, 50)
    assert LatencyCheck.from_requirement("median response within 40 ms").p50_ms == 40.0
    with pytest.raises(BadInput, match="latency: requirement 3 states no latency or throughput objective"):
        LatencyCheck.from_requirement(third)


def test_recorded_for_the_stress_test_criterion(registry: Registry, lenient_entry: Any) -> None:
    registry.projects.create("rec", "Recycling", rd_owner="M. Chen")
    registry.components.add("rec/1.1", "Detector", kind="model", level=8, owner="M. Chen", reason="migrated")
    registry.versions.register("rec/1.1", "model", "1.0.0")
    evidence = record(registry, "rec/1.1", "L8.stress-tests", LatencyCheck(p95_ms=60).evaluate(timings(20.0)))
    assert evidence.outcome == "pass" and evidence.metrics["p95_ms_ci_high"] < 60


def test_bad_input_is_one_line_and_same_timings_give_identical_results() -> None:
    with pytest.raises(
        BadInput, match="latency: give an objective: p50_ms, p95_ms, p99_ms or min_throughput"
    ):
        LatencyCheck()
    with pytest.raises(BadInput, match="latency: p95_ms must be a number above 0, not -1"):
        LatencyCheck(p95_ms=-1)
    with pytest.raises(BadInput, match=r"latency: fn \(RandomForestClassifier\) is not callable"):
        LatencyCheck(p95_ms=1).run(RandomForestClassifier(), [1])
    with pytest.raises(BadInput, match="latency: inputs is empty"):
        LatencyCheck(p95_ms=1).run(print, [])
    with pytest.raises(
        BadInput, match="latency: inputs must be a list of arguments for fn or a table, not int"
    ):
        LatencyCheck(p95_ms=1).run(print, 3)
    with pytest.raises(BadInput, match="latency: seconds holds negative or infinite timings"):
        LatencyCheck(p95_ms=1).evaluate([0.1, -0.2])
    seconds = timings(20.0, seed=5)
    assert (
        LatencyCheck(p95_ms=30, seed=2).evaluate(seconds).to_json()
        == LatencyCheck(p95_ms=30, seed=2).evaluate(seconds).to_json()
    )
