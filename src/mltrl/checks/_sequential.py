"""Always-valid inference for a difference of two means: the mixture sequential probability ratio test.

A canary is watched while it runs, and a test looked at after every batch of requests would cry wolf
far more often than its nominal 5% if each look used a fixed-horizon p-value. The mSPRT of Johari,
Pekelis and Walsh ("Always valid inference", Operations Research 2022) mixes the likelihood ratio
over a normal prior on the effect, N(0, tau^2); its p-value, the running minimum of 1/Lambda_n, is
valid at every look at once, so the test may stop at the first look where it falls below alpha.

For n paired observations per arm with per-pair variance sigma^2 of the difference and observed
difference theta_hat (against the null theta_0):

    Lambda_n = sqrt(sigma^2 / (sigma^2 + n tau^2)) * exp(n^2 tau^2 (theta_hat - theta_0)^2
                                                         / (2 sigma^2 (sigma^2 + n tau^2)))
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def log_lambda(n: int, diff: float, variance: float, tau2: float) -> float:
    """log Lambda_n of the mSPRT for a mean difference ``diff`` over ``n`` pairs (variance per pair)."""
    if n <= 0 or variance <= 0:
        return 0.0
    spread = variance + n * tau2
    return 0.5 * math.log(variance / spread) + (n * n * tau2 * diff * diff) / (2 * variance * spread)


def harm_looks(
    control: np.ndarray,
    treatment: np.ndarray,
    *,
    looks: Sequence[int],
    margin: float,
    alpha: float,
    tau2: float,
    higher_is_worse: bool,
) -> tuple[int | None, float]:
    """Watch ``treatment - control`` at each look (rows per arm); harm is a change in the bad direction
    beyond ``margin``. Returns (rows per arm at the look where harm was shown, or None; the always-valid
    p-value at the end: the smallest 1/Lambda over the looks where the change pointed to harm)."""
    sign = 1.0 if higher_is_worse else -1.0
    cum_c, cum_t = np.cumsum(control, dtype=float), np.cumsum(treatment, dtype=float)
    cum_c2 = np.cumsum(np.square(control, dtype=float))
    cum_t2 = np.cumsum(np.square(treatment, dtype=float))
    p_value = 1.0
    for n in looks:
        mean_c, mean_t = cum_c[n - 1] / n, cum_t[n - 1] / n
        var_c = max(cum_c2[n - 1] / n - mean_c * mean_c, 0.0)
        var_t = max(cum_t2[n - 1] / n - mean_t * mean_t, 0.0)
        # A floor keeps an arm with no variation yet (no error so far) from making Lambda explode.
        variance = max(var_c + var_t, 1.0 / n)
        excess = sign * (mean_t - mean_c) - margin
        if excess <= 0:
            continue  # pointing to no harm: this look cannot show harm
        p_value = min(p_value, math.exp(-log_lambda(n, excess, variance, tau2)))
        if p_value <= alpha:
            return n, p_value
    return None, p_value
