"""Causal checks on generated observational data with a known confounder."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mltrl.checks.causal import BalanceCheck, EValueCheck, OverlapCheck, e_value
from mltrl.errors import BadInput


def study(n: int, *, strength: float = 1.0, seed: int = 0) -> pd.DataFrame:
    """Age and severity drive who is treated (by ``strength``); noise does not."""
    rng = np.random.default_rng(seed)
    age, severity, noise = rng.normal(60, 10, n), rng.normal(0, 1, n), rng.normal(0, 1, n)
    logit = strength * (0.08 * (age - 60) + 0.8 * severity)
    treated = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"age": age, "severity": severity, "noise": noise, "treated": treated})


def test_weighting_balances_measured_confounders() -> None:
    result = BalanceCheck("treated").run(study(3000, seed=1))
    assert result.metrics["max_abs_smd_before"] > 0.3  # confounded before adjustment
    assert result.status == "pass" and result.metrics["max_abs_smd_after"] < 0.1
    assert result.details[0]["covariate"] in {"age", "severity", "noise"}


def test_overlap_fails_when_treatment_is_nearly_deterministic() -> None:
    assert OverlapCheck("treated").run(study(2000, strength=0.5, seed=3)).status == "pass"
    strong = OverlapCheck("treated").run(study(2000, strength=8, seed=4))
    assert strong.status == "fail" and "positivity is in doubt" in strong.reason


def test_e_values_match_vanderweele_and_ding() -> None:
    assert e_value(3.9) == pytest.approx(7.26, abs=0.01)  # the worked example of the 2017 paper
    assert e_value(1 / 3.9) == pytest.approx(e_value(3.9))
    robust = EValueCheck(min_e_value=2).run(3.9, 1.8, 8.7)
    assert robust.status == "pass" and robust.metrics["e_value_bound"] == pytest.approx(e_value(1.8))
    fragile = EValueCheck(min_e_value=2).run(1.3, 0.9, 1.8)
    assert fragile.status == "fail" and fragile.metrics["e_value_bound"] == 1.0


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: BalanceCheck("arm").run(study(200)), "no treatment column 'arm'"),
        (lambda: BalanceCheck("treated").run(study(200).assign(treated=2)), "must hold 0/1"),
        (lambda: BalanceCheck("treated").run(study(200).assign(treated=1)), "needs treated and untreated"),
        (lambda: BalanceCheck("treated").run(study(200).assign(site="a")), "'site' is not numeric"),
        (lambda: EValueCheck().run(2.0, 2.5, 3.0), "does not contain the estimate"),
        (lambda: EValueCheck().run(-1.0, 0.5, 3.0), "must be a positive number"),
    ],
)
def test_bad_input_is_one_line(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadInput, match=message):
        build()
