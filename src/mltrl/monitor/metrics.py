"""Model performance per window from mergeable counts, with confidence intervals.

Delayed actuals are joined to their predictions and then forgotten: a window keeps counts, never
rows. What it keeps is enough for the metrics that judge an imbalanced classifier or a regressor:

* classification: the confusion cells ``(actual, predicted) -> n``; with ``positive`` given, the
  predictions are that class's probabilities, kept as counts per score bin (0.001 wide) for each
  actual class, and a prediction is positive at ``score >= decision_threshold``;
* regression: sums of the errors, their squares and fourth powers, of the absolute percentage
  errors (actuals other than 0) and of the actuals and their squares.

Classification metrics are scikit-learn's (``precision_recall_fscore_support``, ``roc_auc_score``,
``average_precision_score``), given the counts as sample weights; the regression metrics follow
scikit-learn's definitions from the exact sums. Intervals are 95%: Wilson's for accuracy, the
normal approximation (delta method for RMSE) for the regression errors, and a seeded bootstrap
(1,000 multinomial resamples of the counts) for precision, recall, F1 and the AUCs. A metric that
is undefined for a window (an AUC with one class among the actuals) is ``None`` with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from mltrl.errors import BadInput

MIN_EVALUATED = 30  # fewer actuals than this in a window: thresholds are judged "insufficient"
SCORE_BINS = 1000
RESAMPLES = 1000
Z95 = 1.959963984540054
#: Metrics a threshold may be set on: higher is better / lower is better.
HIGHER = ("accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc")
LOWER = ("mae", "rmse", "mape")


class Tally:
    """One upload of actuals: each joined (actual, prediction) pair, counted into its window."""

    def __init__(self, task: str, *, positive: str | None = None, decision_threshold: float = 0.5) -> None:
        if positive is not None and task != "classification":
            raise BadInput("--positive applies to classification only")
        self.task, self.positive, self.cut = task, positive, decision_threshold
        self.windows: dict[str, dict[str, Any]] = {}

    def add(self, window: str, prediction_id: str, actual: Any, predicted: str) -> float:
        """Count one pair; returns 1.0/0.0 (correct?) for classification, the error for regression."""
        state = self.windows.setdefault(window, _empty(self.task, self.positive, self.cut))
        if self.task == "regression":
            guess, truth = _number(prediction_id, predicted), _number(prediction_id, actual)
            error = guess - truth
            for key, value in (
                ("n", 1),
                ("sum_error", error),
                ("sum_abs", abs(error)),
                ("sum_sq", error * error),
                ("sum_e4", error**4),
                ("sum_y", truth),
                ("sum_y2", truth * truth),
            ):
                state[key] += value
            if truth != 0:
                ape = abs(error) / abs(truth)
                state["n_ape"] += 1
                state["sum_ape"] += ape
                state["sum_ape2"] += ape * ape
            return error
        truth = str(actual)
        if self.positive is None:
            label = predicted
        else:
            score = _probability(prediction_id, predicted)
            truth = self.positive if truth == self.positive else _other(self.positive)
            label = self.positive if score >= self.cut else _other(self.positive)
            bins = state["scores"].setdefault(truth, {})
            key = str(min(int(score * SCORE_BINS), SCORE_BINS - 1))
            bins[key] = bins.get(key, 0) + 1
        cell = f"{truth}\t{label}"
        state["cells"][cell] = state["cells"].get(cell, 0) + 1
        return float(truth == label)


def merge(states: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The sum of several uploads' states of one window (None when there is none, or they differ)."""
    total: dict[str, Any] | None = None
    for state in states:
        if total is None:
            total = _empty(state["task"], state.get("positive"), state.get("threshold", 0.5))
        if (state["task"], state.get("positive"), state.get("threshold")) != (
            total["task"],
            total.get("positive"),
            total.get("threshold"),
        ):
            return None  # evaluated two ways (labels, then scores): no single set of counts
        _add_into(total, state)
    return total


