"""Column profiles: exact counts and moments, plus DataSketches for what cannot be exact cheaply.

Every profile merges: two profiles of two parts make the profile of the whole. Counts, nulls, min,
max and the mean/variance (Chan et al.'s pairwise update of count, mean and M2) merge exactly; KLL
quantiles, frequent items and HLL distinct counts merge within their sketches' stated error. Merging
never changes its inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import datasketches as ds
import numpy as np

from mltrl.errors import BadInput

#: KLL accuracy parameter: normalised rank error about 0.1% (DataSketches' formula for k=2048).
KLL_K = 2048
#: Frequent-items capacity (log2 of the map size): keeps every item above ~1/768 of the weight.
FREQUENT_LG_MAX = 10
#: HLL precision: about 0.8% relative standard error.
HLL_LG_K = 14


def _copy_kll(sketch: ds.kll_doubles_sketch) -> ds.kll_doubles_sketch:
    return ds.kll_doubles_sketch.deserialize(sketch.serialize())


@dataclass
class NumericProfile:
    """Numbers (and datetimes, as epoch seconds): count, nulls, mean, variance, min, max, quantiles."""

    kind: str  # "numeric" or "datetime"
    count: int
    nulls: int
    mean: float
    m2: float  # sum of squared deviations from the mean
    min: float
    max: float
    kll: ds.kll_doubles_sketch
    #: +inf/-inf values: counted, and kept out of the sketch and the moments, where one of them
    #: would turn every distance into NaN (and NaN >= threshold is false: drift silently off).
    nonfinite: int = 0
    #: Distinct count of an integer column whose every profiled part could be all-distinct (its
    #: range at least its size), so identifiers are recognised; None for any other column.
    hll: ds.hll_sketch | None = None
    #: Every profiled part was in non-decreasing order: a clock or a counter, not a feature.
    monotonic: bool = False

    @classmethod
    def of(cls, values: np.ndarray, kind: str = "numeric") -> NumericProfile:
        values = np.asarray(values, dtype=np.float64)
        missing = np.isnan(values)
        infinite = np.isinf(values)
        present = values[~missing & ~infinite]
        monotonic = bool(present.size < 2 or np.all(present[1:] >= present[:-1]))
        hll = _integer_distinct(present) if kind == "numeric" else None
        kll = ds.kll_doubles_sketch(KLL_K)
        if present.size:
            kll.update(present)
            mean = float(present.mean())
            m2 = float(present.var() * present.size)
            low, high = float(present.min()), float(present.max())
        else:
            mean, m2, low, high = 0.0, 0.0, math.inf, -math.inf
        nulls = int(missing.sum())
        return cls(
            kind, int(present.size), nulls, mean, m2, low, high, kll, int(infinite.sum()), hll, monotonic
        )

    @property
    def distinct(self) -> int | None:
        """Estimated distinct values (HLL, rounded), for integer columns that could be identifiers."""
        return None if self.hll is None else _estimate(self.hll, self.count)

    @property
    def distinct_bounds(self) -> tuple[int, int] | None:
        """The HLL's 95% bounds (two standard errors) on :attr:`distinct`."""
        return None if self.hll is None else _bounds(self.hll, self.count)

    @property
    def variance(self) -> float:
        return self.m2 / (self.count - 1) if self.count > 1 else 0.0

    def quantile(self, q: float) -> float:
        return float(self.kll.get_quantile(q)) if self.count else math.nan

    def histogram(self, bins: int = 20) -> tuple[list[float], list[float]]:
        """Bin edges and the share of values in each bin, read off the KLL sketch."""
        if not self.count or self.min == self.max:
            return [self.min, self.max], [1.0 if self.count else 0.0]
        edges = np.linspace(self.min, self.max, bins + 1)
        shares = self.kll.get_pmf(list(edges[1:-1]))
        return [float(e) for e in edges], [float(s) for s in shares]

    def merge(self, other: NumericProfile) -> NumericProfile:
        count = self.count + other.count
        if count == 0:
            mean, m2 = 0.0, 0.0
        else:
            delta = other.mean - self.mean
            mean = self.mean + delta * other.count / count
            m2 = self.m2 + other.m2 + delta * delta * self.count * other.count / count
        kll = _copy_kll(self.kll)
        kll.merge(other.kll)
        return NumericProfile(
            self.kind,
            count,
            self.nulls + other.nulls,
            mean,
            m2,
            min(self.min, other.min),
            max(self.max, other.max),
            kll,
            self.nonfinite + other.nonfinite,
            None if self.hll is None or other.hll is None else _union(self.hll, other.hll),
            self.monotonic and other.monotonic,
        )

    def summary(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": self.count,
            "nulls": self.nulls,
            "nonfinite": self.nonfinite,
            "mean": self.mean if self.count else None,
            "variance": self.variance,
            "min": self.min if self.count else None,
            "max": self.max if self.count else None,
            "quantiles": {str(q): self.quantile(q) for q in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)}
            if self.count
            else {},
            **(
                {"distinct": self.distinct, "distinct_bounds": list(self.distinct_bounds)}  # type: ignore[arg-type]
                if self.hll is not None and self.count
                else {}
            ),
        }


