"""Thresholds and limits are checked where they come in: a NaN threshold would switch a check off.

Every comparison with NaN is false, so ``score >= nan`` never drifts and ``share > nan`` never
skews: a typo in a settings file or ``--threshold nan`` would silently disable monitoring. Negative
limits make a check fire on everything. Both are refused with one line naming the setting.
"""

from __future__ import annotations

import math
from typing import Any

from mltrl.errors import BadInput


def limit(value: Any, what: str, *, low: float = 0.0, high: float | None = None) -> float:
    """``value`` as a finite float within [low, high], or a one-line error naming ``what``."""
    if isinstance(value, bool):
        raise BadInput(f"{what} must be a number, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadInput(f"{what} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise BadInput(f"{what} must be a finite number, not {value!r}")
    if number < low or (high is not None and number > high):
        span = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise BadInput(f"{what} must be {span}, not {number:g}")
    return number
