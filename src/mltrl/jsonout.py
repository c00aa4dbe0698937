"""Strict JSON for everything mltrl prints or writes: never ``NaN`` or ``Infinity``.

Python's ``json`` module writes non-finite floats as the bare words ``NaN`` and ``Infinity`` by
default, which no other JSON parser (``jq``, JavaScript, Go, PostgreSQL) accepts. Where such a value
can legitimately occur (a metric that is undefined for a window, a value stored before the registry
refused non-finite numbers) it is written as ``null``; the caller says why next to it where that
matters.
"""

from __future__ import annotations

import json
import math
from typing import Any


def dumps(payload: Any, *, indent: int | None = None, ensure_ascii: bool = False) -> str:
    """``payload`` as strict JSON (RFC 8259): non-finite numbers become ``null``; other objects
    that JSON has no type for (datetimes, paths) are written as their ``str``."""
    try:
        # The C encoder's fast path: most payloads hold no non-finite number at all.
        return json.dumps(payload, indent=indent, ensure_ascii=ensure_ascii, default=str, allow_nan=False)
    except ValueError:
        return json.dumps(
            finite(payload), indent=indent, ensure_ascii=ensure_ascii, default=str, allow_nan=False
        )


def finite(value: Any) -> Any:
    """A copy of ``value`` with every non-finite float (numpy's too) replaced by ``None``."""
    if isinstance(value, float) or _is_numpy_float(value):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    return value


def _is_numpy_float(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "is_integer")
