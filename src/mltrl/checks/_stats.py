"""Metrics and the statistics behind every verdict: seeded bootstrap, Wilson intervals, Holm.

Metrics come from scikit-learn, exact binomial tests from scipy, Wilson intervals from statsmodels.

All randomness comes from ``numpy.random.default_rng(seed)``, so the same inputs and seed give
bit-identical results. Intervals are two-sided at ``confidence``; the one-sided tests a verdict
rests on run at ``(1 - confidence) / 2``, so "the upper bound is below the minimum" and "the test
rejects" agree for a single slice or relation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats
from sklearn import metrics as skm
from statsmodels.stats.proportion import proportion_confint

from mltrl.errors import BadInput


@dataclass(frozen=True)
class Metric:
    name: str
    needs: str  # "labels" (predict), "scores" (predict_proba / decision_function) or "values" (regression)
    score: Callable[[np.ndarray, np.ndarray], float]
    per_row: bool  # the metric is a mean of per-row values (a fast, vectorised bootstrap)


def _averaged(fn: Callable[..., float]) -> Callable[[np.ndarray, np.ndarray], float]:
    # Binary targets score the positive (largest) class; more classes are macro-averaged.
    def score(y: np.ndarray, pred: np.ndarray) -> float:
        classes = np.unique(y)
        if len(classes) <= 2:
            return float(fn(y, pred, average="binary", pos_label=classes[-1], zero_division=0))
        return float(fn(y, pred, average="macro", zero_division=0))

    return score


def _roc_auc(y: np.ndarray, scores: np.ndarray) -> float:
    if scores.ndim == 2:
        return float(skm.roc_auc_score(y, scores, multi_class="ovr"))
    return float(skm.roc_auc_score(y, scores))


METRICS: dict[str, Metric] = {
    "accuracy": Metric("accuracy", "labels", lambda y, p: float(skm.accuracy_score(y, p)), True),
    "balanced_accuracy": Metric(
        "balanced_accuracy", "labels", lambda y, p: float(skm.balanced_accuracy_score(y, p)), False
    ),
    "f1": Metric("f1", "labels", _averaged(skm.f1_score), False),
    "precision": Metric("precision", "labels", _averaged(skm.precision_score), False),
    "recall": Metric("recall", "labels", _averaged(skm.recall_score), False),
    "roc_auc": Metric("roc_auc", "scores", _roc_auc, False),
    "r2": Metric("r2", "values", lambda y, p: float(skm.r2_score(y, p)), False),
}


def metric(check: str, name: Any) -> Metric:
    if name not in METRICS:
        raise BadInput(f"{check}: metric {name!r} is not one of {', '.join(METRICS)} (all: higher is better)")
    return METRICS[name]


def outputs(check: str, metric_: Metric, model_or_predictions: Any, X: Any, rows: int, argument: str) -> Any:
    """What ``metric_`` scores: the model's outputs on ``X``, or the given predictions checked for shape."""
    if callable(getattr(model_or_predictions, "predict", None)):
        model = model_or_predictions
        if metric_.needs == "scores":
            if callable(getattr(model, "predict_proba", None)):
                out = np.asarray(model.predict_proba(X))
                out = out[:, 1] if out.ndim == 2 and out.shape[1] == 2 else out
            elif callable(getattr(model, "decision_function", None)):
                out = np.asarray(model.decision_function(X))
            else:
                raise BadInput(
                    f"{check}: {argument} has neither predict_proba nor decision_function, "
                    f"which {metric_.name} needs"
                )
        else:
            out = np.asarray(model.predict(X))
    elif isinstance(model_or_predictions, (np.ndarray, list, tuple)) or hasattr(
        model_or_predictions, "to_numpy"
    ):
        out = np.asarray(model_or_predictions)
    else:
        raise BadInput(
            f"{check}: {argument} ({type(model_or_predictions).__name__}) has no predict method "
            "and is not an array of predictions"
        )
    if out.ndim == 0 or len(out) != rows:
        got = "a scalar" if out.ndim == 0 else f"{len(out)} predictions"
        raise BadInput(f"{check}: {argument} gave {got} for {rows} rows of X")
    if out.dtype.kind == "f" and not np.isfinite(out).all():
        raise BadInput(f"{check}: {argument} gave non-finite (NaN/inf) predictions")
    return out


