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
