"""Calibration and uncertainty: is a model's stated confidence worth what it says?

- :class:`CalibrationCheck`: expected and maximum calibration error (ECE / MCE, top-label, as Guo
  et al. 2017) over confidence bins, the Brier score, each with a seeded bootstrap interval, and
  the per-bin rows a reliability diagram is drawn from (:func:`reliability_diagram`, SVG).
- :class:`CoverageCheck`: do prediction intervals (regression) or prediction sets (classification,
  e.g. conformal) cover the truth as often as their nominal level promises? Empirical coverage
  with a Wilson interval; fails when the nominal level lies outside it (too rarely *or* too often:
  sets that always cover are uninformative, and dishonest about their level).

These are the evidence of ``L7.uncertainty``: uncertainty quantified at the output (calibrated
scores) and at the decision (intervals or sets with their coverage).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mltrl.checks import _inputs, _stats
from mltrl.checks.result import CheckResult
from mltrl.errors import BadInput

STRATEGIES = ("uniform", "quantile")


@dataclass(frozen=True)
class CalibrationCheck:
    """ECE, MCE and Brier score of a classifier's probabilities against ``max_ece`` (and ``max_brier``).

    Fails only when the data show the error is above the limit: the lower bound of its bootstrap
    interval is above it. Fewer than ``min_rows`` rows is ``insufficient``.
    """

    max_ece: float = 0.05
    max_brier: float | None = None
    bins: int = 10
    strategy: str = "uniform"
    min_rows: int = 100
    n_boot: int = 1000
    seed: int = 0
    confidence: float = 0.95
    name: str = "calibration"

    def __post_init__(self) -> None:
        _inputs.fraction(self.name, self.max_ece, "max_ece")
        if self.max_brier is not None:
            _inputs.fraction(self.name, self.max_brier, "max_brier")
        _inputs.positive_int(self.name, self.bins, "bins")
        if self.strategy not in STRATEGIES:
            raise BadInput(f"{self.name}: strategy {self.strategy!r} is not one of {', '.join(STRATEGIES)}")
        _inputs.positive_int(self.name, self.min_rows, "min_rows")
        _inputs.positive_int(self.name, self.n_boot, "n_boot")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            raise BadInput(f"{self.name}: seed must be a whole number 0 or more, not {self.seed!r}")
        _inputs.confidence(self.name, self.confidence)

    def run(self, model: Any, X: Any, y: Any) -> CheckResult:
        """Calibration of ``model`` (with ``predict_proba``, or its probabilities) on ``X, y``."""
        check = self.name
        rows = _inputs.n_rows(check, X)
        truth = _inputs.labels(check, y, rows)
        proba, classes = _probabilities(check, model, X, rows, truth)
        threshold = {
            "text": f"ECE <= {self.max_ece:g}"
            + (f" and Brier <= {self.max_brier:g}" if self.max_brier is not None else "")
            + f" (fails when the lower bound of the {self.confidence:.0%} bootstrap interval is above; "
            f"{self.bins} {self.strategy} bins; at least {self.min_rows} rows)",
            "max_ece": self.max_ece,
            "max_brier": self.max_brier,
            "bins": self.bins,
            "strategy": self.strategy,
            "confidence": self.confidence,
        }
        if rows < self.min_rows:
            return CheckResult(
                check,
                "insufficient",
                threshold=threshold,
                reason=f"{rows} rows, fewer than min_rows={self.min_rows}: too few to judge calibration",
                n=rows,
            )
        top = proba.max(axis=1)
        hit = (classes[proba.argmax(axis=1)] == truth).astype(float)
        onehot = (truth[:, None] == classes[None, :]).astype(float)
        if len(classes) == 2:  # the usual binary Brier score: the positive class's squared error
            brier_rows = (proba[:, 1] - onehot[:, 1]) ** 2
        else:  # Brier's own multi-class score: summed over classes (0 to 2)
            brier_rows = ((proba - onehot) ** 2).sum(axis=1)
        edges = _edges(top, self.bins, self.strategy)
        bin_of = np.clip(np.searchsorted(edges, top, side="right") - 1, 0, self.bins - 1)
        ece, mce, table = _errors(bin_of, top, hit, self.bins, edges)
        boot_ece, boot_mce, boot_brier = _bootstrap(
            bin_of, top, hit, brier_rows, self.bins, self.n_boot, self.seed
        )
        intervals = {
            "ece": _stats.percentile_interval(boot_ece, self.confidence),
            "mce": _stats.percentile_interval(boot_mce, self.confidence),
            "brier": _stats.percentile_interval(boot_brier, self.confidence),
        }
        brier = float(brier_rows.mean())
        metrics = {"ece": ece, "mce": mce, "brier": brier, "accuracy": float(hit.mean())}
        broken = []
        if intervals["ece"][0] > self.max_ece:
            broken.append(f"ECE {ece:.3g} (interval from {intervals['ece'][0]:.3g}) above {self.max_ece:g}")
        if self.max_brier is not None and intervals["brier"][0] > self.max_brier:
            broken.append(
                f"Brier {brier:.3g} (interval from {intervals['brier'][0]:.3g}) above {self.max_brier:g}"
            )
        if broken:
            status, reason = "fail", "miscalibrated: " + "; ".join(broken)
        else:
            status = "pass"
            low, high = intervals["ece"]
            reason = f"ECE {ece:.3g} [{low:.3g}, {high:.3g}] is not shown above {self.max_ece:g}"
        return CheckResult(check, status, metrics, intervals, threshold, reason, table, rows)


@dataclass(frozen=True)
class CoverageCheck:
    """Empirical coverage of prediction intervals or sets at their ``nominal`` level (e.g. 0.9)."""

    nominal: float = 0.9
    min_rows: int = 30
    confidence: float = 0.95
    name: str = "coverage"

    def __post_init__(self) -> None:
        _inputs.fraction(self.name, self.nominal, "nominal", allow_zero=False)
        _inputs.positive_int(self.name, self.min_rows, "min_rows")
        _inputs.confidence(self.name, self.confidence)

    def run(
        self,
        y: Any,
        *,
        lower: Any = None,
        upper: Any = None,
        sets: Any = None,
        classes: Sequence[Any] | None = None,
    ) -> CheckResult:
        """Coverage of ``[lower, upper]`` intervals, or of ``sets`` (one collection of labels per row,
        or an ``(n, k)`` true/false matrix whose columns are ``classes``)."""
        check = self.name
        if (sets is None) == (lower is None and upper is None):
            raise BadInput(f"{check}: give either lower and upper (intervals) or sets, not both or neither")
        rows = _inputs.n_rows(check, y, "y")
        truth = _inputs.labels(check, y, rows)
        if sets is None:
            covered, size, what = _interval_hits(check, truth, lower, upper, rows)
        else:
            covered, size, what = _set_hits(check, truth, sets, classes, rows)
        threshold = {
            "text": f"the nominal {self.nominal:g} lies inside the {self.confidence:.0%} Wilson interval of "
            f"the empirical coverage (at least {self.min_rows} rows)",
            "nominal": self.nominal,
            "confidence": self.confidence,
        }
        if rows < self.min_rows:
            return CheckResult(
                check,
                "insufficient",
                threshold=threshold,
                reason=f"{rows} rows, fewer than min_rows={self.min_rows}: too few to judge coverage",
                n=rows,
            )
        hits = int(covered.sum())
        low, high = _stats.wilson(hits, rows, self.confidence)
        coverage = hits / rows
        metrics = {
            "coverage": coverage,
            "mean_width" if what == "interval" else "mean_set_size": float(np.mean(size)),
        }
        if low <= self.nominal <= high:
            status = "pass"
            reason = (
                f"{what}s cover {coverage:.3g} [{low:.3g}, {high:.3g}] of {rows} rows, "
                f"consistent with {self.nominal:g}"
            )
        else:
            status = "fail"
            side = "under" if high < self.nominal else "over"
            reason = (
                f"{what}s {side}-cover: {coverage:.3g} [{low:.3g}, {high:.3g}] of {rows} rows, "
                f"nominal {self.nominal:g} outside the interval"
            )
        return CheckResult(check, status, metrics, {"coverage": (low, high)}, threshold, reason, (), rows)


def reliability_diagram(result: CheckResult, path: str | Path | None = None) -> str:
    """The reliability diagram of a :class:`CalibrationCheck` result as SVG text (written to ``path``
    when given): accuracy against confidence per bin, bar width the bin, the diagonal perfect."""
    if not isinstance(result, CheckResult) or not result.details or "confidence" not in result.details[0]:
        raise BadInput("reliability_diagram: give the result of a CalibrationCheck that had enough rows")
    from matplotlib.figure import Figure  # imported on use; no pyplot, no global state

    figure = Figure(figsize=(4.5, 4.5))
    axes = figure.add_subplot()
    rows = [row for row in result.details if row["n"]]
    axes.bar(
        [row["low"] for row in rows],
        [row["accuracy"] for row in rows],
        width=[row["high"] - row["low"] for row in rows],
        align="edge",
        edgecolor="#1f4e79",
        color="#9dc3e6",
        label="accuracy",
    )
    axes.plot([0, 1], [0, 1], linestyle="--", color="#555555", label="perfectly calibrated")
    axes.plot([row["confidence"] for row in rows], [row["accuracy"] for row in rows], "o", color="#c00000",
              label="mean confidence")  # fmt: skip
    axes.set(xlim=(0, 1), ylim=(0, 1), xlabel="confidence", ylabel="accuracy")
    ece = result.metrics.get("ece", math.nan)
    axes.set_title(f"Reliability (ECE {ece:.3f}, n={result.n})")
    axes.legend(loc="upper left", fontsize="small")
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    if path is not None:
        Path(path).write_text(svg, encoding="utf-8")
    return svg


def _probabilities(
    check: str, model: Any, X: Any, rows: int, truth: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    if callable(getattr(model, "predict_proba", None)):
        proba = np.asarray(model.predict_proba(X), dtype=float)
        classes = np.asarray(getattr(model, "classes_", np.unique(truth)))
    elif isinstance(model, (np.ndarray, list, tuple)) or hasattr(model, "to_numpy"):
        proba = np.asarray(model, dtype=float)
        classes = np.unique(truth) if proba.ndim == 1 or proba.shape[1] == len(np.unique(truth)) else None
        if classes is None:
            raise BadInput(
                f"{check}: model gave {proba.shape[1]} probability columns for "
                f"{len(np.unique(truth))} classes in y"
            )
    else:
        raise BadInput(
            f"{check}: model ({type(model).__name__}) has no predict_proba "
            "and is not an array of probabilities"
        )
    if proba.ndim == 1:  # the positive (largest) class's probability
        proba = np.column_stack([1 - proba, proba])
        if len(classes) == 1:
            classes = np.array([classes[0], classes[0]])
    if proba.ndim != 2 or proba.shape[0] != rows:
        raise BadInput(f"{check}: model gave probabilities of shape {proba.shape} for {rows} rows of X")
    if not np.isfinite(proba).all() or (proba < 0).any() or (proba > 1).any():
        raise BadInput(f"{check}: model gave probabilities outside [0, 1] (or NaN)")
    if proba.shape[1] != len(classes):
        raise BadInput(f"{check}: model gave {proba.shape[1]} probability columns for {len(classes)} classes")
    return proba, classes


def _edges(top: np.ndarray, bins: int, strategy: str) -> np.ndarray:
    if strategy == "uniform":
        return np.linspace(0.0, 1.0, bins + 1)
    edges = np.quantile(top, np.linspace(0.0, 1.0, bins + 1))
    edges[0], edges[-1] = 0.0, 1.0
    return edges


def _errors(
    bin_of: np.ndarray, top: np.ndarray, hit: np.ndarray, bins: int, edges: np.ndarray
) -> tuple[float, float, list[dict[str, Any]]]:
    n = len(top)
    counts = np.bincount(bin_of, minlength=bins)
    conf = np.bincount(bin_of, weights=top, minlength=bins)
    acc = np.bincount(bin_of, weights=hit, minlength=bins)
    table, ece, mce = [], 0.0, 0.0
    for b in range(bins):
        row: dict[str, Any] = {
            "bin": b,
            "low": float(edges[b]),
            "high": float(edges[b + 1]),
            "n": int(counts[b]),
        }
        if counts[b]:
            mean_conf, mean_acc = conf[b] / counts[b], acc[b] / counts[b]
            gap = abs(mean_acc - mean_conf)
            ece += counts[b] / n * gap
            mce = max(mce, gap)
            row.update(confidence=float(mean_conf), accuracy=float(mean_acc), gap=float(gap))
        else:
            row.update(confidence=None, accuracy=None, gap=None)
        table.append(row)
    return float(ece), float(mce), table


def _bootstrap(
    bin_of: np.ndarray, top: np.ndarray, hit: np.ndarray, brier: np.ndarray, bins: int, n_boot: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seeded resamples of ECE, MCE and Brier, vectorised with one bincount per block of resamples."""
    rng = np.random.default_rng(seed)
    n = len(top)
    eces, mces, briers = [], [], []
    per_block = max(1, 2_000_000 // max(n, 1))
    done = 0
    while done < n_boot:
        size = min(per_block, n_boot - done)
        idx = rng.integers(0, n, size=(size, n))
        ids = (bin_of[idx] + bins * np.arange(size)[:, None]).ravel()
        counts = np.bincount(ids, minlength=size * bins).reshape(size, bins)
        conf = np.bincount(ids, weights=top[idx].ravel(), minlength=size * bins).reshape(size, bins)
        acc = np.bincount(ids, weights=hit[idx].ravel(), minlength=size * bins).reshape(size, bins)
        gap = np.abs(acc - conf) / np.maximum(counts, 1)
        eces.append((counts * gap).sum(axis=1) / n)
        mces.append(np.where(counts > 0, gap, 0.0).max(axis=1))
        briers.append(brier[idx].mean(axis=1))
        done += size
    return np.concatenate(eces), np.concatenate(mces), np.concatenate(briers)


def _interval_hits(
    check: str, truth: np.ndarray, lower: Any, upper: Any, rows: int
) -> tuple[np.ndarray, np.ndarray, str]:
    if lower is None or upper is None:
        raise BadInput(f"{check}: an interval needs both lower and upper")
    bounds = []
    for argument, values in (("lower", lower), ("upper", upper)):
        array = np.asarray(values, dtype=float)
        if array.shape != (rows,):
            raise BadInput(f"{check}: {argument} has shape {array.shape}: give one bound per label ({rows})")
        if not np.isfinite(array).all():
            raise BadInput(f"{check}: {argument} holds NaN or infinite bounds")
        bounds.append(array)
    low, high = bounds
    if (low > high).any():
        raise BadInput(f"{check}: lower is above upper in {int((low > high).sum())} rows")
    values = truth.astype(float)
    return (values >= low) & (values <= high), high - low, "interval"


def _set_hits(
    check: str, truth: np.ndarray, sets: Any, classes: Sequence[Any] | None, rows: int
) -> tuple[np.ndarray, np.ndarray, str]:
    if isinstance(sets, np.ndarray) and sets.dtype == bool:
        if classes is None or sets.ndim != 2 or sets.shape != (rows, len(classes)):
            raise BadInput(
                f"{check}: a true/false sets matrix needs shape (rows, len(classes)), got {sets.shape}"
            )
        index = {c: i for i, c in enumerate(classes)}
        column = np.array([index.get(t, -1) for t in truth.tolist()])
        covered = np.where(column >= 0, sets[np.arange(rows), np.maximum(column, 0)], False)
        return covered, sets.sum(axis=1), "set"
    try:
        members = [set(s) for s in sets]
    except TypeError:
        raise BadInput(f"{check}: sets must be one collection of labels per row") from None
    if len(members) != rows:
        raise BadInput(f"{check}: sets has {len(members)} rows for {rows} labels")
    covered = np.array([t in s for t, s in zip(truth.tolist(), members, strict=True)])
    return covered, np.array([len(s) for s in members]), "set"