@dataclass
class CategoricalProfile:
    """Strings and categories: count, nulls, frequent items, distinct-count estimate."""

    count: int
    nulls: int
    frequent: ds.frequent_strings_sketch
    hll: ds.hll_sketch
    kind: str = "categorical"

    @classmethod
    def of(cls, counts: dict[str, int], nulls: int) -> CategoricalProfile:
        """From exact per-value counts (a partition's value_counts): one update per distinct value."""
        frequent = ds.frequent_strings_sketch(FREQUENT_LG_MAX)
        hll = ds.hll_sketch(HLL_LG_K)
        for value, n in counts.items():
            frequent.update(value, int(n))
            hll.update(value)
        return cls(int(sum(counts.values())), int(nulls), frequent, hll)

    @property
    def distinct(self) -> int:
        """Estimated distinct values: the HLL sketch's estimate, rounded (``distinct_bounds``: its error)."""
        return _estimate(self.hll, self.count)

    @property
    def distinct_bounds(self) -> tuple[int, int]:
        """The HLL's 95% bounds (two standard errors) on :attr:`distinct`: exact for small counts."""
        return _bounds(self.hll, self.count)

    def top(self, n: int = 10) -> list[tuple[str, int]]:
        items = self.frequent.get_frequent_items(ds.frequent_items_error_type.NO_FALSE_NEGATIVES)
        return [(item, int(estimate)) for item, estimate, _low, _high in items[:n]]

    def confident(self) -> dict[str, int]:
        """Items the sketch is sure are frequent (no false positives): estimate by item.

        Items rarer than the sketch's error bound (about 0.5% of the rows at the default size) are
        left out: their estimates are noise, and comparing noise across windows invents drift.
        """
        items = self.frequent.get_frequent_items(ds.frequent_items_error_type.NO_FALSE_POSITIVES)
        return {item: int(estimate) for item, estimate, _low, _high in items}

    def merge(self, other: CategoricalProfile) -> CategoricalProfile:
        frequent = ds.frequent_strings_sketch.deserialize(self.frequent.serialize())
        frequent.merge(other.frequent)
        return CategoricalProfile(
            self.count + other.count, self.nulls + other.nulls, frequent, _union(self.hll, other.hll)
        )

    def summary(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": self.count,
            "nulls": self.nulls,
            "distinct": self.distinct,
            "distinct_bounds": list(self.distinct_bounds),
            "top": [[item, n] for item, n in self.top()],
        }


@dataclass
class BooleanProfile:
    count: int
    nulls: int
    trues: int
    kind: str = "boolean"

    def merge(self, other: BooleanProfile) -> BooleanProfile:
        return BooleanProfile(self.count + other.count, self.nulls + other.nulls, self.trues + other.trues)

    def summary(self) -> dict[str, Any]:
        share = self.trues / self.count if self.count else None
        return {"kind": self.kind, "count": self.count, "nulls": self.nulls, "true_share": share}


ColumnProfile = NumericProfile | CategoricalProfile | BooleanProfile

#: Integers beyond 2**53 are not exact as floats: such a column is not treated as identifiers.
_EXACT_INTEGERS = 2.0**53


def _integer_distinct(present: np.ndarray) -> ds.hll_sketch | None:
    """An HLL of the values when they could all be distinct integers (as identifiers are), else None.

    Columns of counts or floats (most numeric features) fail the cheap test, so they pay nothing;
    only integer columns spanning at least as many values as rows feed the sketch.
    """
    hll = ds.hll_sketch(HLL_LG_K)
    if not present.size:
        return hll  # nothing yet: merging with it keeps the other part's sketch
    low, high = float(present.min()), float(present.max())
    if high - low + 1 < present.size or max(-low, high) >= _EXACT_INTEGERS:
        return None
    if not np.array_equal(present, np.floor(present)):
        return None
    for value in present.astype(np.int64).tolist():  # DataSketches' HLL takes one item per call
        hll.update(value)
    return hll


#: Standard errors around an HLL estimate for its bounds: about 95% of true counts fall within two.
HLL_STDDEVS = 2


def _estimate(hll: ds.hll_sketch, count: int) -> int:
    """A whole number, and never more distinct values than values (the sketch may say 4.00000003)."""
    return min(round(hll.get_estimate()), count)


def _bounds(hll: ds.hll_sketch, count: int) -> tuple[int, int]:
    """The whole numbers within the sketch's bounds (a count between 3.9998 and 4.0002 is 4)."""
    estimate = _estimate(hll, count)
    low = math.ceil(hll.get_lower_bound(HLL_STDDEVS))
    high = math.floor(hll.get_upper_bound(HLL_STDDEVS))
    return min(low, estimate), min(max(high, estimate), count)


def _union(a: ds.hll_sketch, b: ds.hll_sketch) -> ds.hll_sketch:
    union = ds.hll_union(HLL_LG_K)
    union.update(a)
    union.update(b)
    return union.get_result(ds.tgt_hll_type.HLL_4)


def merge_columns(name: str, a: ColumnProfile, b: ColumnProfile) -> ColumnProfile:
    if a.kind != b.kind:
        raise BadInput(
            f"column {name!r} is {a.kind} in one profile and {b.kind} in the other; they cannot merge"
        )
    return a.merge(b)  # type: ignore[arg-type]