def evaluate(task: str, state: dict[str, Any] | None, n: int, base: dict[str, float]) -> dict[str, Any]:
    """Every metric of one window with its interval. ``n`` and ``base`` (accuracy, or MAE and
    RMSE) come from the window's running sums, which also cover actuals joined before the counts
    in ``state`` were kept; the other metrics need those counts, and are None without them."""
    if state is not None and _count(state) == n:
        out = _regression(state) if task == "regression" else _classification(state)
    else:
        out = {"intervals": {}, "undefined": {}}
        later = (
            ("precision", "recall", "f1", "roc_auc", "pr_auc") if task == "classification" else ("mape", "r2")
        )
        for name in later:
            out[name] = None
            out["undefined"][name] = "some actuals were joined before mltrl kept the counts it needs"
        if task == "classification":
            out["intervals"]["accuracy"] = _wilson(round(base["accuracy"] * n), n)
        elif n > 1:
            out["intervals"]["mae"] = _normal(base["mae"], base["rmse"] ** 2 - base["mae"] ** 2, n)
    out["insufficient"] = n < MIN_EVALUATED
    return out


def judge(
    window: dict[str, Any], minimum: dict[str, float], maximum: dict[str, float]
) -> list[dict[str, Any]]:
    """Each threshold against the window: ``fail`` only when the whole interval is past it."""
    verdicts = []
    for metric, limit, higher in [
        *((m, v, True) for m, v in minimum.items()),
        *((m, v, False) for m, v in maximum.items()),
    ]:
        value, interval = window.get(metric), window.get("intervals", {}).get(metric)
        sign = "<" if higher else ">"
        if window.get("insufficient", True) or value is None:
            why = (
                window.get("undefined", {}).get(metric)
                or f"{window['evaluated']} actuals; at least {MIN_EVALUATED} are needed"
            )
            verdicts.append(
                {
                    "metric": metric,
                    "threshold": limit,
                    "verdict": "insufficient",
                    "message": f"{metric}: {why}",
                }
            )
            continue
        shown = f"{metric} {value:.3f}" + (f" [{interval[0]:.3f}, {interval[1]:.3f}]" if interval else "")
        past = value < limit if higher else value > limit
        sure = interval is None or (interval[1] < limit if higher else interval[0] > limit)
        verdict = ("fail" if sure else "uncertain") if past else "pass"
        relation = sign if past else (">=" if higher else "<=")
        message = f"{shown} {relation} {limit:g} in window {window['window']}"
        if verdict == "uncertain":
            message += " (within the interval: not a breach yet)"
        verdicts.append({"metric": metric, "threshold": limit, "verdict": verdict, "message": message})
    return verdicts


def thresholds(minimum: dict[str, Any], maximum: dict[str, Any]) -> tuple[dict[str, float], dict[str, float]]:
    """Validated thresholds: known metrics, finite values, shares within 0..1."""
    from mltrl.monitor.limits import limit

    checked: list[dict[str, float]] = [{}, {}]
    for side, given, allowed in ((0, minimum, HIGHER), (1, maximum, LOWER)):
        for metric, value in given.items():
            if metric not in allowed:
                flag = "--min" if side == 0 else "--max"
                raise BadInput(f"{flag} {metric}: not one of {', '.join(allowed)}")
            checked[side][metric] = limit(value, f"the {metric} threshold", high=1.0 if side == 0 else None)
    return checked[0], checked[1]


# --- classification ------------------------------------------------------------------------------


def _classification(state: dict[str, Any]) -> dict[str, Any]:
    from sklearn.metrics import precision_recall_fscore_support

    cells = [(*key.split("\t", 1), count) for key, count in state["cells"].items()]
    truth = [a for a, _p, _n in cells]
    guess = [p for _a, p, _n in cells]
    weight = np.array([c for _a, _p, c in cells], dtype=float)
    n = int(weight.sum())
    correct = int(sum(c for a, p, c in cells if a == p))
    classes = sorted(set(truth) | set(guess))
    positive = state.get("positive")
    average = "binary" if positive is not None else "macro"
    out: dict[str, Any] = {
        "accuracy": correct / n,
        "average": f"binary (positive class {positive!r})"
        if positive is not None
        else "macro (unweighted mean over classes)",
        "classes": {
            label: {
                "actual": int(sum(c for a, _p, c in cells if a == label)),
                "predicted": int(sum(c for _a, p, c in cells if p == label)),
                "correct": int(sum(c for a, p, c in cells if a == p == label)),
            }
            for label in classes
        },
        "intervals": {"accuracy": _wilson(correct, n)},
        "undefined": {},
    }
    options: dict[str, Any] = {"pos_label": positive} if positive is not None else {"labels": classes}
    precision, recall, f1, _support = precision_recall_fscore_support(
        truth, guess, sample_weight=weight, average=average, zero_division=0.0, **options
    )
    resampled = _bootstrap_prf(cells, classes, positive)
    for name, value, column in (("precision", precision, 0), ("recall", recall, 1), ("f1", f1, 2)):
        _put(out, name, value, resampled[:, column], "")
    if positive is not None:
        _auc(out, state["scores"], positive)
    else:
        for name in ("roc_auc", "pr_auc"):
            out[name] = None
            out["undefined"][name] = "predictions are labels: give --positive with probabilities to get it"
    return out


