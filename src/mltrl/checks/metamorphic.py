"""Metamorphic relations: how predictions must (not) change when the input is perturbed.

Three kinds, after CheckList: ``invariance`` (the prediction must not change), ``directional`` (the
score must move ``up`` or ``down``, never the other way) and ``monotonic`` (along a ramp of
perturbations the score must move one way only). Each relation's failure rate over the rows gets a
Wilson interval; it fails when the data show the rate is above the relation's ``tolerance`` (the
one-sided exact binomial test rejects, Holm-corrected across the relations), so a relation with
tolerance 0 fails on its first failing row.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mltrl.checks import _inputs, _stats
from mltrl.checks.result import CheckResult
from mltrl.errors import BadInput

KINDS = ("invariance", "directional", "monotonic")


@dataclass(frozen=True)
class Relation:
    """One codified relation. ``perturb`` maps X to a perturbed copy (for ``monotonic``: to a list of
    copies of increasing intensity, e.g. :func:`mltrl.checks.perturbations.ramp`), or is the name of a
    built-in perturbation (:func:`mltrl.checks.perturbations.names`) built with ``params``."""

    name: str
    kind: str
    perturb: Callable[[Any], Any] | str | None
    tolerance: float = 0.0  # the failure rate the relation accepts
    direction: str | None = None  # "up" or "down", for directional and monotonic relations
    atol: float = 0.0  # a score change within atol counts as no change
    target_class: int = -1  # the predict_proba column scored by directional and monotonic relations
    params: Mapping[str, Any] = field(default_factory=dict)  # for a perturbation given by name
    #: The built-in perturbation's name when ``perturb`` was given as one (None for a callable).
    perturbation: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        where = f"metamorphic: relation {self.name!r}"
        if not isinstance(self.name, str) or not self.name.strip():
            raise BadInput("metamorphic: a relation needs a name")
        if self.kind not in KINDS:
            raise BadInput(f"{where}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if not isinstance(self.params, Mapping):
            raise BadInput(f"{where}: params must be a mapping of parameter -> value")
        if isinstance(self.perturb, str):
            from mltrl.checks import perturbations

            try:
                built = perturbations.get(self.perturb, **dict(self.params))
            except BadInput as exc:
                raise BadInput(f"{where}: {exc}") from None
            object.__setattr__(self, "perturbation", self.perturb)
            object.__setattr__(self, "perturb", built)
        elif self.params:
            raise BadInput(f"{where}: params apply to a perturbation given by name, not to a callable")
        if not callable(self.perturb):
            raise BadInput(f"{where} has no perturbation: give perturb=callable(X) -> perturbed X")
        _inputs.fraction(where, self.tolerance, "tolerance")
        if self.kind == "invariance" and self.direction is not None:
            raise BadInput(f"{where}: an invariance relation has no direction")
        if self.kind != "invariance" and self.direction not in ("up", "down"):
            raise BadInput(f"{where}: a {self.kind} relation needs direction 'up' or 'down'")
        if not (isinstance(self.atol, (int, float)) and self.atol >= 0):
            raise BadInput(f"{where}: atol must be a number 0 or more, not {self.atol!r}")


@dataclass(frozen=True)
class MetamorphicCheck:
    relations: Sequence[Relation]
    min_rows: int = 30
    confidence: float = 0.95
    name: str = "metamorphic"

    def __post_init__(self) -> None:
        relations = tuple(self.relations)
        if not relations or not all(isinstance(r, Relation) for r in relations):
            raise BadInput(f"{self.name}: relations must be a non-empty list of Relation")
        names = [r.name for r in relations]
        if len(set(names)) != len(names):
            raise BadInput(f"{self.name}: relation names repeat: {', '.join(sorted(names))}")
        object.__setattr__(self, "relations", relations)
        _inputs.positive_int(self.name, self.min_rows, "min_rows")
        _inputs.confidence(self.name, self.confidence)

    def run(self, model: Any, X: Any) -> CheckResult:
        """Each relation's failure rate for ``model`` (with ``predict``) on the rows of ``X``."""
        check = self.name
        _inputs.model_with_predict(check, model)
        rows = _inputs.n_rows(check, X)
        threshold = {
            "text": "each relation's failure rate <= its tolerance (fails when, Holm-corrected across "
            f"relations, the one-sided test at {(1 - self.confidence) / 2:g} rejects; at least "
            f"{self.min_rows} rows)",
            "tolerances": {r.name: r.tolerance for r in self.relations},
            "confidence": self.confidence,
            "correction": "holm",
        }
        if rows < self.min_rows:
            return CheckResult(
                check,
                "insufficient",
                threshold=threshold,
                reason=f"{rows} rows, fewer than min_rows={self.min_rows}: too few to decide",
                n=rows,
            )
        table: list[dict[str, Any]] = []
        for relation in self.relations:
            failures = int(_failures(check, relation, model, X, rows).sum())
            low, high = _stats.wilson(failures, rows, self.confidence)
            table.append(
                {
                    "relation": relation.name,
                    "kind": relation.kind,
                    "perturbation": relation.perturbation,
                    "failures": failures,
                    "n": rows,
                    "failure_rate": failures / rows,
                    "interval": [low, high],
                    "tolerance": relation.tolerance,
                    "p_value": _stats.p_above(failures, rows, relation.tolerance),
                }
            )
        reject, adjusted = _stats.holm([r["p_value"] for r in table], (1 - self.confidence) / 2)
        for row, rejected, p_holm in zip(table, reject, adjusted, strict=True):
            row.update(p_holm=p_holm, status="fail" if rejected else "pass")
        failed = [r["relation"] for r in table if r["status"] == "fail"]
        metrics = {f"failure_rate[{r['relation']}]": r["failure_rate"] for r in table}
        intervals = {f"failure_rate[{r['relation']}]": tuple(r["interval"]) for r in table}
        metrics["relations_failed"] = len(failed)
        if failed:
            status = "fail"
            reason = f"{len(failed)} of {len(table)} relations fail more often than tolerated: " + ", ".join(
                f"{r['relation']} {r['failure_rate']:.3g} > {r['tolerance']:g}"
                for r in table
                if r["status"] == "fail"
            )
        else:
            status = "pass"
            reason = f"all {len(table)} relations hold within their tolerance on {rows} rows"
        return CheckResult(check, status, metrics, intervals, threshold, reason, table, rows)