def _chunks(rng: np.random.Generator, n: int, n_boot: int) -> Any:
    # Bootstrap indices in bounded blocks (10,000 rows x 1,000 resamples would be 80 MB at once).
    per_block = max(1, 2_000_000 // max(n, 1))
    done = 0
    while done < n_boot:
        size = min(per_block, n_boot - done)
        yield rng.integers(0, n, size=(size, n))
        done += size


def bootstrap(
    metric_: Metric,
    y: np.ndarray,
    outputs_: Sequence[np.ndarray],
    *,
    combine: Callable[[Sequence[float]], float],
    n_boot: int,
    seed: int,
) -> np.ndarray:
    """``n_boot`` seeded resamples of ``combine(metric on each output)``, rows paired across outputs.

    Resamples where the metric is undefined (e.g. one class only, for ROC AUC) are NaN.
    """
    rng = np.random.default_rng(seed)
    n = len(y)
    if metric_.per_row and len(outputs_) <= 8:
        return _bootstrap_hits(y, outputs_, combine=combine, n_boot=n_boot, rng=rng)
    result = np.empty(n_boot)
    i = 0
    for idx in _chunks(rng, n, n_boot):
        for row in idx:
            try:
                result[i] = combine([metric_.score(y[row], out[row]) for out in outputs_])
            except ValueError:
                result[i] = np.nan
            i += 1
    return result


def _bootstrap_hits(
    y: np.ndarray,
    outputs_: Sequence[np.ndarray],
    *,
    combine: Callable[[Sequence[float]], float],
    n_boot: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The bootstrap of a mean of per-row hits (accuracy), drawn as counts instead of row indices.

    Resampling n rows with replacement only matters through how many resampled rows fall in each
    pattern of hits (for two outputs: both right, only the first, only the second, both wrong), and
    those counts are exactly multinomial(n, observed pattern frequencies). Drawing the counts gives the
    same distribution as drawing indices at O(patterns) per resample instead of O(n): 10,000 rows x
    1,000 resamples cost microseconds, not 10^7 gathers, which is what makes 1,000-fold A/A runs cheap.
    """
    n = len(y)
    hits = np.stack([np.asarray(out) == y for out in outputs_]).astype(np.int64)
    pattern = (hits << np.arange(len(outputs_))[:, None]).sum(axis=0)  # each row's hit pattern as bits
    frequencies = np.bincount(pattern, minlength=1 << len(outputs_)) / n
    counts = rng.multinomial(n, frequencies, size=n_boot)  # (n_boot, patterns)
    patterns = np.arange(1 << len(outputs_))
    means = [counts[:, (patterns >> j) & 1 == 1].sum(axis=1) / n for j in range(len(outputs_))]
    return np.asarray(combine(means), dtype=float)


def percentile_interval(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    finite = samples[np.isfinite(samples)]
    if len(finite) == 0:
        return (float("nan"), float("nan"))
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return (float(low), float(high))


def wilson(successes: int, n: int, confidence: float) -> tuple[float, float]:
    low, high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    # At 0 or n successes the bound is exactly 0 or 1; floating point leaves 4e-19 behind.
    return (0.0 if successes == 0 else float(low), 1.0 if successes == n else float(high))


def p_below(successes: int, n: int, minimum: float) -> float:
    """One-sided exact binomial p-value that the true proportion is below ``minimum``."""
    if minimum <= 0:
        return 1.0
    return float(stats.binomtest(successes, n, minimum, alternative="less").pvalue)


def p_above(successes: int, n: int, tolerance: float) -> float:
    """One-sided exact binomial p-value that the true proportion is above ``tolerance``."""
    if tolerance <= 0:
        return 0.0 if successes > 0 else 1.0
    if tolerance >= 1:
        return 1.0
    return float(stats.binomtest(successes, n, tolerance, alternative="greater").pvalue)


def p_bootstrap_below(samples: np.ndarray, minimum: float) -> float:
    """One-sided bootstrap p-value that the metric is below ``minimum`` (resamples at or above it)."""
    finite = samples[np.isfinite(samples)]
    if len(finite) == 0:
        return 1.0
    return float((np.sum(finite >= minimum) + 1) / (len(finite) + 1))


def holm(p_values: Sequence[float], alpha: float) -> tuple[list[bool], list[float]]:
    """Holm's step-down correction: which hypotheses are rejected, and the adjusted p-values.

    The same numbers as statsmodels' ``multipletests(method="holm")`` (a test checks it), written
    out because statsmodels runs ``gc.collect()`` on every Holm call: 0.1-0.2 s with scikit-learn
    loaded, which would dominate a suite that checks many windows or repeats an A/A test.
    """
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return [], []
    order = np.argsort(p, kind="stable")
    m = p.size
    # The k-th smallest p-value is multiplied by (m - k); a running maximum keeps them monotone.
    stepped = np.minimum(1.0, np.maximum.accumulate(p[order] * np.arange(m, 0, -1)))
    adjusted = np.empty(m)
    adjusted[order] = stepped
    return [bool(a <= alpha) for a in adjusted], [float(a) for a in adjusted]
