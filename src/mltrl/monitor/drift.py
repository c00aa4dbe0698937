"""Drift of a window against a reference, computed from profiles alone (no raw rows).

Defaults, and why (see docs/monitoring.md):

* numeric columns: **Wasserstein distance normalised by the reference's standard deviation**,
  threshold 0.1 — Evidently's default for large samples. It measures how far the distribution moved
  in units of its own spread, so it does not flag tiny but "significant" shifts the way a p-value
  does on millions of rows. It is read off the KLL quantiles of both profiles.
* categorical and boolean columns: **Jensen-Shannon distance** (base 2, 0..1), threshold 0.1, over
  the frequent items of both profiles plus one "other" bucket. Long-tail categories that no sketch
  keeps as frequent stay in "other", so a 50,000-value identifier column that merely resamples its
  tail does not raise a false alarm.
* the data set drifts when at least half of the compared columns drift (Evidently's default share).

Per-column overrides choose another method (``psi``, ``ks``, ``wasserstein``, ``jensen-shannon``)
or threshold. Identifier and timestamp columns are left out unless included (see
:mod:`mltrl.monitor.keys`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mltrl.errors import BadInput
from mltrl.monitor.columns import BooleanProfile, CategoricalProfile, NumericProfile
from mltrl.monitor.keys import excluded, ignored
from mltrl.monitor.limits import limit
from mltrl.monitor.profile import TableProfile

GRID = np.linspace(0.005, 0.995, 199)  # quantile grid the numeric methods read off the sketches
DEFAULTS = {"numeric": ("wasserstein", 0.1), "categorical": ("jensen-shannon", 0.1)}
DATASET_SHARE = 0.5
METHODS = {"numeric": ("wasserstein", "ks", "psi"), "categorical": ("jensen-shannon", "psi")}
#: What a column's settings may hold: drift method and threshold, and the data-quality limits.
SETTINGS = {
    "method",
    "threshold",
    "ignore",
    "include",
    "max_null_increase",
    "max_nonfinite_increase",
    "max_out_of_range",
    "max_new_categories",
}


@dataclass(frozen=True)
class ColumnDrift:
    column: str
    kind: str
    method: str
    score: float
    threshold: float

    @property
    def drifted(self) -> bool:
        return self.score >= self.threshold

    def to_json(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "kind": self.kind,
            "method": self.method,
            "score": round(self.score, 6),
            "threshold": self.threshold,
            "drifted": self.drifted,
        }


@dataclass
class DriftReport:
    columns: list[ColumnDrift] = field(default_factory=list)
    share_threshold: float = DATASET_SHARE
    missing: list[str] = field(default_factory=list)  # reference columns the window lacks
    #: columns left out of drift (identifiers, timestamps, ignored), each with the reason
    excluded: dict[str, str] = field(default_factory=dict)

    @property
    def drifted_columns(self) -> list[str]:
        return [c.column for c in self.columns if c.drifted]

    @property
    def dataset_drift(self) -> bool:
        return bool(self.columns) and len(self.drifted_columns) / len(self.columns) >= self.share_threshold

    def _repr_html_(self) -> str:
        from mltrl.views.notebook import drift_html

        return drift_html(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset_drift": self.dataset_drift,
            "drifted_columns": self.drifted_columns,
            "share_threshold": self.share_threshold,
            "columns": [c.to_json() for c in self.columns],
            "missing_columns": self.missing,
            "excluded_columns": [{"column": k, "reason": v} for k, v in self.excluded.items()],
        }


def compare(
    reference: TableProfile,
    current: TableProfile,
    *,
    columns: list[str] | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
    share_threshold: float = DATASET_SHARE,
) -> DriftReport:
    if current.rows == 0:
        raise BadInput("the window is empty: there is nothing to compare with the reference")
    share_threshold = limit(share_threshold, "the data-set drift share", high=1.0)
    overrides = overrides or {}
    for name, chosen in overrides.items():
        if name not in reference.columns:
            raise BadInput(f"settings for column {name!r}, which the reference does not have")
        unknown = set(chosen) - SETTINGS
        if unknown:
            raise BadInput(
                f"column {name!r}: unknown setting {sorted(unknown)[0]!r} (use {', '.join(sorted(SETTINGS))})"
            )
    report = DriftReport(share_threshold=share_threshold)
    if columns is None:
        report.excluded = excluded(reference, overrides)
        # A column the window lacks cannot drift; the data-quality check reports it as missing.
        columns = [n for n in reference.columns if n in current.columns and n not in report.excluded]
        report.missing = [
            n for n in reference.columns if n not in current.columns and n not in ignored(overrides)
        ]
    for name in columns:
        ref, cur = reference.column(name), current.column(name)
        family = "numeric" if isinstance(ref, NumericProfile) else "categorical"
        if ref.kind != cur.kind:
            raise BadInput(f"column {name!r} is {ref.kind} in the reference but {cur.kind} in the window")
        method, threshold = DEFAULTS[family]
        chosen = overrides.get(name, {})
        method = chosen.get("method", method)
        threshold = limit(chosen.get("threshold", threshold), f"column {name!r}: threshold")
        if method not in METHODS[family]:
            raise BadInput(
                f"drift method {method!r} does not apply to {family} column {name!r} "
                f"(use {', '.join(METHODS[family])})"
            )
        if cur.count == 0 or ref.count == 0:
            raise BadInput(
                f"column {name!r} has no values in the {'window' if cur.count == 0 else 'reference'}"
            )
        score = _numeric(method, ref, cur) if family == "numeric" else _categorical(method, ref, cur)
        if not math.isfinite(score):  # NaN >= threshold is false: never let it pass as "no drift"
            raise BadInput(
                f"column {name!r}: the drift score is {score} ({method}); the profiles are unusable"
            )
        report.columns.append(ColumnDrift(name, ref.kind, method, score, threshold))
    return report


def _numeric(method: str, ref: NumericProfile, cur: NumericProfile) -> float:
    if method == "wasserstein":
        q_ref = np.array(ref.kll.get_quantiles(list(GRID)))
        q_cur = np.array(cur.kll.get_quantiles(list(GRID)))
        spread = math.sqrt(ref.variance) or 1.0
        return float(np.mean(np.abs(q_ref - q_cur)) / spread)
    points = sorted(set(ref.kll.get_quantiles(list(GRID))))
    if method == "ks":
        return float(np.max(np.abs(np.array(ref.kll.get_cdf(points)) - np.array(cur.kll.get_cdf(points)))))
    edges = sorted(set(ref.kll.get_quantiles([i / 10 for i in range(1, 10)])))  # deciles of the reference
    return _psi(np.array(ref.kll.get_pmf(edges)), np.array(cur.kll.get_pmf(edges)))


def _distribution(profile: CategoricalProfile | BooleanProfile, keys: list[str]) -> np.ndarray:
    if isinstance(profile, BooleanProfile):
        counts = {"true": profile.trues, "false": profile.count - profile.trues}
    else:
        counts = profile.confident()
    known = np.array([counts.get(k, 0) for k in keys], dtype=float)
    other = max(profile.count - known.sum(), 0.0)
    values = np.append(known, other)
    return values / values.sum()


def _categorical(method: str, ref: Any, cur: Any) -> float:
    if isinstance(ref, BooleanProfile):
        keys = ["true", "false"]
    else:
        keys = sorted(set(ref.confident()) | set(cur.confident()))
    p, q = _distribution(ref, keys), _distribution(cur, keys)
    if method == "psi":
        return _psi(p, q)
    m = (p + q) / 2
    return float(math.sqrt(max(_kl(p, m) + _kl(q, m), 0.0) / 2))


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    mask = p > 0
    return float(np.sum(p[mask] * np.log2(p[mask] / q[mask])))


def _psi(p: np.ndarray, q: np.ndarray, floor: float = 1e-4) -> float:
    p, q = np.clip(p, floor, None), np.clip(q, floor, None)
    return float(np.sum((q - p) * np.log(q / p)))