def _auc(out: dict[str, Any], scores: dict[str, dict[str, int]], positive: str) -> None:
    from sklearn.metrics import average_precision_score, roc_auc_score

    bins = sorted({int(b) for side in scores.values() for b in side}, reverse=True)
    pos = np.array([scores.get(positive, {}).get(str(b), 0) for b in bins], dtype=float)
    neg = np.array([scores.get(_other(positive), {}).get(str(b), 0) for b in bins], dtype=float)
    if not pos.sum() or not neg.sum():
        for name in ("roc_auc", "pr_auc"):
            out[name] = None
            out["undefined"][name] = "only one class among the actuals"
        return
    centres = (np.array(bins, dtype=float) + 0.5) / SCORE_BINS
    y = np.r_[np.ones(len(bins)), np.zeros(len(bins))]
    s, w = np.r_[centres, centres], np.r_[pos, neg]
    keep = w > 0
    roc = float(roc_auc_score(y[keep], s[keep], sample_weight=w[keep]))
    ap = float(average_precision_score(y[keep], s[keep], sample_weight=w[keep]))
    draws = _rng().multinomial(int(w.sum()), np.r_[pos, neg] / w.sum(), size=RESAMPLES)
    replicate_roc, replicate_ap = _binned_aucs(draws[:, : len(bins)], draws[:, len(bins) :])
    _put(out, "roc_auc", roc, replicate_roc, "")
    _put(out, "pr_auc", ap, replicate_ap, "")


