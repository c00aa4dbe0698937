"""Golden data set over the succession of models: a candidate against thresholds and its champion.

Three thresholds, any combination:

- ``minimum``: absolute. Fails only when the data show the metric is below it (the upper bound of
  the CI is below ``minimum``); too few rows to tell is ``insufficient``, not a pass by luck.
- ``max_drop_vs_champion``: relative. Fails when the candidate is shown to be worse than the champion
  by more than the allowed drop (the upper bound of the paired CI of candidate - champion is below
  ``-max_drop``). The benefit of the doubt goes to the candidate.
- ``non_inferiority_margin``: the candidate must *show* it is not worse by more than the margin: the
  lower bound of the seeded paired-bootstrap CI of candidate - champion must stay above ``-margin``.
  The burden of proof is on the candidate, so a small golden set fails it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mltrl.checks import _inputs, _stats
from mltrl.checks.result import CheckResult
from mltrl.errors import BadInput


@dataclass(frozen=True)
class GoldenCheck:
    metric: str = "accuracy"
    minimum: float | None = None
    max_drop_vs_champion: float | None = None
    non_inferiority_margin: float | None = None
    seed: int = 0
    n_boot: int = 1000
    min_rows: int = 30
    confidence: float = 0.95
    name: str = "golden"

    def __post_init__(self) -> None:
        _stats.metric(self.name, self.metric)
        if self.minimum is None and self.max_drop_vs_champion is None and self.non_inferiority_margin is None:
            raise BadInput(
                f"{self.name}: give a threshold: minimum, max_drop_vs_champion or non_inferiority_margin"
            )
        for argument in ("minimum", "max_drop_vs_champion", "non_inferiority_margin"):
            value = getattr(self, argument)
            if value is not None and not (isinstance(value, (int, float)) and math.isfinite(value)):
                raise BadInput(f"{self.name}: {argument} must be a finite number, not {value!r}")
        if self.max_drop_vs_champion is not None and self.max_drop_vs_champion < 0:
            raise BadInput(
                f"{self.name}: max_drop_vs_champion must be 0 or more, not {self.max_drop_vs_champion}"
            )
        if self.non_inferiority_margin is not None and self.non_inferiority_margin <= 0:
            raise BadInput(
                f"{self.name}: non_inferiority_margin must be above 0, not {self.non_inferiority_margin}"
            )
        _inputs.positive_int(self.name, self.n_boot, "n_boot")
        _inputs.positive_int(self.name, self.min_rows, "min_rows")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            raise BadInput(f"{self.name}: seed must be a whole number 0 or more, not {self.seed!r}")
        _inputs.confidence(self.name, self.confidence)

    def run(self, candidate: Any, X: Any, y: Any, champion: Any = None) -> CheckResult:
        """Score ``candidate`` (a model with ``predict``, or its predictions) on the golden ``X, y``."""
        check, metric = self.name, _stats.metric(self.name, self.metric)
        rows = _inputs.n_rows(check, X)
        truth = _inputs.labels(check, y, rows)
        relative = self.max_drop_vs_champion is not None or self.non_inferiority_margin is not None
        if relative and champion is None:
            raise BadInput(
                f"{check}: champion is missing: max_drop_vs_champion and non_inferiority_margin compare "
                "with it (the first model of a succession uses minimum alone)"
            )
        cand = _stats.outputs(check, metric, candidate, X, rows, "candidate")
        champ = None if champion is None else _stats.outputs(check, metric, champion, X, rows, "champion")
        threshold = self._threshold()
        if rows < self.min_rows:
            return CheckResult(
                check,
                "insufficient",
                threshold=threshold,
                reason=f"{rows} golden rows, fewer than min_rows={self.min_rows}: too few to decide",
                n=rows,
            )
        m = metric.name
        value = _safe(metric, truth, cand)
        boot = _stats.bootstrap(
            metric, truth, [cand], combine=lambda v: v[0], n_boot=self.n_boot, seed=self.seed
        )
        low, high = _stats.percentile_interval(boot, self.confidence)
        metrics, intervals = {m: value}, {m: (low, high)}
        rules: list[dict[str, Any]] = []
        if self.minimum is not None:
            verdict = "fail" if high < self.minimum else "pass"
            rules.append(
                _rule("minimum", f"{m} >= {self.minimum:g}", self.minimum, value, (low, high), verdict)
            )
        if champ is not None:
            champ_value = _safe(metric, truth, champ)
            diffs = _stats.bootstrap(
                metric,
                truth,
                [cand, champ],
                combine=lambda v: v[0] - v[1],
                n_boot=self.n_boot,
                seed=self.seed,
            )
            d_low, d_high = _stats.percentile_interval(diffs, self.confidence)
            diff = value - champ_value
            metrics[f"{m}_champion"] = champ_value
            metrics[f"{m}_diff"] = diff
            intervals[f"{m}_diff"] = (d_low, d_high)
            if self.max_drop_vs_champion is not None:
                drop = self.max_drop_vs_champion
                verdict = "fail" if d_high < -drop else "pass"
                text = f"{m} - champion >= -{drop:g} (fails when the CI's upper bound is below)"
                rules.append(_rule("max_drop_vs_champion", text, -drop, diff, (d_low, d_high), verdict))
            if self.non_inferiority_margin is not None:
                margin = self.non_inferiority_margin
                verdict = "pass" if d_low > -margin else "fail"
                text = f"lower CI bound of {m} - champion > -{margin:g}"
                rules.append(_rule("non_inferiority", text, -margin, diff, (d_low, d_high), verdict))
        undefined = [r["rule"] for r in rules if not all(math.isfinite(b) for b in r["interval"])]
        if undefined or not math.isfinite(value):
            status, reason = "insufficient", f"{m} is undefined on these {rows} rows (one class only?)"
        elif any(r["status"] == "fail" for r in rules):
            status = "fail"
            reason = "; ".join(_sentence(r) for r in rules if r["status"] == "fail")
        else:
            status = "pass"
            reason = f"{m} {value:.4g} [{low:.4g}, {high:.4g}] on {rows} rows meets " + "; ".join(
                r["required"] for r in rules
            )
        return CheckResult(check, status, metrics, intervals, threshold, reason, rules, rows)

    def _threshold(self) -> dict[str, Any]:
        parts = []
        if self.minimum is not None:
            parts.append(f"{self.metric} >= {self.minimum:g}")
        if self.max_drop_vs_champion is not None:
            parts.append(f"drop vs champion <= {self.max_drop_vs_champion:g}")
        if self.non_inferiority_margin is not None:
            parts.append(f"non-inferior to champion within {self.non_inferiority_margin:g}")
        return {
            "text": f"{'; '.join(parts)} ({self.confidence:.0%} CI, {self.n_boot} bootstrap resamples, "
            f"seed {self.seed}, at least {self.min_rows} rows)",
            "metric": self.metric,
            "minimum": self.minimum,
            "max_drop_vs_champion": self.max_drop_vs_champion,
            "non_inferiority_margin": self.non_inferiority_margin,
            "confidence": self.confidence,
            "min_rows": self.min_rows,
        }


def _safe(metric: _stats.Metric, y: np.ndarray, out: np.ndarray) -> float:
    try:
        return metric.score(y, out)
    except ValueError:  # e.g. ROC AUC with one class present
        return float("nan")


def _rule(
    rule: str, required: str, bound: float, observed: float, interval: tuple[float, float], status: str
) -> dict[str, Any]:
    return {
        "rule": rule,
        "required": required,
        "bound": bound,
        "observed": observed,
        "interval": [interval[0], interval[1]],
        "status": status,
    }


def _sentence(rule: dict[str, Any]) -> str:
    low, high = rule["interval"]
    observed = f"{rule['observed']:.4g} [{low:.4g}, {high:.4g}]"
    return f"{rule['rule']}: observed {observed}, required {rule['required']}"
