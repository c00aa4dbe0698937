"""The one contract every check returns: a structured verdict, never a bare boolean.

As scikit-learn has one contract for estimators, mltrl has one for checks: a check is configured,
run on data and a model, and returns a :class:`CheckResult` — ``pass`` / ``fail`` /
``insufficient`` (too little data to decide), the metric values with confidence intervals, what was
required and why the verdict is what it is. The pytest plugin, the CLI and :func:`mltrl.checks.record`
only *record* results as evidence; none of them decides a gate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mltrl import jsonout

Status = Literal["pass", "fail", "insufficient"]
STATUSES: tuple[str, ...] = ("pass", "fail", "insufficient")


@dataclass(frozen=True)
class CheckResult:
    """What a check found.

    - ``check``: the check's name (``golden``, ``slices``, ``metamorphic`` ...).
    - ``status``: ``pass``, ``fail`` or ``insufficient`` (too little data to decide either way).
    - ``metrics``: metric name -> value (e.g. ``{"accuracy": 0.95}``).
    - ``intervals``: metric name -> ``(low, high)``, a confidence interval (95% unless said otherwise).
    - ``threshold``: what was required, in words (``"text"``) and numbers (e.g. ``"minimum"``).
    - ``reason``: one line saying why the status is what it is.
    - ``details``: rows a person reads to see where (per slice, per relation ...).
    - ``n``: how many rows the verdict rests on.
    - ``labels``: short text facts about the run that gates read, e.g. ``{"stage": "ingestion"}``
      for data validation; recorded beside the metrics.
    """

    check: str
    status: Status
    metrics: Mapping[str, float] = field(default_factory=dict)
    intervals: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    threshold: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""
    details: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    n: int = 0
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"check result status {self.status!r} must be one of {', '.join(STATUSES)}")
        # Plain, owned copies: a caller mutating its dict later must not change a recorded verdict.
        object.__setattr__(self, "metrics", {str(k): _number(v) for k, v in self.metrics.items()})
        object.__setattr__(
            self,
            "intervals",
            {str(k): (_number(lo), _number(hi)) for k, (lo, hi) in self.intervals.items()},
        )
        object.__setattr__(self, "threshold", dict(self.threshold))
        object.__setattr__(self, "details", tuple(dict(row) for row in self.details))
        object.__setattr__(self, "reason", " ".join(str(self.reason).split()))  # one line
        object.__setattr__(self, "n", int(self.n))
        object.__setattr__(self, "labels", {str(k): str(v) for k, v in self.labels.items()})

    @property
    def passed(self) -> bool:
        """True only for ``pass``; ``insufficient`` is not a pass."""
        return self.status == "pass"

    def __bool__(self) -> bool:
        # ``assert check.run(...)`` would otherwise always hold (a dataclass is truthy): refuse it.
        raise TypeError(
            "a CheckResult is not a boolean: use result.passed, result.status or result.assert_pass()"
        )

    def assert_pass(self) -> CheckResult:
        """Raise ``AssertionError`` with the reason unless the status is ``pass``; returns ``self``."""
        if self.status != "pass":
            raise AssertionError(f"{self.check}: {self.status}: {self.reason}")
        return self

    def as_dict(self) -> dict[str, Any]:
        """The result as plain data (intervals as ``[low, high]`` lists); non-finite numbers are ``None``."""
        return jsonout.finite(
            {
                "check": self.check,
                "status": self.status,
                "metrics": dict(self.metrics),
                "intervals": {k: [lo, hi] for k, (lo, hi) in self.intervals.items()},
                "threshold": dict(self.threshold),
                "reason": self.reason,
                "details": [dict(row) for row in self.details],
                "n": self.n,
                "labels": dict(self.labels),
            }
        )

    def to_json(self, *, indent: int | None = None) -> str:
        """Strict JSON (no ``NaN``/``Infinity``: an undefined value is ``null``)."""
        return jsonout.dumps(self.as_dict(), indent=indent)

    def evidence_metrics(self) -> dict[str, float | int | str]:
        """Flat metrics for evidence: each metric, its CI as ``<name>_ci_low``/``_ci_high``, ``n`` and
        ``status``, and the labels as text; non-finite values are left out (the evidence store refuses
        them)."""
        flat: dict[str, float | int | str] = {}
        for name, value in self.metrics.items():
            if math.isfinite(value):
                flat[name] = value
        for name, (low, high) in self.intervals.items():
            if math.isfinite(low):
                flat[f"{name}_ci_low"] = low
            if math.isfinite(high):
                flat[f"{name}_ci_high"] = high
        flat["n"] = self.n
        flat["status"] = self.status
        for name, text in self.labels.items():
            flat.setdefault(name, text)  # a label never hides a metric of the same name
        return flat


def _number(value: Any) -> float:
    if value is None:
        return math.nan
    return float(value)