def _binned_aucs(pos: np.ndarray, neg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ROC AUC and average precision of each resample; bins ordered from the highest score down."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p_total, n_total = pos.sum(axis=1), neg.sum(axis=1)
        above = np.cumsum(pos, axis=1) - pos  # positives scored higher than this bin
        roc = (neg * (above + 0.5 * pos)).sum(axis=1) / (p_total * n_total)
        tp, fp = np.cumsum(pos, axis=1), np.cumsum(neg, axis=1)
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        ap = (pos * precision).sum(axis=1) / p_total  # recall steps of pos/P at each threshold
    return roc, ap


def _bootstrap_prf(cells: list[tuple[str, str, int]], classes: list[str], positive: str | None) -> np.ndarray:
    """(resamples, 3): precision, recall and F1 of each multinomial resample of the confusion cells."""
    counts = np.array([c for _a, _p, c in cells], dtype=float)
    draws = _rng().multinomial(int(counts.sum()), counts / counts.sum(), size=RESAMPLES).astype(float)
    scored = [positive] if positive is not None else classes
    actual = np.array([[a == k for k in scored] for a, _p, _c in cells], dtype=float)
    predicted = np.array([[p == k for k in scored] for _a, p, _c in cells], dtype=float)
    hit = actual * predicted
    tp, pred, real = draws @ hit, draws @ predicted, draws @ actual
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.nan_to_num(tp / pred)  # 0/0 is 0, as scikit-learn's zero_division=0
        recall = np.nan_to_num(tp / real)
        f1 = np.nan_to_num(2 * tp / (pred + real))
    # macro: the plain mean over every class (a class never predicted counts as 0, not as absent)
    return np.stack([m.mean(axis=1) for m in (precision, recall, f1)], axis=1)


# --- regression ----------------------------------------------------------------------------------


def _regression(state: dict[str, Any]) -> dict[str, Any]:
    n = state["n"]
    mae, mse = state["sum_abs"] / n, state["sum_sq"] / n
    out: dict[str, Any] = {"mae": mae, "rmse": math.sqrt(mse), "intervals": {}, "undefined": {}}
    if n > 1:
        out["intervals"]["mae"] = _normal(mae, state["sum_sq"] / n - mae * mae, n)
        low, high = _normal(mse, state["sum_e4"] / n - mse * mse, n)
        out["intervals"]["rmse"] = [math.sqrt(max(low, 0.0)), math.sqrt(high)]
    if state["n_ape"]:
        mape = state["sum_ape"] / state["n_ape"]
        out["mape"] = mape
        if state["n_ape"] > 1:
            out["intervals"]["mape"] = _normal(
                mape, state["sum_ape2"] / state["n_ape"] - mape * mape, state["n_ape"]
            )
        if state["n_ape"] < n:
            out["mape_excludes"] = f"{n - state['n_ape']} actuals of 0"
    else:
        out["mape"] = None
        out["undefined"]["mape"] = "every actual is 0"
    total = state["sum_y2"] - state["sum_y"] ** 2 / n  # sum of squares about the actuals' mean
    if n > 1 and total > 0:
        out["r2"] = 1 - state["sum_sq"] / total
    else:
        out["r2"] = None
        out["undefined"]["r2"] = "the actuals do not vary"
    return out


# --- helpers -------------------------------------------------------------------------------------


def _empty(task: str, positive: str | None, threshold: float) -> dict[str, Any]:
    if task == "regression":
        keys = (
            "n",
            "sum_error",
            "sum_abs",
            "sum_sq",
            "sum_e4",
            "sum_y",
            "sum_y2",
            "n_ape",
            "sum_ape",
            "sum_ape2",
        )
        return {"task": task, **dict.fromkeys(keys, 0)}
    state: dict[str, Any] = {"task": task, "cells": {}}
    if positive is not None:
        state.update(positive=positive, threshold=threshold, scores={})
    return state


def _add_into(total: dict[str, Any], state: dict[str, Any]) -> None:
    for key, value in state.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool) and key != "threshold":
            total[key] += value
    for cell, count in state.get("cells", {}).items():
        total["cells"][cell] = total["cells"].get(cell, 0) + count
    for label, bins in state.get("scores", {}).items():
        into = total["scores"].setdefault(label, {})
        for b, count in bins.items():
            into[b] = into.get(b, 0) + count


def _count(state: dict[str, Any]) -> int:
    return int(state["n"]) if state["task"] == "regression" else int(sum(state["cells"].values()))


def _put(out: dict[str, Any], name: str, value: float, replicates: np.ndarray, why: str) -> None:
    if value is None or not math.isfinite(value):
        out[name] = None
        out["undefined"][name] = why
        return
    out[name] = float(value)
    finite = replicates[np.isfinite(replicates)]
    if finite.size >= RESAMPLES // 2:
        low, high = np.percentile(finite, [2.5, 97.5])
        out["intervals"][name] = [float(low), float(high)]


def _wilson(successes: int, n: int) -> list[float]:
    p = successes / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return [max(centre - half, 0.0), min(centre + half, 1.0)]


def _normal(mean: float, variance: float, n: int) -> list[float]:
    half = Z95 * math.sqrt(max(variance, 0.0) * n / (n - 1) / n)
    return [mean - half, mean + half]


def _rng() -> np.random.Generator:
    return np.random.default_rng(20260101)  # seeded: the same counts always give the same interval


def _other(positive: str) -> str:
    return f"not {positive}"


def _number(prediction_id: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadInput(
            f"prediction {prediction_id}: {value!r} is not a number (use --task classification for labels)"
        ) from None
    if not math.isfinite(number):
        raise BadInput(f"prediction {prediction_id}: {value!r} is not a finite number")
    return number


def _probability(prediction_id: str, value: str) -> float:
    try:
        score = float(value)
    except ValueError:
        score = math.nan
    if not 0.0 <= score <= 1.0:  # also refuses NaN
        raise BadInput(
            f"prediction {prediction_id}: {value!r} is not a probability in [0, 1] "
            "(with --positive the predictions are that class's probabilities)"
        )
    return score
