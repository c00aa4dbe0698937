"""Stress and latency: a callable's latency quantiles and throughput against a service-level objective.

:class:`LatencyCheck` calls a function (a model's ``predict``, a client of a served model) on
inputs, ``calls`` times, optionally from several threads at once, and reports p50 / p95 / p99
latency with seeded bootstrap intervals, the throughput and the error rate. Each objective is
judged with its interval, and the burden is on the system:

- ``pass`` when the interval lies inside the objective (upper bound of a latency quantile at or
  below its limit, lower bound of the throughput at or above its minimum);
- ``fail`` when it lies outside (the lower bound of a quantile above its limit, ...) or a call
  raised more often than ``max_error_rate``;
- ``insufficient`` when the interval straddles the limit (run more calls) or fewer than
  ``min_calls`` calls were timed.

The objective is given directly or read from a requirement's "shall" statement
(:meth:`LatencyCheck.from_requirement`: "p95 latency under 200 ms", "in under 100 ms",
"at least 50 requests per second"). Wall-clock timings are not reproducible, so :meth:`evaluate`
judges recorded timings: the same timings and seed give bit-identical results. These results back
``L8.stress-tests``.
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from mltrl.checks import _inputs, _stats
from mltrl.checks.result import CheckResult
from mltrl.errors import BadInput

QUANTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}
_NUMBER = r"(\d+(?:\.\d+)?)"
_UNIT = r"(ms|milliseconds?|s|secs?|seconds?)\b"
_QUANTILE_SLO = re.compile(
    r"(?:\bp(50|95|99)\b|\b(50|95|99)(?:th|%)?[ -]percentile\b|\bmedian\b)[^.;]{0,60}?"
    + _NUMBER
    + r"\s*"
    + _UNIT,
    re.IGNORECASE,
)
_PLAIN_SLO = re.compile(
    r"\b(?:under|within|below|less than|at most|in)\s+" + _NUMBER + r"\s*" + _UNIT, re.IGNORECASE
)
_THROUGHPUT_SLO = re.compile(
    _NUMBER + r"\s*(?:requests|calls|predictions|queries|inferences|items|images|rows)?\s*"
    r"(?:per second|/\s*s\b|a second|rps\b|qps\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LatencyCheck:
    """Latency quantiles (milliseconds) and throughput (calls per second) against objectives."""

    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    min_throughput: float | None = None  # calls per second
    max_error_rate: float = 0.0
    calls: int = 200
    warmup: int = 5
    concurrency: int = 1
    min_calls: int = 100
    n_boot: int = 1000
    seed: int = 0
    confidence: float = 0.95
    requirement: str | None = None  # the requirement the objective comes from, if any
    name: str = "latency"

    def __post_init__(self) -> None:
        objectives = (self.p50_ms, self.p95_ms, self.p99_ms, self.min_throughput)
        if all(v is None for v in objectives):
            raise BadInput(
                f"{self.name}: give an objective: p50_ms, p95_ms, p99_ms or min_throughput "
                "(or LatencyCheck.from_requirement)"
            )
        for argument in ("p50_ms", "p95_ms", "p99_ms", "min_throughput"):
            value = getattr(self, argument)
            if value is not None and (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or value <= 0
            ):
                raise BadInput(f"{self.name}: {argument} must be a number above 0, not {value!r}")
        _inputs.fraction(self.name, self.max_error_rate, "max_error_rate")
        _inputs.positive_int(self.name, self.calls, "calls")
        _inputs.positive_int(self.name, self.concurrency, "concurrency")
        _inputs.positive_int(self.name, self.min_calls, "min_calls")
        _inputs.positive_int(self.name, self.n_boot, "n_boot")
        if isinstance(self.warmup, bool) or not isinstance(self.warmup, int) or self.warmup < 0:
            raise BadInput(f"{self.name}: warmup must be a whole number 0 or more, not {self.warmup!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            raise BadInput(f"{self.name}: seed must be a whole number 0 or more, not {self.seed!r}")
        _inputs.confidence(self.name, self.confidence)

    @classmethod
    def from_requirement(cls, requirement: Any, **options: Any) -> LatencyCheck:
        """The objectives written in a requirement's statement (a ``RequirementRecord`` or its text).

        "p95 ... 200 ms", "99th percentile ... 0.5 s", "median ... 40 ms" set that quantile; a
        latency without a quantile ("in under 100 ms") is read as p95; "50 requests per second"
        (or "/s", "rps", "qps") sets the minimum throughput. Options override what is read.
        """
        text = getattr(requirement, "statement", requirement)
        code = getattr(requirement, "code", None)
        if not isinstance(text, str) or not text.strip():
            raise BadInput("latency: from_requirement needs a requirement or its statement text")
        found: dict[str, Any] = {}
        for match in _QUANTILE_SLO.finditer(text):
            quantile = match.group(1) or match.group(2) or "50"
            found.setdefault(f"p{quantile}_ms", _milliseconds(match.group(3), match.group(4)))
        if not found:
            plain = _PLAIN_SLO.search(text)
            if plain:
                found["p95_ms"] = _milliseconds(plain.group(1), plain.group(2))
        throughput = _THROUGHPUT_SLO.search(text)
        if throughput:
            found["min_throughput"] = float(throughput.group(1))
        if not found and not any(k in options for k in ("p50_ms", "p95_ms", "p99_ms", "min_throughput")):
            where = f"requirement {code}" if code else "the requirement"
            raise BadInput(
                f"latency: {where} states no latency or throughput objective (e.g. 'p95 under 200 ms', "
                f"'50 requests per second'): {text[:80]!r}"
            )
        return cls(**{**found, "requirement": code, **options})

    def run(self, fn: Any, inputs: Any) -> CheckResult:
        """Time ``fn(input)`` over ``inputs`` (cycled) ``calls`` times after ``warmup`` untimed calls.

        ``inputs`` is a list of arguments, or a table (pandas DataFrame or 2-D array) whose rows are
        sent one at a time, each as a one-row table (what ``model.predict`` takes).
        """
        check = self.name
        if not callable(fn):
            raise BadInput(f"{check}: fn ({type(fn).__name__}) is not callable: give e.g. model.predict")
        arguments = _arguments(check, inputs)
        for i in range(self.warmup):
            with contextlib.suppress(Exception):  # a failing call is counted when timed, not here
                fn(arguments[i % len(arguments)])

        def timed(i: int) -> float:
            start = time.perf_counter()
            try:
                fn(arguments[i % len(arguments)])
            except Exception:  # a call that raises under load is a finding, not bad input
                return math.nan
            return time.perf_counter() - start

        wall_start = time.perf_counter()
        if self.concurrency == 1:
            seconds = [timed(i) for i in range(self.calls)]
        else:
            with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
                seconds = list(pool.map(timed, range(self.calls)))
        wall = time.perf_counter() - wall_start
        return self.evaluate(seconds, wall_seconds=wall)

    def evaluate(self, seconds: Sequence[float], *, wall_seconds: float | None = None) -> CheckResult:
        """Judge recorded per-call timings in seconds (NaN for a call that raised). Throughput is
        calls / ``wall_seconds`` (default: the sum of the timings, i.e. calls one after another)."""
        check = self.name
        values = np.asarray(seconds, dtype=float)
        if values.ndim != 1 or len(values) == 0:
            raise BadInput(f"{check}: seconds must be a non-empty list of per-call timings")
        if (values[np.isfinite(values)] < 0).any() or np.isinf(values).any():
            raise BadInput(f"{check}: seconds holds negative or infinite timings")
        ok = values[~np.isnan(values)]
        errors = len(values) - len(ok)
        threshold = self._threshold()
        if len(ok) < self.min_calls:
            return CheckResult(
                check,
                "insufficient",
                {"errors": errors},
                threshold=threshold,
                reason=f"{len(ok)} timed calls, fewer than min_calls={self.min_calls}: too few to decide",
                n=len(values),
            )
        ms = ok * 1000.0
        total = float(wall_seconds) if wall_seconds is not None else float(ok.sum())
        if not (math.isfinite(total) and total > 0):
            raise BadInput(f"{check}: wall_seconds must be above 0, not {wall_seconds!r}")
        rng = np.random.default_rng(self.seed)
        boot_q: dict[str, list[np.ndarray]] = {q: [] for q in QUANTILES}
        boot_mean: list[np.ndarray] = []
        per_block = max(1, 2_000_000 // len(ms))
        done = 0
        while done < self.n_boot:
            size = min(per_block, self.n_boot - done)
            sample = ms[rng.integers(0, len(ms), size=(size, len(ms)))]
            quantiles = np.quantile(sample, list(QUANTILES.values()), axis=1)
            for key, row in zip(QUANTILES, quantiles, strict=True):
                boot_q[key].append(row)
            boot_mean.append(sample.mean(axis=1))
            done += size
        metrics: dict[str, float] = {}
        intervals: dict[str, tuple[float, float]] = {}
        for key, q in QUANTILES.items():
            metrics[f"{key}_ms"] = float(np.quantile(ms, q))
            intervals[f"{key}_ms"] = _stats.percentile_interval(np.concatenate(boot_q[key]), self.confidence)
        throughput = len(ok) / total
        # The throughput moves inversely with the mean latency: scale it by the resampled means.
        mean_low, mean_high = _stats.percentile_interval(np.concatenate(boot_mean), self.confidence)
        mean = float(ms.mean())
        metrics["throughput"] = throughput
        intervals["throughput"] = (throughput * mean / mean_high, throughput * mean / mean_low)
        metrics["error_rate"] = errors / len(values)
        intervals["error_rate"] = _stats.wilson(errors, len(values), self.confidence)
        metrics["errors"] = errors
        table, verdicts = self._judge(metrics, intervals, errors, len(values))
        if "fail" in verdicts:
            status = "fail"
            reason = "objective missed: " + "; ".join(r["finding"] for r in table if r["status"] == "fail")
        elif "insufficient" in verdicts:
            status = "insufficient"
            reason = "cannot tell yet (run more calls): " + "; ".join(
                r["finding"] for r in table if r["status"] == "insufficient"
            )
        else:
            status = "pass"
            reason = f"{len(values)} calls meet every objective: " + "; ".join(r["finding"] for r in table)
        return CheckResult(check, status, metrics, intervals, threshold, reason, table, len(values))

    def _judge(
        self, metrics: dict[str, float], intervals: dict[str, tuple[float, float]], errors: int, calls: int
    ) -> tuple[list[dict[str, Any]], list[str]]:
        table = []
        for key in QUANTILES:
            limit = getattr(self, f"{key}_ms")
            if limit is None:
                continue
            low, high = intervals[f"{key}_ms"]
            status = "pass" if high <= limit else "fail" if low > limit else "insufficient"
            shown = f"{key} {metrics[f'{key}_ms']:.3g} ms [{low:.3g}, {high:.3g}]"
            word = {"pass": "within", "fail": "above", "insufficient": "straddles"}[status]
            table.append(_row(f"{key}_ms <= {limit:g}", metrics[f"{key}_ms"], (low, high), status,
                              f"{shown} {word} {limit:g} ms"))  # fmt: skip
        if self.min_throughput is not None:
            low, high = intervals["throughput"]
            status = (
                "pass"
                if low >= self.min_throughput
                else "fail"
                if high < self.min_throughput
                else "insufficient"
            )
            shown = f"throughput {metrics['throughput']:.3g}/s [{low:.3g}, {high:.3g}]"
            word = {"pass": "meets", "fail": "below", "insufficient": "straddles"}[status]
            table.append(_row(f"throughput >= {self.min_throughput:g}/s", metrics["throughput"], (low, high),
                              status, f"{shown} {word} {self.min_throughput:g}/s"))  # fmt: skip
        error_status = "fail" if errors > self.max_error_rate * calls else "pass"
        rate, rate_interval = metrics["error_rate"], intervals["error_rate"]
        table.append(_row(f"error_rate <= {self.max_error_rate:g}", rate, rate_interval, error_status,
                          f"{errors} of {calls} calls raised"))  # fmt: skip
        return table, [row["status"] for row in table]

    def _threshold(self) -> dict[str, Any]:
        objectives = {k: getattr(self, k) for k in ("p50_ms", "p95_ms", "p99_ms", "min_throughput")}
        named = ", ".join(f"{k} {v:g}" for k, v in objectives.items() if v is not None)
        return {
            "text": f"{named}; error rate <= {self.max_error_rate:g} (pass when the {self.confidence:.0%} "
            f"interval lies inside each objective, fail when outside; at least {self.min_calls} calls)",
            **{k: v for k, v in objectives.items() if v is not None},
            "max_error_rate": self.max_error_rate,
            "concurrency": self.concurrency,
            "requirement": self.requirement,
            "confidence": self.confidence,
        }

    def with_options(self, **options: Any) -> LatencyCheck:
        """A copy with some settings changed (e.g. more ``calls`` after an ``insufficient``)."""
        return replace(self, **options)


def _row(
    objective: str, value: float, interval: tuple[float, float], status: str, finding: str
) -> dict[str, Any]:
    return {
        "objective": objective,
        "value": value,
        "interval": list(interval),
        "status": status,
        "finding": finding,
    }


def _arguments(check: str, inputs: Any) -> list[Any]:
    """What each call gets: the items of a list, or the rows of a table as one-row tables."""
    if hasattr(inputs, "iloc") and getattr(inputs, "ndim", 1) == 2:
        arguments = [inputs.iloc[i : i + 1] for i in range(len(inputs))]
    elif isinstance(inputs, np.ndarray) and inputs.ndim >= 2:
        arguments = [inputs[i : i + 1] for i in range(len(inputs))]
    elif isinstance(inputs, (list, tuple, np.ndarray)) or hasattr(inputs, "iloc"):
        arguments = list(inputs)
    else:
        kind = type(inputs).__name__
        raise BadInput(f"{check}: inputs must be a list of arguments for fn or a table, not {kind}")
    if not arguments:
        raise BadInput(f"{check}: inputs is empty: give at least one argument for fn")
    return arguments


def _milliseconds(number: str, unit: str) -> float:
    value = float(number)
    return value if unit.lower().startswith("m") else value * 1000.0
