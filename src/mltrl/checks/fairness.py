"""Fairness across groups: demographic parity and equalized odds, per-group metrics, with intervals.

fairlearn computes the figures a reader compares with other tools (``MetricFrame`` per group,
``demographic_parity_difference`` / ``_ratio``, ``equalized_odds_difference`` / ``_ratio``); mltrl
adds what a gate needs: bootstrap intervals and a verdict. A disparity **fails** only when the data
show it above the limit (the lower bound of its interval is above ``max_difference``), a group
smaller than ``min_rows`` makes the result ``insufficient``, and ties to requirements and gates go
through the same evidence path as every check.

The intervals come from a seeded bootstrap drawn as counts: for binary labels every row is one of
groups x 2 labels x 2 predictions cells, and a resample of the rows is exactly a multinomial draw of
those cell counts. That is the same distribution as resampling rows, at a cost independent of the
number of rows (fairlearn itself takes about a second per call, too slow to repeat a thousand times).
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

MEASURES = ("demographic_parity", "equalized_odds")


@dataclass(frozen=True)
class FairnessCheck:
    """Disparities of a binary classifier's decisions across the groups in ``group`` (a column of X)."""

    group: str
    measures: Sequence[str] = MEASURES
    max_difference: float = 0.1
    min_rows: int = 30
    confidence: float = 0.95
    n_boot: int = 1000
    seed: int = 0
    name: str = "fairness"

    def __post_init__(self) -> None:
        if not isinstance(self.group, str) or not self.group:
            raise BadInput(f"{self.name}: group must name a column of X holding each row's group")
        unknown = [m for m in self.measures if m not in MEASURES]
        if unknown or not self.measures:
            raise BadInput(
                f"{self.name}: measures must be among {', '.join(MEASURES)}, not {list(self.measures)}"
            )
        object.__setattr__(self, "measures", tuple(self.measures))
        _inputs.fraction(self.name, self.max_difference, "max_difference")
        _inputs.positive_int(self.name, self.min_rows, "min_rows")
        _inputs.positive_int(self.name, self.n_boot, "n_boot")
        _inputs.confidence(self.name, self.confidence)

    def run(self, model: Any, X: Any, y: Any) -> CheckResult:
        from fairlearn import metrics as fm

        check = self.name
        rows = _inputs.n_rows(check, X)
        if not isinstance(X, pd.DataFrame) or self.group not in X.columns:
            have = ", ".join(map(str, X.columns)) if isinstance(X, pd.DataFrame) else type(X).__name__
            raise BadInput(f"{check}: X has no group column {self.group!r} (it has: {have})")
        groups = X[self.group]
        if groups.isna().any():
            raise BadInput(
                f"{check}: group column {self.group!r} has {int(groups.isna().sum())} missing values"
            )
        truth = _inputs.labels(check, y, rows)
        classes = np.unique(truth)
        if len(classes) != 2:
            raise BadInput(
                f"{check}: demographic parity and equalized odds need binary labels, "
                f"got {len(classes)} classes"
            )
        if callable(getattr(model, "predict", None)):
            predicted = np.asarray(model.predict(X))
        else:
            predicted = np.asarray(model)
        if predicted.shape != truth.shape:
            raise BadInput(f"{check}: {len(predicted)} predictions for {rows} rows")
        positive = classes[-1]
        y01, p01 = (truth == positive).astype(int), (predicted == positive).astype(int)
        names, codes = np.unique(groups.astype(str).to_numpy(), return_inverse=True)
        sizes = np.bincount(codes, minlength=len(names))
        threshold = {
            "text": f"{', '.join(self.measures)} difference <= {self.max_difference:g} across {self.group} "
            f"({self.confidence:.0%} CI, every group at least {self.min_rows} rows)",
            "max_difference": self.max_difference,
            "group": self.group,
        }
        per_group = fm.MetricFrame(
            metrics={
                "selection_rate": fm.selection_rate,
                "true_positive_rate": fm.true_positive_rate,
                "false_positive_rate": fm.false_positive_rate,
                "accuracy": _accuracy,
            },
            y_true=y01,
            y_pred=p01,
            sensitive_features=codes,
        ).by_group
        metrics: dict[str, float] = {}
        if "demographic_parity" in self.measures:
            metrics["demographic_parity_difference"] = float(
                fm.demographic_parity_difference(y01, p01, sensitive_features=codes)
            )
            metrics["demographic_parity_ratio"] = float(
                fm.demographic_parity_ratio(y01, p01, sensitive_features=codes)
            )
        if "equalized_odds" in self.measures:
            metrics["equalized_odds_difference"] = float(
                fm.equalized_odds_difference(y01, p01, sensitive_features=codes)
            )
            metrics["equalized_odds_ratio"] = float(
                fm.equalized_odds_ratio(y01, p01, sensitive_features=codes)
            )
        boot = _bootstrap(codes, y01, p01, len(names), self.n_boot, self.seed)
        intervals = {
            f"{m}_difference": _stats.percentile_interval(boot[m], self.confidence) for m in self.measures
        }
        details = [
            {
                "group": str(name),
                "rows": int(sizes[i]),
                **{k: _finite(per_group.loc[i, k]) for k in per_group.columns},
            }
            for i, name in enumerate(names)
        ]
        small = [f"{d['group']} ({d['rows']})" for d in details if d["rows"] < self.min_rows]
        if small:
            return CheckResult(
                check,
                "insufficient",
                metrics,
                intervals,
                threshold,
                f"groups below min_rows={self.min_rows}: {', '.join(small)}",
                details,
                rows,
            )
        shown = [
            f"{m.replace('_', ' ')} difference {metrics[f'{m}_difference']:.3g} "
            f"[{intervals[f'{m}_difference'][0]:.3g}, {intervals[f'{m}_difference'][1]:.3g}]"
            for m in self.measures
            if intervals[f"{m}_difference"][0] > self.max_difference
        ]
        if shown:
            return CheckResult(
                check,
                "fail",
                metrics,
                intervals,
                threshold,
                f"{'; '.join(shown)} above {self.max_difference:g} across {self.group}",
                details,
                rows,
            )
        summary = "; ".join(
            f"{m.replace('_', ' ')} difference {metrics[f'{m}_difference']:.3g} "
            f"[{intervals[f'{m}_difference'][0]:.3g}, {intervals[f'{m}_difference'][1]:.3g}]"
            for m in self.measures
        )
        return CheckResult(
            check,
            "pass",
            metrics,
            intervals,
            threshold,
            f"{summary}: not shown above {self.max_difference:g} across {len(names)} groups",
            details,
            rows,
        )


def _accuracy(y_true: Any, y_pred: Any) -> float:
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _bootstrap(
    codes: np.ndarray, y: np.ndarray, p: np.ndarray, groups: int, n_boot: int, seed: int
) -> dict[str, np.ndarray]:
    """Resampled disparities, drawn as multinomial counts of the (group, label, prediction) cells."""
    rng = np.random.default_rng(seed)
    cells = codes * 4 + y * 2 + p
    frequencies = np.bincount(cells, minlength=groups * 4) / len(cells)
    counts = rng.multinomial(len(cells), frequencies, size=n_boot).reshape(n_boot, groups, 2, 2).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        size = counts.sum(axis=(2, 3))
        selection = counts[:, :, :, 1].sum(axis=2) / size
        tpr = counts[:, :, 1, 1] / counts[:, :, 1, :].sum(axis=2)
        fpr = counts[:, :, 0, 1] / counts[:, :, 0, :].sum(axis=2)

    def spread(rates: np.ndarray) -> np.ndarray:
        return np.nanmax(rates, axis=1) - np.nanmin(rates, axis=1)

    return {
        "demographic_parity": spread(selection),
        "equalized_odds": np.maximum(spread(tpr), spread(fpr)),
    }
