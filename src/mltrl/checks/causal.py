"""Causal checks: covariate balance, overlap (positivity) and an E-value sensitivity analysis.

MLTRL's causal-inference use-case asks that confounding adjustment be checked (levels 1 and 4),
and that the estimates survive violations of their assumptions (level 2). These checks make each a
measured result rather than a note:

- :class:`BalanceCheck`: the standardised mean difference (SMD) of every covariate between treated
  and untreated rows, before and after inverse-propensity weighting; balanced when every adjusted
  |SMD| is at most ``max_smd`` (0.1, the usual rule), with a bootstrap interval for the worst one.
- :class:`OverlapCheck`: the share of rows whose estimated propensity lies inside
  ``[bound, 1 - bound]``, with a Wilson interval; positivity is in doubt when that share is shown
  below ``min_share``.
- :class:`EValueCheck`: VanderWeele and Ding's E-value (2017) of an estimated risk ratio and of its
  confidence bound nearest to 1: how strongly an unmeasured confounder would have to be associated
  with both treatment and outcome (as a risk ratio) to explain the effect away. Robust when the
  bound's E-value reaches ``min_e_value``.

Propensities come from a scikit-learn logistic regression on the standardised covariates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mltrl.checks import _inputs, _stats
from mltrl.checks.result import CheckResult
from mltrl.errors import BadInput


def _treated(
    check: str, data: Any, treatment: str, covariates: Sequence[str] | None
) -> tuple[np.ndarray, pd.DataFrame]:
    if not isinstance(data, pd.DataFrame):
        raise BadInput(f"{check}: data must be a table (a pandas DataFrame), not {type(data).__name__}")
    if treatment not in data.columns:
        raise BadInput(f"{check}: data has no treatment column {treatment!r}")
    values = data[treatment]
    if values.isna().any() or not values.isin([0, 1, True, False]).all():
        raise BadInput(f"{check}: treatment column {treatment!r} must hold 0/1 or true/false for every row")
    t = values.astype(int).to_numpy()
    if t.min() == t.max():
        raise BadInput(
            f"{check}: every row has treatment {t[0]}: a comparison needs treated and untreated rows"
        )
    names = list(covariates) if covariates is not None else [c for c in data.columns if c != treatment]
    missing = [c for c in names if c not in data.columns]
    if missing:
        raise BadInput(f"{check}: data has no covariate column {missing[0]!r}")
    X = data[names]
    numeric = X.select_dtypes("number")
    if numeric.shape[1] != X.shape[1]:
        other = next(c for c in names if c not in numeric.columns)
        raise BadInput(f"{check}: covariate {other!r} is not numeric (encode it first)")
    if X.isna().any().any():
        raise BadInput(f"{check}: covariate {X.columns[X.isna().any()][0]!r} has missing values")
    return t, X.astype(float)


def propensity(t: np.ndarray, X: pd.DataFrame, seed: int = 0) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=seed))
    return model.fit(X, t).predict_proba(X)[:, 1]


def smd(values: np.ndarray, t: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Standardised mean differences, one per column: (mean treated - mean untreated) / pooled sd."""
    w = np.ones(len(t)) if weights is None else weights
    out = []
    for column in values.T:
        m1 = np.average(column[t == 1], weights=w[t == 1])
        m0 = np.average(column[t == 0], weights=w[t == 0])
        v1 = np.average((column[t == 1] - m1) ** 2, weights=w[t == 1])
        v0 = np.average((column[t == 0] - m0) ** 2, weights=w[t == 0])
        pooled = math.sqrt((v1 + v0) / 2)
        out.append(0.0 if pooled == 0 else (m1 - m0) / pooled)
    return np.asarray(out)


@dataclass(frozen=True)
class BalanceCheck:
    treatment: str
    covariates: Sequence[str] | None = None
    max_smd: float = 0.1
    trim: float = 0.01  # propensities clipped to [trim, 1 - trim] before weighting
    n_boot: int = 200
    confidence: float = 0.95
    min_rows: int = 50
    seed: int = 0
    name: str = "balance"

    def run(self, data: Any) -> CheckResult:
        check = self.name
        t, X = _treated(check, data, self.treatment, self.covariates)
        threshold = {
            "text": f"every covariate's |SMD| after weighting <= {self.max_smd:g}",
            "max_smd": self.max_smd,
        }
        if min((t == 1).sum(), (t == 0).sum()) < self.min_rows:
            return CheckResult(
                check,
                "insufficient",
                threshold=threshold,
                n=len(t),
                reason=f"fewer than min_rows={self.min_rows} treated or untreated rows",
            )
        values = X.to_numpy()
        score = np.clip(propensity(t, X, self.seed), self.trim, 1 - self.trim)
        weights = np.where(t == 1, 1 / score, 1 / (1 - score))
        before, after = smd(values, t), smd(values, t, weights)
        rng = np.random.default_rng(self.seed)
        worst = np.empty(self.n_boot)
        for i in range(self.n_boot):  # rows resampled, weights kept: the spread of the adjusted worst SMD
            idx = rng.integers(0, len(t), len(t))
            if t[idx].min() == t[idx].max():
                worst[i] = np.nan
                continue
            worst[i] = np.max(np.abs(smd(values[idx], t[idx], weights[idx])))
        low, high = _stats.percentile_interval(worst, self.confidence)
        details = sorted(
            (
                {"covariate": c, "smd_before": float(b), "smd_after": float(a)}
                for c, b, a in zip(X.columns, before, after, strict=True)
            ),
            key=lambda row: -abs(row["smd_after"]),
        )
        metrics = {
            "max_abs_smd_before": float(np.max(np.abs(before))),
            "max_abs_smd_after": float(np.max(np.abs(after))),
        }
        intervals = {"max_abs_smd_after": (low, high)}
        unbalanced = [d["covariate"] for d in details if abs(d["smd_after"]) > self.max_smd]
        if unbalanced:
            return CheckResult(
                check,
                "fail",
                metrics,
                intervals,
                threshold,
                f"after weighting, {', '.join(unbalanced[:5])} keep |SMD| above {self.max_smd:g} "
                f"(worst {metrics['max_abs_smd_after']:.3f})",
                details,
                len(t),
            )
        return CheckResult(
            check,
            "pass",
            metrics,
            intervals,
            threshold,
            f"weighting brings the worst |SMD| from {metrics['max_abs_smd_before']:.3f} to "
            f"{metrics['max_abs_smd_after']:.3f} [{low:.3f}, {high:.3f}], within {self.max_smd:g}",
            details,
            len(t),
        )


