"""Critical scenarios and data slices: a metric per slice, with a CI, Holm-corrected across slices.

A slice is a predicate over the rows of ``X``: a pandas expression (``"age >= 65 and sex == 'F'"``,
evaluated with ``DataFrame.eval``) or a callable returning a boolean mask. Each slice's metric gets a
95% interval (Wilson for accuracy, a seeded percentile bootstrap otherwise). A slice with fewer than
``min_rows`` rows is ``insufficient``; an empty slice is bad input (a predicate that matches nothing
is almost always a typo). A slice fails only when the data show its metric is below ``minimum``: the
one-sided test at ``(1 - confidence) / 2`` rejects after Holm's correction across the slices tested,
so 30 healthy slices do not produce a false failure one time in two. For one slice this is the same
as "the upper bound of the CI is below the minimum".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mltrl.checks import _inputs, _stats
from mltrl.checks.result import CheckResult
from mltrl.errors import BadInput

Predicate = str | Callable[[Any], Any]


@dataclass(frozen=True)
class SliceCheck:
    slices: Mapping[str, Predicate]
    metric: str = "accuracy"
    minimum: float = 0.0
    min_rows: int = 30
    confidence: float = 0.95
    seed: int = 0
    n_boot: int = 1000
    name: str = "slices"
    requirements: Mapping[str, str] = field(default_factory=dict)  # slice -> requirement id it proves
    min_rows_per_slice: Mapping[str, int] = field(default_factory=dict)  # overrides min_rows per slice

    def __post_init__(self) -> None:
        _stats.metric(self.name, self.metric)
        if not isinstance(self.slices, Mapping) or not self.slices:
            raise BadInput(f"{self.name}: slices must be a non-empty mapping of name -> predicate")
        for slice_name, predicate in self.slices.items():
            if not isinstance(predicate, str) and not callable(predicate):
                raise BadInput(
                    f"{self.name}: slice {slice_name!r} must be a pandas query string or a callable, "
                    f"not {type(predicate).__name__}"
                )
        if not (isinstance(self.minimum, (int, float)) and math.isfinite(self.minimum)):
            raise BadInput(f"{self.name}: minimum must be a finite number, not {self.minimum!r}")
        _inputs.positive_int(self.name, self.min_rows, "min_rows")
        _inputs.positive_int(self.name, self.n_boot, "n_boot")
        _inputs.confidence(self.name, self.confidence)
        unknown = sorted(set(self.requirements) - set(self.slices))
        if unknown:
            raise BadInput(f"{self.name}: requirements name slices that do not exist: {', '.join(unknown)}")
        unknown = sorted(set(self.min_rows_per_slice) - set(self.slices))
        if unknown:
            raise BadInput(
                f"{self.name}: min_rows_per_slice names slices that do not exist: {', '.join(unknown)}"
            )
        for slice_name, minimum_rows in self.min_rows_per_slice.items():
            _inputs.positive_int(f"{self.name}: slice {slice_name!r}", minimum_rows, "min_rows")

    def run(self, model: Any, X: Any, y: Any) -> CheckResult:
        """The metric of ``model`` (with ``predict``, or its predictions) on each slice of ``X, y``."""
        check, metric = self.name, _stats.metric(self.name, self.metric)
        rows = _inputs.n_rows(check, X)
        truth = _inputs.labels(check, y, rows)
        outputs = _stats.outputs(check, metric, model, X, rows, "model")
        masks = {name: self._mask(name, predicate, X, rows) for name, predicate in self.slices.items()}
        alpha = (1 - self.confidence) / 2  # one-sided: matches the upper bound of a two-sided CI
        table: list[dict[str, Any]] = []
        p_values: dict[str, float] = {}
        for position, (slice_name, mask) in enumerate(masks.items()):
            size = int(mask.sum())
            min_rows = self.min_rows_per_slice.get(slice_name, self.min_rows)
            row: dict[str, Any] = {
                "slice": slice_name,
                "n": size,
                "requirement": self.requirements.get(slice_name),
            }
            if size < min_rows:
                row.update(value=None, interval=None, p_value=None, p_holm=None, status="insufficient")
                table.append(row)
                continue
            y_s, out_s = truth[mask], outputs[mask]
            value = _score(metric, y_s, out_s)
            if metric.per_row:  # accuracy: a proportion, so an exact test and a Wilson interval
                hits = int((out_s == y_s).sum())
                low, high = _stats.wilson(hits, size, self.confidence)
                p = _stats.p_below(hits, size, self.minimum)
            else:
                # Each slice its own seed offset, so that adding a slice leaves the others unchanged.
                boot = _stats.bootstrap(
                    metric,
                    y_s,
                    [out_s],
                    combine=lambda v: v[0],
                    n_boot=self.n_boot,
                    seed=self.seed + position,
                )
                low, high = _stats.percentile_interval(boot, self.confidence)
                p = _stats.p_bootstrap_below(boot, self.minimum)
            row.update(value=value, interval=[low, high], p_value=p)
            if not (math.isfinite(value) and math.isfinite(low)):
                row.update(p_holm=None, status="insufficient")
            else:
                p_values[slice_name] = p
            table.append(row)
        reject, adjusted = _stats.holm(list(p_values.values()), alpha)
        decided = dict(zip(p_values, zip(reject, adjusted, strict=True), strict=True))
        for row in table:
            if row["slice"] in decided:
                rejected, p_holm = decided[row["slice"]]
                row.update(p_holm=p_holm, status="fail" if rejected else "pass")
        return self._result(table, rows)

    def _mask(self, slice_name: str, predicate: Predicate, X: Any, rows: int) -> np.ndarray:
        where = f"{self.name}: slice {slice_name!r}"
        try:
            if isinstance(predicate, str):
                if not isinstance(X, pd.DataFrame):
                    raise BadInput(f"{where} is a query string, which needs X as a pandas DataFrame")
                raw = X.eval(predicate)
            else:
                raw = predicate(X)
        except BadInput:
            raise
        except Exception as exc:  # a user's expression or callable: report it on one line
            raise BadInput(f"{where} could not be evaluated: {type(exc).__name__}: {exc}") from None
        mask = np.asarray(raw)
        if mask.shape != (rows,) or mask.dtype != bool:
            raise BadInput(
                f"{where} must give one true/false per row of X, got {mask.dtype} of shape {mask.shape}"
            )
        if not mask.any():
            raise BadInput(f"{where} matches no row of X")
        return mask

    def _result(self, table: list[dict[str, Any]], rows: int) -> CheckResult:
        m = self.metric
        metrics = {f"{m}[{r['slice']}]": r["value"] for r in table if r["value"] is not None}
        intervals = {f"{m}[{r['slice']}]": tuple(r["interval"]) for r in table if r["interval"] is not None}
        failed = [r["slice"] for r in table if r["status"] == "fail"]
        short = [r["slice"] for r in table if r["status"] == "insufficient"]
        metrics["slices_failed"] = len(failed)
        metrics["slices_insufficient"] = len(short)
        if failed:
            status = "fail"
            reason = (
                f"{len(failed)} of {len(table)} slices below {m} {self.minimum:g} (Holm): {', '.join(failed)}"
            )
        elif short:
            status = "insufficient"
            fewer = f"< {self.min_rows}" if not self.min_rows_per_slice else "below their min_rows"
            reason = f"too few rows ({fewer}) to decide slices: {', '.join(short)}"
        else:
            status = "pass"
            reason = f"no slice of {len(table)} is shown below {m} {self.minimum:g} (Holm-corrected)"
        threshold = {
            "text": f"{m} >= {self.minimum:g} in every slice (fails when, Holm-corrected across slices, "
            f"the one-sided test at {(1 - self.confidence) / 2:g} rejects; at least {self.min_rows} rows "
            "a slice)",
            "metric": m,
            "minimum": self.minimum,
            "min_rows": self.min_rows,
            "confidence": self.confidence,
            "correction": "holm",
        }
        return CheckResult(self.name, status, metrics, intervals, threshold, reason, table, rows)


def _score(metric: _stats.Metric, y: np.ndarray, out: np.ndarray) -> float:
    try:
        return metric.score(y, out)
    except ValueError:
        return float("nan")
