"""Sim-to-real: how far simulated (or synthetic) data sit from the real data a model will meet.

Three measures, each with its uncertainty:

- **per-feature distance**, from the monitoring drift engine (:mod:`mltrl.monitor.drift`): the real
  table is the reference, the synthetic one the window; mergeable sketches, so a million rows cost
  what profiling them costs;
- **a domain classifier's AUC**: how easily a classifier tells real rows from synthetic ones
  (0.5: indistinguishable; 1: trivially told apart), out-of-fold on a seeded sample, with the
  Hanley-McNeil interval;
- **the model's metric gap**: its accuracy on labelled synthetic rows minus on labelled real rows,
  with a Wald interval (when a model and labels are given).

It fails when the data show the domain AUC above ``max_domain_auc`` or the gap above ``max_gap``;
fewer than ``min_rows`` rows on either side is ``insufficient``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mltrl.checks import _inputs
from mltrl.checks.result import CheckResult
from mltrl.errors import BadInput


@dataclass(frozen=True)
class SimToRealCheck:
    max_domain_auc: float = 0.75
    max_gap: float | None = 0.05
    label: str | None = None  # the label column of both tables, for the metric gap
    #: A column of both tables holding the model's predictions: the metric gap without the model.
    prediction: str | None = None
    features: Sequence[str] | None = None  # default: the columns both tables share, minus the label
    sample_rows: int = 20_000  # per side, for the domain classifier
    min_rows: int = 200
    confidence: float = 0.95
    seed: int = 0
    name: str = "sim-to-real"

    def __post_init__(self) -> None:
        _inputs.fraction(self.name, self.max_domain_auc, "max_domain_auc")
        if self.max_gap is not None:
            _inputs.fraction(self.name, self.max_gap, "max_gap")
        _inputs.positive_int(self.name, self.sample_rows, "sample_rows")
        _inputs.positive_int(self.name, self.min_rows, "min_rows")
        _inputs.confidence(self.name, self.confidence)

    def run(self, synthetic: Any, real: Any, model: Any = None) -> CheckResult:
        from mltrl.monitor.drift import compare
        from mltrl.monitor.profile import profile_table

        check = self.name
        for argument, table in (("synthetic", synthetic), ("real", real)):
            if not isinstance(table, pd.DataFrame):
                raise BadInput(
                    f"{check}: {argument} must be a table (a pandas DataFrame), not {type(table).__name__}"
                )
        features = self._features(synthetic, real)
        if model is not None and self.prediction is not None:
            raise BadInput(f"{check}: give a model or a prediction column, not both")
        predicted = model is not None or self.prediction is not None
        if predicted and self.label is None:
            raise BadInput(f"{check}: predictions were given but no label column: the gap needs labels")
        threshold = {
            "text": f"domain classifier AUC <= {self.max_domain_auc:g}"
            + (
                f"; accuracy gap (synthetic - real) <= {self.max_gap:g}"
                if predicted and self.max_gap is not None
                else ""
            )
            + f" ({self.confidence:.0%} CI, at least {self.min_rows} rows a side)",
            "max_domain_auc": self.max_domain_auc,
            "max_gap": self.max_gap,
        }
        rows = min(len(synthetic), len(real))
        if rows < self.min_rows:
            return CheckResult(
                check,
                "insufficient",
                threshold=threshold,
                n=rows,
                reason=f"{rows} rows on the smaller side, fewer than min_rows={self.min_rows}",
            )
        drift = compare(profile_table(real[features]), profile_table(synthetic[features]))
        details = [c.to_json() for c in sorted(drift.columns, key=lambda c: -c.score / c.threshold)]
        metrics: dict[str, float] = {
            "drifted_share": len(drift.drifted_columns) / max(len(drift.columns), 1),
        }
        auc, auc_ci = self._domain_auc(synthetic[features], real[features])
        metrics["domain_auc"] = auc
        intervals = {"domain_auc": auc_ci}
        failures = []
        if auc_ci[0] > self.max_domain_auc:
            failures.append(
                f"a classifier tells real from synthetic rows at AUC {auc:.3f} "
                f"[{auc_ci[0]:.3f}, {auc_ci[1]:.3f}]"
            )
        if predicted:
            gap, gap_ci, acc_synth, acc_real = self._gap(model, synthetic, real, features)
            metrics.update({"accuracy_synthetic": acc_synth, "accuracy_real": acc_real, "accuracy_gap": gap})
            intervals["accuracy_gap"] = gap_ci
            if self.max_gap is not None and gap_ci[0] > self.max_gap:
                failures.append(
                    f"accuracy on synthetic {acc_synth:.3f} vs real {acc_real:.3f}: gap {gap:.3f} "
                    f"[{gap_ci[0]:.3f}, {gap_ci[1]:.3f}] above {self.max_gap:g}"
                )
        drifted = ", ".join(drift.drifted_columns[:5]) or "none"
        if failures:
            return CheckResult(
                check,
                "fail",
                metrics,
                intervals,
                threshold,
                "; ".join(failures) + f"; drifted features: {drifted}",
                details,
                rows,
            )
        return CheckResult(
            check,
            "pass",
            metrics,
            intervals,
            threshold,
            f"domain AUC {auc:.3f} [{auc_ci[0]:.3f}, {auc_ci[1]:.3f}] meets {threshold['text']}; "
            f"drifted features: {drifted}",
            details,
            rows,
        )

    def _features(self, synthetic: pd.DataFrame, real: pd.DataFrame) -> list[str]:
        if self.features is not None:
            wanted = list(self.features)
            for argument, table in (("synthetic", synthetic), ("real", real)):
                missing = [f for f in wanted if f not in table.columns]
                if missing:
                    raise BadInput(f"{self.name}: {argument} has no column {missing[0]!r}")
            return wanted
        not_features = (self.label, self.prediction)
        shared = [c for c in real.columns if c in synthetic.columns and c not in not_features]
        if not shared:
            raise BadInput(f"{self.name}: the synthetic and real tables share no feature column")
        for role, column in (("label", self.label), ("prediction", self.prediction)):
            for argument, table in (("synthetic", synthetic), ("real", real)):
                if column is not None and column not in table.columns:
                    raise BadInput(f"{self.name}: {argument} has no {role} column {column!r}")
        return shared

    def _domain_auc(self, synthetic: pd.DataFrame, real: pd.DataFrame) -> tuple[float, tuple[float, float]]:
        """Out-of-fold AUC of a gradient-boosted classifier telling the two apart, on a seeded sample."""
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import cross_val_predict
        from threadpoolctl import threadpool_limits

        rng = np.random.default_rng(self.seed)
        take = min(self.sample_rows, len(synthetic), len(real))
        both = pd.concat(
            [
                synthetic.iloc[np.sort(rng.choice(len(synthetic), take, replace=False))],
                real.iloc[np.sort(rng.choice(len(real), take, replace=False))],
            ],
            ignore_index=True,
        )
        for column in both.columns:  # categories as codes: the classifier reads numbers
            if not pd.api.types.is_numeric_dtype(both[column]):
                both[column] = both[column].astype("category").cat.codes
        is_real = np.r_[np.zeros(take), np.ones(take)]
        classifier = HistGradientBoostingClassifier(max_iter=100, random_state=self.seed)
        # One OpenMP thread: on a busy machine (CI running suites side by side) a thread per core per
        # process oversubscribes the cores and a second of work takes minutes.
        with threadpool_limits(limits=1, user_api="openmp"):
            scores = cross_val_predict(classifier, both, is_real, cv=3, method="predict_proba")[:, 1]
        auc = float(roc_auc_score(is_real, scores))
        return auc, _hanley_mcneil(auc, take, take, self.confidence)

    def _gap(self, model: Any, synthetic: pd.DataFrame, real: pd.DataFrame, features: list[str]) -> Any:
        assert self.label is not None
        if self.prediction is None:
            _inputs.model_with_predict(self.name, model)

        def predictions(table: pd.DataFrame) -> np.ndarray:
            if self.prediction is not None:
                return table[self.prediction].to_numpy()
            return np.asarray(model.predict(table[features]))

        hits_s = predictions(synthetic) == synthetic[self.label].to_numpy()
        hits_r = predictions(real) == real[self.label].to_numpy()
        acc_s, acc_r = float(hits_s.mean()), float(hits_r.mean())
        gap = acc_s - acc_r
        z = stats.norm.ppf(1 - (1 - self.confidence) / 2)
        half = z * math.sqrt(acc_s * (1 - acc_s) / len(hits_s) + acc_r * (1 - acc_r) / len(hits_r))
        return gap, (gap - half, gap + half), acc_s, acc_r


def _hanley_mcneil(auc: float, positives: int, negatives: int, confidence: float) -> tuple[float, float]:
    """Hanley & McNeil (1982): the standard error of an AUC from the two class sizes."""
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (
        positives * negatives
    )
    half = stats.norm.ppf(1 - (1 - confidence) / 2) * math.sqrt(max(variance, 0.0))
    return (float(max(0.0, auc - half)), float(min(1.0, auc + half)))
