"""Data-quality checks of a window against the reference, computed from profiles alone.

Drift asks "did the distribution move?"; these checks ask "is the data still well-formed?", the
questions TFDV's schema validation and whylogs' constraints answer:

* ``missing-column`` / ``new-column``: the window lacks a column the reference has, or has one it
  does not (a renamed or added feature upstream);
* ``nulls``: the share of missing values rose by more than ``max_null_increase`` (default 0.05,
  i.e. five percentage points) over the reference's share;
* ``non-finite``: the share of infinite values in a numeric column rose over the reference's by
  more than ``max_nonfinite_increase`` (default 0: any rise; they are kept out of the sketches, so
  drift never sees them and this check is where they show);
* ``out-of-range``: more than ``max_out_of_range`` (default 1%) of a numeric column's values lie
  outside the reference's [min, max] (datetimes are exempt: serving time is always later);
* ``new-categories``: more than ``max_new_categories`` (default 1%) of a categorical column's values
  are categories the reference never saw. Only checked when the reference's sketch kept every
  category exactly (up to several hundred distinct values): for a long-tail column the sketch cannot
  know the whole domain and the check would only guess.

A column whose kind changed (numeric in the reference, strings in the window) is refused outright
by :func:`mltrl.monitor.drift.compare` as bad input rather than reported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import datasketches as ds

from mltrl.errors import BadInput
from mltrl.monitor.columns import CategoricalProfile, NumericProfile
from mltrl.monitor.keys import excluded, ignored
from mltrl.monitor.limits import limit
from mltrl.monitor.profile import TableProfile

LIMITS = {
    "max_null_increase": 0.05,
    "max_nonfinite_increase": 0.0,
    "max_out_of_range": 0.01,
    "max_new_categories": 0.01,
}


@dataclass(frozen=True)
class QualityIssue:
    column: str
    check: str
    observed: float
    allowed: float
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "check": self.check,
            "observed": round(self.observed, 6),
            "allowed": self.allowed,
            "message": self.message,
        }


@dataclass
class QualityReport:
    columns_checked: int = 0
    issues: list[QualityIssue] = field(default_factory=list)

    @property
    def failing_columns(self) -> list[str]:
        return sorted({issue.column for issue in self.issues})

    def to_json(self) -> dict[str, Any]:
        return {
            "columns_checked": self.columns_checked,
            "failing_columns": self.failing_columns,
            "issues": [issue.to_json() for issue in self.issues],
        }


def limits_for(column: str, settings: dict[str, dict[str, Any]] | None) -> dict[str, float]:
    chosen = dict(LIMITS)
    for key, value in (settings or {}).get(column, {}).items():
        if key in LIMITS:  # shares of the window's rows: 0..1
            chosen[key] = limit(value, f"column {column!r}: {key}", high=1.0)
    return chosen


def check(
    reference: TableProfile, current: TableProfile, *, settings: dict[str, dict[str, Any]] | None = None
) -> QualityReport:
    """Every data-quality issue of ``current`` against ``reference``; ``settings`` maps a column to
    its own limits (the keys of :data:`LIMITS`)."""
    if current.rows == 0:
        raise BadInput("the window is empty: there is nothing to check against the reference")
    report = QualityReport()
    skip = ignored(settings)
    # identifiers and clocks take new values every window: their range is not a quality finding
    ranged = set(reference.columns) - set(excluded(reference, settings))
    for name in reference.columns:
        if name not in current.columns and name not in skip:
            report.issues.append(
                QualityIssue(name, "missing-column", 1.0, 0.0, f"{name}: in the reference, not in the window")
            )
    for name in current.columns:
        if name not in reference.columns and name not in skip:
            report.issues.append(
                QualityIssue(name, "new-column", 1.0, 0.0, f"{name}: in the window, not in the reference")
            )
    for name in reference.columns:
        if name not in current.columns or name in skip:
            continue
        ref, cur = reference.column(name), current.column(name)
        if ref.kind != cur.kind:
            raise BadInput(f"column {name!r} is {ref.kind} in the reference but {cur.kind} in the window")
        report.columns_checked += 1
        limits = limits_for(name, settings)
        report.issues.extend(_column_issues(name, ref, cur, limits, name in ranged))
    return report


def _column_issues(
    name: str, ref: Any, cur: Any, limits: dict[str, float], ranged: bool = True
) -> list[QualityIssue]:
    issues = []
    ref_nulls = ref.nulls / max(_rows(ref), 1)
    cur_nulls = cur.nulls / max(_rows(cur), 1)
    if cur_nulls - ref_nulls > limits["max_null_increase"]:
        issues.append(
            QualityIssue(
                name,
                "nulls",
                cur_nulls,
                ref_nulls + limits["max_null_increase"],
                f"{name}: {cur_nulls:.1%} missing values, reference {ref_nulls:.1%}",
            )
        )
    if isinstance(cur, NumericProfile):
        ref_inf = ref.nonfinite / max(_rows(ref), 1)
        cur_inf = cur.nonfinite / max(_rows(cur), 1)
        if cur.nonfinite and cur_inf - ref_inf > limits["max_nonfinite_increase"]:
            issues.append(
                QualityIssue(
                    name,
                    "non-finite",
                    cur_inf,
                    ref_inf + limits["max_nonfinite_increase"],
                    f"{name}: {cur.nonfinite:,} infinite values ({cur_inf:.2%}), reference {ref_inf:.2%}",
                )
            )
    if cur.count == 0:
        return issues  # nothing present: range and category checks have nothing to look at
    if ranged and isinstance(ref, NumericProfile) and ref.kind == "numeric" and ref.count:
        share = out_of_range_share(ref, cur)
        if share > limits["max_out_of_range"]:
            issues.append(
                QualityIssue(
                    name,
                    "out-of-range",
                    share,
                    limits["max_out_of_range"],
                    f"{name}: {share:.1%} of values outside the reference range [{ref.min:g}, {ref.max:g}]",
                )
            )
    if isinstance(ref, CategoricalProfile) and knows_every_category(ref):
        unseen = new_category_counts(ref, cur)
        share = sum(unseen.values()) / cur.count
        if share > limits["max_new_categories"]:
            examples = ", ".join(repr(k) for k in sorted(unseen, key=unseen.get, reverse=True)[:3])
            issues.append(
                QualityIssue(
                    name,
                    "new-categories",
                    share,
                    limits["max_new_categories"],
                    f"{name}: {share:.1%} of values are categories the reference never had ({examples})",
                )
            )
    return issues


def _rows(profile: Any) -> int:
    """Every row of the column: values, missing values and (numeric) infinite values."""
    return profile.count + profile.nulls + getattr(profile, "nonfinite", 0)


def out_of_range_share(ref: NumericProfile, cur: NumericProfile) -> float:
    """The share of the window's values below the reference's minimum or above its maximum."""
    if cur.min >= ref.min and cur.max <= ref.max:
        return 0.0  # exact: the window's own extremes lie inside
    below = cur.kll.get_cdf([ref.min], inclusive=False)[0] if cur.min < ref.min else 0.0
    above = 1.0 - cur.kll.get_cdf([ref.max], inclusive=True)[0] if cur.max > ref.max else 0.0
    return float(below + above)


def knows_every_category(profile: CategoricalProfile) -> bool:
    """True when the frequent-items sketch never had to evict: every category is held exactly."""
    items = profile.frequent.get_frequent_items(ds.frequent_items_error_type.NO_FALSE_NEGATIVES, 0)
    return bool(items) and all(low == high for _item, _estimate, low, high in items)


def new_category_counts(ref: CategoricalProfile, cur: CategoricalProfile) -> dict[str, int]:
    known = ref.confident()
    # Lower bounds for the window: a category counts as new only as far as the sketch is sure of it.
    return {
        item: int(low)
        for item, _estimate, low, _high in cur.frequent.get_frequent_items(
            ds.frequent_items_error_type.NO_FALSE_NEGATIVES, 0
        )
        if item not in known and low > 0
    }