def _failures(check: str, relation: Relation, model: Any, X: Any, rows: int) -> np.ndarray:
    """One true/false per row: does the relation fail there?"""
    where = f"{check}: relation {relation.name!r}"
    try:
        perturbed = relation.perturb(X.copy() if hasattr(X, "copy") else X)  # type: ignore[misc]
    except BadInput:
        raise
    except Exception as exc:  # a user's perturbation: say which one broke, on one line
        raise BadInput(f"{where}: the perturbation failed: {type(exc).__name__}: {exc}") from None
    if relation.kind == "invariance":
        before = _outputs(where, model, X, rows, "predict", "X")
        after = _outputs(where, model, perturbed, rows, "predict")
        if before.dtype.kind == "f":
            return ~np.isclose(before, after, rtol=0.0, atol=relation.atol)
        return before != after
    series = perturbed if relation.kind == "monotonic" else [perturbed]
    if relation.kind == "monotonic" and (
        isinstance(series, np.ndarray) or not isinstance(series, (list, tuple))
    ):
        raise BadInput(f"{where}: a monotonic perturbation must return a list of perturbed copies of X")
    scores = [_score(where, relation, model, X, rows)]
    scores += [_score(where, relation, model, step, rows) for step in series]
    failing = np.zeros(rows, dtype=bool)
    sign = 1.0 if relation.direction == "up" else -1.0
    for earlier, later in itertools.pairwise(scores):
        failing |= sign * (later - earlier) < -relation.atol  # moved the wrong way
    return failing


def _score(where: str, relation: Relation, model: Any, X: Any, rows: int) -> np.ndarray:
    if callable(getattr(model, "predict_proba", None)):
        proba = _outputs(where, model, X, rows, "predict_proba")
        return np.asarray(proba, dtype=float)[:, relation.target_class]
    return np.asarray(_outputs(where, model, X, rows, "predict"), dtype=float)


def _outputs(
    where: str, model: Any, X: Any, rows: int, method: str, what: str = "the perturbed X"
) -> np.ndarray:
    if _inputs.n_rows(where, X, what) != rows:
        raise BadInput(f"{where}: the perturbation changed the number of rows")
    try:
        out = np.asarray(getattr(model, method)(X))
    except (ValueError, TypeError) as error:
        # scikit-learn's messages run over several lines; the first says what was wrong.
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise BadInput(f"{where}: the model's {method} failed on {what}: {first}") from error
    if out.dtype.kind == "f" and not np.isfinite(out).all():
        raise BadInput(f"{where}: the model gave non-finite outputs on {what}")
    return out