@dataclass(frozen=True)
class OverlapCheck:
    treatment: str
    covariates: Sequence[str] | None = None
    bound: float = 0.05
    min_share: float = 0.95
    confidence: float = 0.95
    min_rows: int = 50
    seed: int = 0
    name: str = "overlap"

    def run(self, data: Any) -> CheckResult:
        check = self.name
        _inputs.fraction(check, self.bound, "bound")
        t, X = _treated(check, data, self.treatment, self.covariates)
        threshold = {
            "text": f"at least {self.min_share:.0%} of rows with propensity in "
            f"[{self.bound:g}, {1 - self.bound:g}]",
            "bound": self.bound,
            "min_share": self.min_share,
        }
        if len(t) < self.min_rows:
            return CheckResult(
                check,
                "insufficient",
                threshold=threshold,
                n=len(t),
                reason=f"{len(t)} rows, fewer than min_rows={self.min_rows}",
            )
        score = propensity(t, X, self.seed)
        inside = (score >= self.bound) & (score <= 1 - self.bound)
        low, high = _stats.wilson(int(inside.sum()), len(t), self.confidence)
        metrics = {
            "share_inside": float(inside.mean()),
            "propensity_min": float(score.min()),
            "propensity_max": float(score.max()),
        }
        details = [
            {"arm": arm, "rows": int((t == v).sum()), "outside": int((~inside & (t == v)).sum())}
            for arm, v in (("treated", 1), ("untreated", 0))
        ]
        if high < self.min_share:
            return CheckResult(
                check,
                "fail",
                metrics,
                {"share_inside": (low, high)},
                threshold,
                f"only {inside.mean():.1%} [{low:.1%}, {high:.1%}] of rows have propensity in "
                f"[{self.bound:g}, {1 - self.bound:g}]: positivity is in doubt",
                details,
                len(t),
            )
        return CheckResult(
            check,
            "pass",
            metrics,
            {"share_inside": (low, high)},
            threshold,
            f"{inside.mean():.1%} [{low:.1%}, {high:.1%}] of rows overlap",
            details,
            len(t),
        )


def e_value(risk_ratio: float) -> float:
    """VanderWeele & Ding's E-value of a risk ratio (a protective one is inverted first)."""
    rr = risk_ratio if risk_ratio >= 1 else 1 / risk_ratio
    return rr + math.sqrt(rr * (rr - 1))


@dataclass(frozen=True)
class EValueCheck:
    min_e_value: float = 2.0
    name: str = "e-value"

    def run(self, risk_ratio: float, ci_low: float, ci_high: float) -> CheckResult:
        check = self.name
        for argument, value in (("risk_ratio", risk_ratio), ("ci_low", ci_low), ("ci_high", ci_high)):
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or value <= 0
            ):
                raise BadInput(f"{check}: {argument} must be a positive number (a risk ratio), not {value!r}")
        if not ci_low <= risk_ratio <= ci_high:
            raise BadInput(
                f"{check}: the interval [{ci_low:g}, {ci_high:g}] does not contain "
                f"the estimate {risk_ratio:g}"
            )
        point = e_value(risk_ratio)
        # The bound nearest to 1; an interval that contains 1 has an E-value of 1 for its bound.
        bound = 1.0 if ci_low <= 1 <= ci_high else e_value(ci_low if risk_ratio > 1 else ci_high)
        threshold = {
            "text": f"E-value of the confidence bound >= {self.min_e_value:g}",
            "min_e_value": self.min_e_value,
        }
        metrics = {"risk_ratio": float(risk_ratio), "e_value": point, "e_value_bound": bound}
        intervals = {"risk_ratio": (float(ci_low), float(ci_high))}
        reason = (
            f"an unmeasured confounder associated with treatment and outcome by a risk ratio of {bound:.2f} "
            f"each could move the interval to 1 (E-value {point:.2f} for the estimate)"
        )
        status = "pass" if bound >= self.min_e_value else "fail"
        return CheckResult(
            check, status, metrics, intervals, threshold, f"{reason}; required {self.min_e_value:g}", (), 0
        )
