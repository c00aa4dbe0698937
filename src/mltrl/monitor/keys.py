"""Columns that drift by nature: identifiers and clocks, recognised in the reference profile.

A transaction id or an event timestamp takes new values in every window, so any distance between
the reference and a window is large and a drift alert would fire every day, telling nothing. Such
columns are left out of drift (and of the out-of-range check) by default, and every output says
which and why; ``include: true`` in the settings file brings one back, ``ignore: true`` leaves out
any column (from drift and data quality both).

* a **timestamp**: a datetime column;
* **time-ordered**: a numeric column whose values never decreased in any profiled part (a clock
  in epoch seconds, a sequence number);
* an **identifier**: a string or integer column whose HLL distinct count, at its upper bound of two
  standard errors (about 1.6% at lg k = 14), reaches 95% of its values: (nearly) one value per row.
"""

from __future__ import annotations

from typing import Any

from mltrl.errors import BadInput
from mltrl.monitor.columns import CategoricalProfile, NumericProfile
from mltrl.monitor.profile import TableProfile

#: Below this many values a column is too short to tell an identifier from a feature.
MIN_VALUES = 100
#: Share of distinct values (at the HLL's upper bound) that makes a column an identifier.
DISTINCT_SHARE = 0.95
FLAGS = ("ignore", "include")


def natural_drift(profile: Any) -> str | None:
    """Why a reference column drifts by nature (a timestamp, a clock, an identifier), or None."""
    if profile.kind == "datetime":
        return "timestamp"
    if profile.count < MIN_VALUES:
        return None
    hll = getattr(profile, "hll", None)
    identifier_like = isinstance(profile, (NumericProfile, CategoricalProfile)) and hll is not None
    if identifier_like and hll.get_upper_bound(2) >= DISTINCT_SHARE * profile.count:
        estimate = min(round(hll.get_estimate()), profile.count)  # never more distinct than values
        return f"identifier: about {estimate:,} distinct of {profile.count:,} values"
    if isinstance(profile, NumericProfile) and profile.monotonic and profile.min < profile.max:
        return "time-ordered: its values only increase"
    return None


def excluded(reference: TableProfile, settings: dict[str, dict[str, Any]] | None) -> dict[str, str]:
    """Reference columns left out of drift, each with the reason the output gives."""
    out: dict[str, str] = {}
    for name, profile in reference.columns.items():
        chosen = (settings or {}).get(name, {})
        for flag in FLAGS:
            if flag in chosen and not isinstance(chosen[flag], bool):
                raise BadInput(f"column {name!r}: {flag} must be true or false, not {chosen[flag]!r}")
        if chosen.get("ignore") and chosen.get("include"):
            raise BadInput(f"column {name!r}: ignore and include are both true; choose one")
        if chosen.get("ignore"):
            out[name] = "ignored in the settings"
        elif not chosen.get("include") and (reason := natural_drift(profile)) is not None:
            out[name] = reason
    return out


def ignored(settings: dict[str, dict[str, Any]] | None) -> set[str]:
    """Columns the settings leave out of every check."""
    return {name for name, chosen in (settings or {}).items() if chosen.get("ignore") is True}
