"""Training-serving skew: the same entities' features as computed in training and in serving.

Rows are joined on an entity key; for each feature present on both sides, skew is the share of joined
entities whose values differ (numbers beyond a relative tolerance, anything else when not equal).
Unlike drift, which compares distributions, skew compares each entity with itself, so a feature
pipeline that computes a value differently online than offline shows up even when the distributions
look alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mltrl.errors import BadInput
from mltrl.monitor.limits import limit

DEFAULT_THRESHOLD = 0.01  # more than 1% of entities disagree
RELATIVE_TOLERANCE = 1e-6


@dataclass
class SkewReport:
    key: str
    joined: int
    training_only: int
    serving_only: int
    features: dict[str, dict[str, float]] = field(default_factory=dict)
    threshold: float = DEFAULT_THRESHOLD

    @property
    def skewed(self) -> list[str]:
        return [name for name, f in self.features.items() if f["mismatch_share"] > self.threshold]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "joined": self.joined,
            "training_only": self.training_only,
            "serving_only": self.serving_only,
            "threshold": self.threshold,
            "skewed": self.skewed,
            "features": self.features,
        }


def compare(
    training: pd.DataFrame, serving: pd.DataFrame, key: str, threshold: float = DEFAULT_THRESHOLD
) -> SkewReport:
    threshold = limit(threshold, "the skew threshold", high=1.0)
    for side, frame in (("training", training), ("serving", serving)):
        if key not in frame.columns:
            raise BadInput(f"the {side} table has no key column {key!r}")
        if frame[key].duplicated().any():
            raise BadInput(f"the {side} table repeats values of the key column {key!r}")
    shared = [c for c in training.columns if c != key and c in serving.columns]
    if not shared:
        raise BadInput("the training and serving tables share no feature column")
    joined = _join(training[[key, *shared]], serving[[key, *shared]], key)
    if joined.empty:
        raise BadInput(f"no entity appears in both tables (joined on {key!r})")
    report = SkewReport(
        key=key,
        joined=len(joined),
        training_only=len(training) - len(joined),
        serving_only=len(serving) - len(joined),
        threshold=threshold,
    )
    for name in shared:
        a, b = joined[f"{name}_train"], joined[f"{name}_serve"]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
            both_nan = np.isnan(x) & np.isnan(y)
            differ = ~both_nan & ~np.isclose(x, y, rtol=RELATIVE_TOLERANCE, atol=0.0, equal_nan=True)
            diff = np.abs(x - y)[np.isfinite(x) & np.isfinite(y)]  # an inf would make the mean inf
            report.features[name] = {
                "mismatch_share": float(differ.mean()),
                "mean_abs_difference": float(diff.mean()) if diff.size else 0.0,
            }
        else:
            differ = (a.astype(str) != b.astype(str)) & ~(a.isna() & b.isna())
            report.features[name] = {"mismatch_share": float(differ.mean())}
    return report


def _join(training: pd.DataFrame, serving: pd.DataFrame, key: str) -> pd.DataFrame:
    """The entities of both tables, or a one-line refusal when their ids cannot be matched (numbers
    in one table, text in the other: pandas would raise instead of matching none)."""
    kinds = ["numbers" if pd.api.types.is_numeric_dtype(f[key]) else "text" for f in (training, serving)]
    if kinds[0] != kinds[1]:
        raise BadInput(
            f"the key column {key!r} holds {kinds[0]} in the training table but {kinds[1]} in the "
            "serving table; they cannot be joined"
        )
    try:
        return training.merge(serving, on=key, suffixes=("_train", "_serve"))
    except (TypeError, ValueError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise BadInput(f"cannot join the training and serving tables on {key!r}: {detail}") from None
