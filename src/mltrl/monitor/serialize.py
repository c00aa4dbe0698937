"""Profiles as compact bytes: a small JSON header with the exact statistics, then the sketches.

Layout: ``MLTRLPF1`` | header length (4 bytes, big-endian) | JSON header | sketch bytes, in the
order the header lists them. A numeric column's entry has ``nonfinite`` (the count of infinite
values) and ``monotonic`` only when they are non-zero, and a second sketch (an HLL distinct count)
only for integer columns that could be identifiers, so profiles stored before these existed read
unchanged, as columns with no infinite values, not known to be ordered, and no distinct count.

Loading checks every length and hands each sketch to DataSketches' own deserialiser, so a
truncated or altered profile is refused with one line, never half-loaded.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import datasketches as ds

from mltrl.errors import BadInput
from mltrl.monitor.columns import BooleanProfile, CategoricalProfile, NumericProfile
from mltrl.monitor.profile import TableProfile

MAGIC = b"MLTRLPF1"


def dumps(profile: TableProfile) -> bytes:
    header: dict[str, Any] = {"rows": profile.rows, "columns": []}
    blobs: list[bytes] = []
    for name, col in profile.columns.items():
        entry: dict[str, Any] = {"name": name, "kind": col.kind, "count": col.count, "nulls": col.nulls}
        if isinstance(col, NumericProfile):
            entry.update(mean=col.mean, m2=col.m2, min=_finite(col.min), max=_finite(col.max))
            # Written only when present, so the layout of older profiles is unchanged.
            if col.nonfinite:
                entry["nonfinite"] = col.nonfinite
            if col.monotonic:
                entry["monotonic"] = True
            sketches = [col.kll.serialize()]
            if col.hll is not None:  # a second sketch: the distinct count of an integer column
                sketches.append(col.hll.serialize_compact())
        elif isinstance(col, CategoricalProfile):
            sketches = [col.frequent.serialize(), col.hll.serialize_compact()]
        else:
            entry["trues"] = col.trues
            sketches = []
        entry["sketches"] = [len(s) for s in sketches]
        blobs += sketches
        header["columns"].append(entry)
    head = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    return MAGIC + struct.pack(">I", len(head)) + head + b"".join(blobs)


def loads(data: bytes) -> TableProfile:
    try:
        return _loads(bytes(data))
    except BadInput:
        raise
    except (ValueError, KeyError, TypeError, RuntimeError, struct.error, json.JSONDecodeError) as exc:
        raise BadInput(
            f"the stored profile is corrupt: {' '.join(str(exc).split()) or type(exc).__name__}"
        ) from None


def _loads(data: bytes) -> TableProfile:
    if not data.startswith(MAGIC):
        raise BadInput("the stored profile is corrupt: it does not start with an mltrl profile header")
    (size,) = struct.unpack(">I", data[len(MAGIC) : len(MAGIC) + 4])
    start = len(MAGIC) + 4
    header = json.loads(data[start : start + size])
    offset = start + size
    profile = TableProfile(int(header["rows"]))
    for entry in header["columns"]:
        blobs = []
        for length in entry["sketches"]:
            blob = data[offset : offset + length]
            if len(blob) != length:
                raise BadInput(f"the stored profile is corrupt: column {entry['name']!r} is cut short")
            blobs.append(blob)
            offset += length
        profile.columns[entry["name"]] = _column(entry, blobs)
    if offset != len(data):
        raise BadInput("the stored profile is corrupt: unexpected bytes after the last column")
    return profile


def _column(entry: dict[str, Any], blobs: list[bytes]) -> Any:
    kind = entry["kind"]
    if kind in ("numeric", "datetime"):
        if not (math.isfinite(entry["mean"]) and math.isfinite(entry["m2"])):
            # Written before infinite values were kept apart: its sketch holds them too.
            raise BadInput(
                f"column {entry['name']!r} was profiled with infinite values mixed into its "
                "statistics (before mltrl counted them apart); profile that data again"
            )
        low = math.inf if entry["min"] is None else entry["min"]
        high = -math.inf if entry["max"] is None else entry["max"]
        return NumericProfile(
            kind,
            entry["count"],
            entry["nulls"],
            entry["mean"],
            entry["m2"],
            low,
            high,
            ds.kll_doubles_sketch.deserialize(blobs[0]),
            int(entry.get("nonfinite", 0)),  # profiles stored before it was counted have none
            ds.hll_sketch.deserialize(blobs[1]) if len(blobs) > 1 else None,
            bool(entry.get("monotonic", False)),
        )
    if kind == "categorical":
        return CategoricalProfile(
            entry["count"],
            entry["nulls"],
            ds.frequent_strings_sketch.deserialize(blobs[0]),
            ds.hll_sketch.deserialize(blobs[1]),
        )
    if kind == "boolean":
        return BooleanProfile(entry["count"], entry["nulls"], entry["trues"])
    raise BadInput(f"the stored profile is corrupt: unknown column kind {kind!r}")


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
