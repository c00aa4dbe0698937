"""The statistics under the verdicts agree with the well-kept libraries they stand in for."""

from __future__ import annotations

import numpy as np
from statsmodels.stats.multitest import multipletests

from mltrl.checks._stats import holm, wilson


def test_holm_matches_statsmodels_multipletests() -> None:
    rng = np.random.default_rng(0)
    for _ in range(40):  # multipletests runs gc.collect() each call: keep this short
        m = int(rng.integers(1, 40))
        p = rng.random(m) ** rng.uniform(0.5, 4)
        p[rng.integers(0, m, 3)] = p[0]  # ties
        alpha = float(rng.choice([0.01, 0.025, 0.05]))
        reject, adjusted = holm(p, alpha)
        expected_reject, expected_adjusted, _, _ = multipletests(p, alpha=alpha, method="holm")
        assert reject == list(expected_reject)
        assert np.allclose(adjusted, expected_adjusted, rtol=0, atol=1e-15)
    assert holm([], 0.05) == ([], [])


def test_wilson_stays_inside_zero_and_one() -> None:
    assert wilson(0, 500, 0.95)[0] == 0.0
    assert wilson(500, 500, 0.95)[1] == 1.0
    low, high = wilson(45, 50, 0.95)
    assert 0.78 < low < 0.9 < high < 0.96


def test_bootstrap_of_hits_by_counts_matches_resampling_rows() -> None:
    """Accuracy's bootstrap draws pattern counts instead of row indices: the same distribution
    (mean, spread and 95% interval of the paired difference) as resampling rows one by one."""
    import numpy as np

    from mltrl.checks import _stats

    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 2000)
    first = np.where(rng.random(2000) < 0.85, y, 1 - y)
    second = np.where(rng.random(2000) < 0.80, y, 1 - y)
    accuracy = _stats.METRICS["accuracy"]
    by_counts = _stats.bootstrap(
        accuracy, y, [first, second], combine=lambda v: v[0] - v[1], n_boot=4000, seed=1
    )
    rows = np.random.default_rng(2).integers(0, 2000, size=(4000, 2000))
    by_rows = (first[rows] == y[rows]).mean(axis=1) - (second[rows] == y[rows]).mean(axis=1)
    assert abs(by_counts.mean() - by_rows.mean()) < 0.001
    assert abs(by_counts.std() - by_rows.std()) / by_rows.std() < 0.05
    low_c, high_c = _stats.percentile_interval(by_counts, 0.95)
    low_r, high_r = _stats.percentile_interval(by_rows, 0.95)
    assert abs(low_c - low_r) < 0.003 and abs(high_c - high_r) < 0.003
    # Seeded: the same inputs and seed give the same draws, bit for bit.
    again = _stats.bootstrap(accuracy, y, [first, second], combine=lambda v: v[0] - v[1], n_boot=4000, seed=1)
    assert np.array_equal(by_counts, again)
