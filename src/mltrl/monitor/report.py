"""The data of a monitoring report, from profiles alone: what ``--json`` prints and the HTML shows.

Per column: the reference's and the window's distributions on shared bins (numeric) or shared
categories, the drift score and the data-quality issues; over the recent windows: each column's drift
score, so a slow slide shows before it crosses the threshold; and the model's performance per window
once actuals arrived.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np

from mltrl.errors import BadInput
from mltrl.monitor.columns import BooleanProfile, CategoricalProfile, NumericProfile
from mltrl.monitor.drift import compare
from mltrl.monitor.profile import TableProfile
from mltrl.monitor.quality import check as check_quality

BINS = 30
TOP_CATEGORIES = 12
TAIL = 0.005  # bins span the 0.5%..99.5% quantiles of both profiles, so one outlier cannot flatten them


def build_report(
    *,
    component: str,
    level: int,
    reference_name: str,
    reference: TableProfile,
    window: str,
    current: TableProfile,
    history: list[tuple[str, TableProfile]],
    settings: dict[str, dict[str, Any]] | None = None,
    performance: list[dict[str, Any]] | None = None,
    alerts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    drift = compare(reference, current, overrides=settings)
    quality = check_quality(reference, current, settings=settings)
    issues: dict[str, list[dict[str, Any]]] = {}
    for issue in quality.issues:
        issues.setdefault(issue.column, []).append(issue.to_json())
    scored = {c.column: c for c in drift.columns}
    columns = []
    for name in reference.columns:
        if (name not in scored and name not in drift.excluded) or name not in current.columns:
            continue
        ref, cur = reference.column(name), current.column(name)
        if ref.kind != cur.kind or not (ref.count and cur.count):
            continue  # an ignored column that changed type or holds no values: nothing to draw
        columns.append(
            {
                "name": name,
                "kind": ref.kind,
                "drift": scored[name].to_json() if name in scored else None,
                "excluded": drift.excluded.get(name),
                "quality": issues.get(name, []),
                "reference": ref.summary(),
                "window": cur.summary(),
                "distribution": distributions(ref, cur),
            }
        )
    return {
        "component": component,
        "level": level,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reference": {"name": reference_name, "rows": reference.rows},
        "window": window,
        "window_rows": current.rows,
        "drift": drift.to_json(),
        "quality": quality.to_json(),
        "columns": columns,
        "history": drift_history(reference, history, settings),
        "performance": [w for w in performance or [] if w["evaluated"]],
        "open_alerts": alerts or [],
    }


def drift_history(
    reference: TableProfile,
    history: list[tuple[str, TableProfile]],
    settings: dict[str, dict[str, Any]] | None,
) -> list[dict[str, Any]]:
    """Each window's drift scores, oldest first; a window that cannot be compared says why."""
    out: list[dict[str, Any]] = []
    for label, profile in history:
        try:
            report = compare(reference, profile, overrides=settings)
        except BadInput as exc:
            out.append({"window": label, "rows": profile.rows, "error": str(exc)})
            continue
        out.append(
            {
                "window": label,
                "rows": profile.rows,
                "scores": {c.column: round(c.score, 6) for c in report.columns},
                "thresholds": {c.column: c.threshold for c in report.columns},
                "drifted": report.drifted_columns,
            }
        )
    return out


def distributions(ref: Any, cur: Any) -> dict[str, Any]:
    if isinstance(ref, NumericProfile):
        return _numeric(ref, cur)
    if isinstance(ref, BooleanProfile):
        return {
            "type": "categories",
            "labels": ["true", "false"],
            "reference": _shares([ref.trues, ref.count - ref.trues]),
            "window": _shares([cur.trues, cur.count - cur.trues]),
        }
    return _categories(ref, cur)


def _numeric(ref: NumericProfile, cur: NumericProfile) -> dict[str, Any]:
    present = [p for p in (ref, cur) if p.count]
    low = min(p.quantile(TAIL) for p in present)
    high = max(p.quantile(1 - TAIL) for p in present)
    if not high > low:  # a constant column: one bin around its value
        low, high = low - 0.5, high + 0.5
    edges = np.linspace(low, high, BINS + 1)
    return {
        "type": "bins",
        "kind": ref.kind,
        "edges": [float(e) for e in edges],
        "reference": _binned(ref, edges),
        "window": _binned(cur, edges),
    }


def _binned(profile: NumericProfile, edges: np.ndarray) -> list[float]:
    """Shares per bin; what lies beyond the outer edges is counted in the outer bins."""
    if not profile.count:
        return [0.0] * (len(edges) - 1)
    mass = np.array(profile.kll.get_pmf(list(edges)))  # below, each bin, above
    shares = mass[1:-1].copy()
    shares[0] += mass[0]
    shares[-1] += mass[-1]
    return [round(float(s), 6) for s in shares]


def _categories(ref: CategoricalProfile, cur: CategoricalProfile) -> dict[str, Any]:
    ref_items, cur_items = dict(ref.top(100)), dict(cur.top(100))
    weight = {
        k: ref_items.get(k, 0) / max(ref.count, 1) + cur_items.get(k, 0) / max(cur.count, 1)
        for k in set(ref_items) | set(cur_items)
    }
    labels = sorted(weight, key=lambda k: (-weight[k], k))[:TOP_CATEGORIES]

    def shares(items: dict[str, int], count: int) -> list[float]:
        known = [items.get(k, 0) for k in labels]
        return _shares([*known, max(count - sum(known), 0)]) if count else [0.0] * (len(labels) + 1)

    out = {
        "type": "categories",
        "labels": [*labels, "(other)"],
        "reference": shares(ref_items, ref.count),
        "window": shares(cur_items, cur.count),
    }
    if out["reference"][-1] == 0 and out["window"][-1] == 0:  # every category shown: no empty bar
        for key in ("labels", "reference", "window"):
            out[key] = out[key][:-1]
    return out


def _shares(counts: list[int]) -> list[float]:
    total = sum(counts)
    return [round(c / total, 6) if total else 0.0 for c in counts]
