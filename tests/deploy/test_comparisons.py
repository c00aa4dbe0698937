"""Shadow, canary and A/B comparisons on generated request logs: verdicts, honesty, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mltrl.checks.deployment import ABTest, CanaryCheck, Columns, ShadowCheck
from mltrl.errors import BadInput


def logs(
    n: int, *, error: float = 0.05, accuracy: float = 0.9, latency: float = 20.0, seed: int = 0
) -> pd.DataFrame:
    """Requests with ids, a prediction, its actual, an error flag and a latency in ms."""
    rng = np.random.default_rng(seed)
    actual = rng.integers(0, 2, n)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "prediction": np.where(rng.random(n) < accuracy, actual, 1 - actual),
            "actual": actual,
            "error": rng.random(n) < error,
            "latency_ms": rng.gamma(2.0, latency / 2, n),
            "device": rng.choice(["old-phone", "new-phone"], n),
        }
    )


def test_shadow_agreement_with_slices_and_latency() -> None:
    champion = logs(4000, seed=1)
    candidate = champion.copy()
    old = candidate.index[candidate["device"] == "old-phone"][:300]
    candidate.loc[old, "prediction"] = 1 - candidate.loc[old, "prediction"]  # disagrees on old phones
    check = ShadowCheck(min_agreement=0.9, columns=Columns(latency="latency_ms", slices=("device",)))
    result = check.run(champion, candidate)
    assert result.status == "pass"  # 92.5% agreement against a required 90%
    assert result.metrics["agreement"] == pytest.approx(1 - 300 / 4000)
    worst = result.details[0]
    assert worst["slice"] == "device=old-phone" and worst["disagreements"] == 300
    assert "latency_p95_candidate" in result.intervals


def test_shadow_fails_when_agreement_is_shown_too_low_and_refuses_mismatched_ids() -> None:
    champion = logs(4000, seed=2)
    candidate = champion.copy()
    candidate.loc[:600, "prediction"] = 1 - candidate.loc[:600, "prediction"]
    result = ShadowCheck(min_agreement=0.95).run(champion, candidate)
    assert result.status == "fail" and "below 0.95" in result.reason
    with pytest.raises(BadInput, match="ids do not match: 10 only in the champion's"):
        ShadowCheck().run(champion, candidate.iloc[10:])
    assert ShadowCheck().run(champion.iloc[:50], candidate.iloc[:50]).status == "insufficient"


def test_canary_catches_a_two_point_error_regression_early() -> None:
    result = CanaryCheck(columns=Columns(error="error", latency="latency_ms")).run(
        logs(20_000, error=0.05, seed=3), logs(20_000, error=0.07, seed=4)
    )
    assert result.status == "fail" and "error_rate up" in result.reason
    assert result.metrics["requests_per_arm"] < 20_000  # it stopped at an early look
    lo, hi = result.intervals["error_rate_diff"]
    assert lo < 0.02 < hi or lo > 0


def test_canary_a_a_rarely_cries_wolf() -> None:
    """The sequential test looks 40 times per run; its false-alarm rate stays under 5%."""
    alarms = sum(
        CanaryCheck().run(logs(20_000, seed=100 + 2 * i), logs(20_000, seed=101 + 2 * i)).status == "fail"
        for i in range(100)
    )
    assert alarms <= 8  # 5% of 100 plus sampling error


def test_canary_guards_quality_and_latency() -> None:
    champion = logs(5000, seed=5)
    worse = logs(5000, seed=6, accuracy=0.85, latency=40)
    check = CanaryCheck(columns=Columns(error="error", actual="actual", latency="latency_ms"))
    result = check.run(champion, worse)
    assert result.status == "fail"
    assert "accuracy down" in result.reason and "p95 latency" in result.reason


def test_ab_test_decisions_and_sample_ratio_mismatch() -> None:
    cols = Columns(actual="actual")
    better = ABTest(columns=cols).run(logs(6000, seed=7), logs(6000, seed=8, accuracy=0.93))
    assert (better.status, better.labels["decision"]) == ("pass", "ship")
    worse = ABTest(columns=cols).run(logs(6000, seed=9), logs(6000, seed=10, accuracy=0.87))
    assert (worse.status, worse.labels["decision"]) == ("fail", "hold")
    small = ABTest(columns=cols, mde=0.001).run(logs(500, seed=11), logs(500, seed=12))
    assert (small.status, small.labels["decision"]) == ("insufficient", "inconclusive")
    assert "not the 0.001 asked" in small.reason
    srm = ABTest(columns=cols).run(logs(6000, seed=13), logs(5000, seed=14))
    assert (srm.status, srm.labels["decision"]) == (
        "fail",
        "invalid",
    ) and "sample-ratio mismatch" in srm.reason


def test_same_inputs_and_seed_give_identical_results() -> None:
    a, b = logs(3000, seed=15), logs(3000, seed=16)
    check = ShadowCheck(columns=Columns(latency="latency_ms"), min_agreement=0.0)
    assert check.run(a, b).to_json() == check.run(a, b).to_json()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ShadowCheck().run(logs(200), logs(0)), "candidate is empty"),
        (
            lambda: ShadowCheck().run(logs(200), logs(200).drop(columns="prediction")),
            "no column 'prediction'",
        ),
        (lambda: CanaryCheck(columns=Columns()), "name an error column or an actual column"),
        (lambda: CanaryCheck().run(logs(200), logs(200).assign(error="x")), "must hold true/false or 0/1"),
        (lambda: ABTest(split=1.5), "split must lie in"),
        (lambda: ABTest().run(logs(200), logs(200)), "needs an actual column"),
        (lambda: ShadowCheck().run([1, 2], logs(200)), "champion must be a table"),
        (lambda: ShadowCheck().run(pd.concat([logs(10), logs(10)]), logs(20)), "appears more than once"),
    ],
)
def test_bad_input_is_one_line(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadInput, match=message) as caught:
        build()
    assert "\n" not in str(caught.value)
