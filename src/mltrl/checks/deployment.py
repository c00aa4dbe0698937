"""Deployment comparisons from logged predictions of two versions: shadow, canary and A/B.

Each takes the **champion's** and the **candidate's** logs as tables (pandas DataFrames, or files
through the CLI): one row per request with an id column, the prediction, and optionally the
latency in milliseconds, an error flag (the request failed) and the actual outcome once known.

- :class:`ShadowCheck`: the candidate saw the same requests as the champion without serving them.
  Ids must match one to one. Agreement rate with a Wilson interval against ``min_agreement``; where
  they disagree, by slice; the latency of both, and the candidate's p95 against the champion's.
- :class:`CanaryCheck`: the candidate serves a share of live traffic beside the champion. Guardrails
  (error rate, quality when actuals exist) are watched with an always-valid sequential test
  (:mod:`mltrl.checks._sequential`) that may stop at the first look showing harm without inflating
  false alarms; latency p95 is judged on all the data.
- :class:`ABTest`: a difference in a metric between the two arms with a confidence interval and a
  decision: ``ship`` (the candidate is shown better), ``hold`` (shown worse) or ``inconclusive``, with
  whether the sample could detect the stated minimum effect; a sample-ratio mismatch (assignment
  counts far from the planned split) makes the test ``fail`` before any metric is read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mltrl.checks import _inputs, _sequential, _stats
from mltrl.checks.result import CheckResult
from mltrl.errors import BadInput

KINDS = ("shadow", "canary", "ab-test")


@dataclass(frozen=True)
class Columns:
    """Which columns of the logs hold what; only ``id`` and ``prediction`` are required."""

    id: str = "id"
    prediction: str = "prediction"
    latency: str | None = None  # milliseconds
    error: str | None = None  # true/1 when the request failed
    actual: str | None = None  # the outcome, once known
    slices: Sequence[str] = ()  # columns to break disagreements down by (shadow)


def _frame(check: str, data: Any, argument: str, columns: Columns, *, need: Sequence[str]) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise BadInput(f"{check}: {argument} must be a table (a pandas DataFrame), not {type(data).__name__}")
    if data.empty:
        raise BadInput(f"{check}: {argument} is empty: a comparison needs requests on both sides")
    for name in [columns.id, columns.prediction, *need]:
        if name not in data.columns:
            have = ", ".join(map(str, data.columns))
            raise BadInput(f"{check}: {argument} has no column {name!r} (it has: {have})")
    if data[columns.id].duplicated().any():
        repeated = data[columns.id][data[columns.id].duplicated()].iloc[0]
        raise BadInput(f"{check}: {argument}: request id {repeated!r} appears more than once")
    for name in need:
        if data[name].isna().any():
            raise BadInput(
                f"{check}: {argument}: column {name!r} has {int(data[name].isna().sum())} missing values"
            )
    return data


def _latency_p95(
    values: np.ndarray, seed: int, n_boot: int, confidence: float
) -> tuple[float, tuple[float, float]]:
    rng = np.random.default_rng(seed)
    point = float(np.percentile(values, 95))
    # Bootstrap the quantile in bounded blocks: each resample sorts its rows once.
    samples = np.empty(n_boot)
    block = max(1, 2_000_000 // len(values))
    for start in range(0, n_boot, block):
        size = min(block, n_boot - start)
        idx = rng.integers(0, len(values), size=(size, len(values)))
        samples[start : start + size] = np.percentile(values[idx], 95, axis=1)
    return point, _stats.percentile_interval(samples, confidence)


@dataclass(frozen=True)
class ShadowCheck:
    """Agreement of the candidate with the champion on the same requests."""

    min_agreement: float = 0.95
    max_latency_increase: float | None = 0.2  # the candidate's p95 may be at most 20% above the champion's
    columns: Columns = field(default_factory=Columns)
    min_rows: int = 100
    confidence: float = 0.95
    seed: int = 0
    n_boot: int = 500
    name: str = "shadow"

    def __post_init__(self) -> None:
        _inputs.fraction(self.name, self.min_agreement, "min_agreement")
        if self.max_latency_increase is not None and not (
            isinstance(self.max_latency_increase, (int, float)) and self.max_latency_increase >= 0
        ):
            raise BadInput(
                f"{self.name}: max_latency_increase must be 0 or more, not {self.max_latency_increase!r}"
            )
        _inputs.positive_int(self.name, self.min_rows, "min_rows")
        _inputs.positive_int(self.name, self.n_boot, "n_boot")
        _inputs.confidence(self.name, self.confidence)

    def run(self, champion: Any, candidate: Any) -> CheckResult:
        check, cols = self.name, self.columns
        latency = [cols.latency] if cols.latency else []
        champ = _frame(check, champion, "champion", cols, need=latency)
        cand = _frame(check, candidate, "candidate", cols, need=latency)
        only_champion = set(champ[cols.id]) - set(cand[cols.id])
        only_candidate = set(cand[cols.id]) - set(champ[cols.id])
        if only_champion or only_candidate:
            example = sorted(map(str, only_champion or only_candidate))[0]
            raise BadInput(
                f"{check}: the logs' request ids do not match: {len(only_champion)} only in the champion's, "
                f"{len(only_candidate)} only in the candidate's (e.g. {example!r}); "
                "a shadow sees the same requests"
            )
        slice_columns = [c for c in cols.slices if c in champ.columns]
        missing_slices = [c for c in cols.slices if c not in champ.columns]
        if missing_slices:
            raise BadInput(f"{check}: champion has no slice column {missing_slices[0]!r}")
        joined = champ.merge(cand, on=cols.id, suffixes=("_champion", "_candidate"))
        rows = len(joined)
        threshold = {
            "text": f"agreement >= {self.min_agreement:g}"
            + (
                f"; candidate p95 latency <= champion's x {1 + self.max_latency_increase:g}"
                if latency and self.max_latency_increase is not None
                else ""
            )
            + f" ({self.confidence:.0%} CI, at least {self.min_rows} requests)",
            "min_agreement": self.min_agreement,
            "max_latency_increase": self.max_latency_increase,
        }
        if rows < self.min_rows:
            return CheckResult(
                check,
                "insufficient",
                threshold=threshold,
                n=rows,
                reason=f"{rows} shadowed requests, fewer than min_rows={self.min_rows}",
            )
        agree = (
            joined[f"{cols.prediction}_champion"].to_numpy()
            == joined[f"{cols.prediction}_candidate"].to_numpy()
        )
        hits = int(agree.sum())
        low, high = _stats.wilson(hits, rows, self.confidence)
        metrics: dict[str, float] = {"agreement": hits / rows}
        intervals: dict[str, tuple[float, float]] = {"agreement": (low, high)}
        details: list[dict[str, Any]] = []
        for column in slice_columns:
            for value, group in joined.groupby(f"{column}_champion", sort=True):
                mask = agree[group.index.to_numpy()]
                g_low, g_high = _stats.wilson(int(mask.sum()), len(mask), self.confidence)
                details.append(
                    {
                        "slice": f"{column}={value}",
                        "rows": len(mask),
                        "disagreements": int((~mask).sum()),
                        "agreement": float(mask.mean()),
                        "interval": [g_low, g_high],
                    }
                )
        failures = []
        if high < self.min_agreement:
            failures.append(
                f"agreement {hits / rows:.4g} [{low:.4g}, {high:.4g}] is below {self.min_agreement:g}"
            )
        if latency:
            p_champ, ci_champ = _latency_p95(
                joined[f"{cols.latency}_champion"].to_numpy(float), self.seed, self.n_boot, self.confidence
            )
            p_cand, ci_cand = _latency_p95(
                joined[f"{cols.latency}_candidate"].to_numpy(float),
                self.seed + 1,
                self.n_boot,
                self.confidence,
            )
            metrics.update({"latency_p95_champion": p_champ, "latency_p95_candidate": p_cand})
            intervals.update({"latency_p95_champion": ci_champ, "latency_p95_candidate": ci_cand})
            if self.max_latency_increase is not None and ci_cand[0] > ci_champ[1] * (
                1 + self.max_latency_increase
            ):
                failures.append(
                    f"candidate p95 latency {p_cand:.4g} ms [{ci_cand[0]:.4g}, {ci_cand[1]:.4g}] "
                    "is above the champion's "
                    f"{p_champ:.4g} ms x {1 + self.max_latency_increase:g}"
                )
        details.sort(key=lambda row: row["agreement"])
        if failures:
            return CheckResult(
                check, "fail", metrics, intervals, threshold, "; ".join(failures), details, rows
            )
        return CheckResult(
            check,
            "pass",
            metrics,
            intervals,
            threshold,
            f"agreement {hits / rows:.4g} [{low:.4g}, {high:.4g}] on {rows} shadowed requests meets "
            + threshold["text"],
            details,
            rows,
        )


@dataclass(frozen=True)
class CanaryCheck:
    """Guardrails of a canary against the champion it runs beside, watched sequentially.

    ``max_error_increase`` (absolute, default 0: any shown increase is harm) guards the error rate;
    ``max_quality_drop`` guards accuracy when actuals exist; ``mde`` is the smallest change worth
    seeing quickly (it sets the test's mixing prior); looks come every ``look_every`` requests per arm.
    """

    max_error_increase: float = 0.0
    max_quality_drop: float = 0.0
    max_latency_increase: float | None = 0.2
    mde: float = 0.02
    look_every: int = 500
    alpha: float = 0.05
    columns: Columns = field(default_factory=lambda: Columns(error="error"))
    min_rows: int = 1000
    seed: int = 0
    n_boot: int = 300
    name: str = "canary"

    def __post_init__(self) -> None:
        for argument in ("max_error_increase", "max_quality_drop", "mde"):
            value = getattr(self, argument)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or value < 0
            ):
                raise BadInput(f"{self.name}: {argument} must be a number 0 or more, not {value!r}")
        if self.mde <= 0:
            raise BadInput(f"{self.name}: mde must be above 0, not {self.mde!r}")
        _inputs.positive_int(self.name, self.look_every, "look_every")
        _inputs.positive_int(self.name, self.min_rows, "min_rows")
        _inputs.fraction(self.name, self.alpha, "alpha", allow_zero=False)
        if self.columns.error is None and self.columns.actual is None:
            raise BadInput(
                f"{self.name}: name an error column or an actual column: a canary needs a guardrail"
            )

    def run(self, champion: Any, candidate: Any) -> CheckResult:
        check, cols = self.name, self.columns
        need = [c for c in (cols.error, cols.actual, cols.latency) if c]
        champ = _frame(check, champion, "champion", cols, need=need)
        cand = _frame(check, candidate, "candidate", cols, need=need)
        rows = min(len(champ), len(cand))  # requests per arm, in log order
        threshold = {
            "text": f"error rate increase <= {self.max_error_increase:g}"
            + (f"; accuracy drop <= {self.max_quality_drop:g}" if cols.actual else "")
            + f" (always-valid sequential test, alpha {self.alpha:g}, "
            f"a look every {self.look_every} requests per arm, "
            f"at least {self.min_rows})",
            "max_error_increase": self.max_error_increase,
            "max_quality_drop": self.max_quality_drop,
            "alpha": self.alpha,
        }
        looks = list(range(self.look_every, rows + 1, self.look_every))
        if not looks or looks[-1] != rows:
            looks.append(rows)
        guardrails: list[tuple[str, np.ndarray, np.ndarray, float, bool]] = []
        if cols.error:
            guardrails.append(
                (
                    "error_rate",
                    _flags(check, champ[cols.error], "champion"),
                    _flags(check, cand[cols.error], "candidate"),
                    self.max_error_increase,
                    True,
                )
            )
        if cols.actual:
            guardrails.append(
                (
                    "accuracy",
                    (champ[cols.prediction] == champ[cols.actual]).to_numpy(float),
                    (cand[cols.prediction] == cand[cols.actual]).to_numpy(float),
                    self.max_quality_drop,
                    False,
                )
            )
        metrics: dict[str, float] = {}
        intervals: dict[str, tuple[float, float]] = {}
        details, harms = [], []
        # Each guardrail gets alpha / (number of guardrails): together they keep the false-alarm rate.
        alpha_each = self.alpha / (
            len(guardrails) + (1 if cols.latency and self.max_latency_increase is not None else 0)
        )
        for metric, c_vals, t_vals, margin, worse_up in guardrails:
            c_vals, t_vals = c_vals[:rows], t_vals[:rows]
            stopped, p_value = _sequential.harm_looks(
                c_vals,
                t_vals,
                looks=looks,
                margin=margin,
                alpha=alpha_each,
                tau2=self.mde**2,
                higher_is_worse=worse_up,
            )
            used = stopped or rows
            diff = float(t_vals[:used].mean() - c_vals[:used].mean())
            half = stats.norm.ppf(1 - alpha_each / 2) * math.sqrt(
                (t_vals[:used].var() + c_vals[:used].var()) / used
            )
            metrics.update(
                {
                    f"{metric}_champion": float(c_vals[:used].mean()),
                    f"{metric}_candidate": float(t_vals[:used].mean()),
                    f"{metric}_diff": diff,
                    f"{metric}_p_value": p_value,
                }
            )
            intervals[f"{metric}_diff"] = (diff - half, diff + half)
            details.append(
                {
                    "guardrail": metric,
                    "diff": diff,
                    "margin": margin,
                    "p_value": p_value,
                    "stopped_at": stopped,
                    "status": "fail" if stopped else "pass",
                }
            )
            if stopped:
                direction = "up" if worse_up else "down"
                harms.append(
                    f"{metric} {direction} by {abs(diff):.4g} beyond {margin:g}, "
                    f"shown after {stopped} requests per arm "
                    f"(always-valid p {p_value:.3g})"
                )
        if cols.latency and self.max_latency_increase is not None:
            p_champ, ci_champ = _latency_p95(
                champ[cols.latency].to_numpy(float)[:rows], self.seed, self.n_boot, 1 - alpha_each
            )
            p_cand, ci_cand = _latency_p95(
                cand[cols.latency].to_numpy(float)[:rows], self.seed + 1, self.n_boot, 1 - alpha_each
            )
            metrics.update({"latency_p95_champion": p_champ, "latency_p95_candidate": p_cand})
            intervals.update({"latency_p95_champion": ci_champ, "latency_p95_candidate": ci_cand})
            harmed = ci_cand[0] > ci_champ[1] * (1 + self.max_latency_increase)
            details.append(
                {
                    "guardrail": "latency_p95",
                    "champion": p_champ,
                    "candidate": p_cand,
                    "status": "fail" if harmed else "pass",
                }
            )
            if harmed:
                harms.append(f"p95 latency {p_cand:.4g} ms against the champion's {p_champ:.4g} ms")
        first_stop = min((d["stopped_at"] for d in details if d.get("stopped_at")), default=None)
        metrics["requests_per_arm"] = float(first_stop or rows)
        if harms:
            return CheckResult(check, "fail", metrics, intervals, threshold, "; ".join(harms), details, rows)
        if rows < self.min_rows:
            return CheckResult(
                check,
                "insufficient",
                metrics,
                intervals,
                threshold,
                f"{rows} requests per arm, fewer than min_rows={self.min_rows}, and no harm shown yet",
                details,
                rows,
            )
        return CheckResult(
            check,
            "pass",
            metrics,
            intervals,
            threshold,
            f"no guardrail shown worse over {rows} requests per arm ({len(looks)} looks)",
            details,
            rows,
        )


def _flags(check: str, column: pd.Series, argument: str) -> np.ndarray:
    values = column.to_numpy()
    if values.dtype == bool:
        return values.astype(float)
    numbers = pd.to_numeric(column, errors="coerce")
    if numbers.isna().any() or not numbers.isin([0, 1]).all():
        raise BadInput(f"{check}: {argument}'s error column {column.name!r} must hold true/false or 0/1")
    return numbers.to_numpy(float)


@dataclass(frozen=True)
class ABTest:
    """Difference in a per-request metric between the arms, with a decision at a minimum effect.

    ``metric`` names a column of numbers (e.g. ``converted``, ``revenue``) or ``accuracy`` (prediction
    == actual). ``higher_is_better`` says which way is good; ``mde`` is the smallest difference worth
    shipping for; ``split`` the planned share of the candidate (0.5: half the traffic).
    """

    metric: str = "accuracy"
    mde: float = 0.01
    higher_is_better: bool = True
    split: float = 0.5
    srm_alpha: float = 0.001
    confidence: float = 0.95
    power: float = 0.8
    columns: Columns = field(default_factory=Columns)
    min_rows: int = 100
    name: str = "ab-test"

    def __post_init__(self) -> None:
        if not (isinstance(self.mde, (int, float)) and math.isfinite(self.mde) and self.mde > 0):
            raise BadInput(f"{self.name}: mde must be a number above 0, not {self.mde!r}")
        _inputs.fraction(self.name, self.split, "split", allow_zero=False)
        if self.split >= 1:
            raise BadInput(f"{self.name}: split must lie in (0, 1), not {self.split!r}")
        _inputs.confidence(self.name, self.confidence)
        _inputs.confidence(self.name, self.power)
        _inputs.positive_int(self.name, self.min_rows, "min_rows")

    def run(self, champion: Any, candidate: Any) -> CheckResult:
        check, cols = self.name, self.columns
        accuracy = self.metric == "accuracy"
        need = [cols.actual] if accuracy else [self.metric]
        if accuracy and not cols.actual:
            raise BadInput(f"{check}: metric accuracy needs an actual column (columns.actual)")
        champ = _frame(check, champion, "champion", cols, need=need)
        cand = _frame(check, candidate, "candidate", cols, need=need)
        n_a, n_b = len(champ), len(cand)
        expected = [(n_a + n_b) * (1 - self.split), (n_a + n_b) * self.split]
        srm_p = float(stats.chisquare([n_a, n_b], expected).pvalue)
        threshold = {
            "text": f"{self.metric} difference vs minimum effect {self.mde:g} ({self.confidence:.0%} CI); "
            f"assignment within the planned split {self.split:g} (SRM test at {self.srm_alpha:g})",
            "mde": self.mde,
            "split": self.split,
        }
        metrics = {"requests_champion": float(n_a), "requests_candidate": float(n_b), "srm_p_value": srm_p}
        if srm_p < self.srm_alpha:
            return CheckResult(
                check,
                "fail",
                metrics,
                {},
                threshold,
                f"sample-ratio mismatch: {n_a} vs {n_b} requests for a planned split of {self.split:g} "
                f"(p {srm_p:.2g}); the assignment is broken, so no metric is read",
                (),
                n_a + n_b,
                labels={"decision": "invalid"},
            )
        if min(n_a, n_b) < self.min_rows:
            return CheckResult(
                check,
                "insufficient",
                metrics,
                {},
                threshold,
                f"{min(n_a, n_b)} requests in the smaller arm, fewer than min_rows={self.min_rows}",
                (),
                n_a + n_b,
                labels={"decision": "inconclusive"},
            )
        if accuracy:
            a = (champ[cols.prediction] == champ[cols.actual]).to_numpy(float)
            b = (cand[cols.prediction] == cand[cols.actual]).to_numpy(float)
        else:
            a, b = (
                _numbers(check, champ[self.metric], "champion"),
                _numbers(check, cand[self.metric], "candidate"),
            )
        diff = float(b.mean() - a.mean())
        se = math.sqrt(a.var(ddof=1) / n_a + b.var(ddof=1) / n_b)
        z = stats.norm.ppf(1 - (1 - self.confidence) / 2)
        low, high = diff - z * se, diff + z * se
        # The smallest effect this sample could detect with the stated power.
        detectable = (z + stats.norm.ppf(self.power)) * se
        good_low, good_high = (low, high) if self.higher_is_better else (-high, -low)
        if good_low > 0:
            decision = "ship"
        elif good_high < 0:
            decision = "hold"
        else:
            decision = "inconclusive"
        metrics.update(
            {
                f"{self.metric}_champion": float(a.mean()),
                f"{self.metric}_candidate": float(b.mean()),
                f"{self.metric}_diff": diff,
                "detectable_effect": detectable,
            }
        )
        intervals = {f"{self.metric}_diff": (low, high)}
        powered = detectable <= self.mde
        reason = f"{self.metric} {diff:+.4g} [{low:.4g}, {high:.4g}]: {decision}" + (
            ""
            if powered or decision != "inconclusive"
            else f"; the sample detects {detectable:.3g} at {self.power:.0%} power, "
            f"not the {self.mde:g} asked"
        )
        status = {"ship": "pass", "hold": "fail"}.get(decision, "pass" if powered else "insufficient")
        return CheckResult(
            check, status, metrics, intervals, threshold, reason, (), n_a + n_b, labels={"decision": decision}
        )


def _numbers(check: str, column: pd.Series, argument: str) -> np.ndarray:
    numbers = pd.to_numeric(column, errors="coerce")
    if numbers.isna().any():
        raise BadInput(f"{check}: {argument}'s column {column.name!r} holds values that are not numbers")
    return numbers.to_numpy(float)


def check_for(kind: str, **options: Any) -> ShadowCheck | CanaryCheck | ABTest:
    """The comparison of ``kind`` (shadow, canary or ab-test) configured with ``options``."""
    classes: Mapping[str, Any] = {"shadow": ShadowCheck, "canary": CanaryCheck, "ab-test": ABTest}
    if kind not in classes:
        raise BadInput(f"--kind {kind!r} is not one of {', '.join(KINDS)}")
    return classes[kind](**options)
