"""Profile a table (pandas, pyarrow, polars, or records) into mergeable per-column profiles."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mltrl.errors import BadInput
from mltrl.monitor.columns import (
    BooleanProfile,
    CategoricalProfile,
    ColumnProfile,
    NumericProfile,
    merge_columns,
)


@dataclass
class TableProfile:
    rows: int
    columns: dict[str, ColumnProfile] = field(default_factory=dict)

    def merge(self, other: TableProfile) -> TableProfile:
        """The profile of both tables together; both must have the same columns of the same kinds."""
        if set(self.columns) != set(other.columns):
            extra = sorted(set(self.columns) ^ set(other.columns))
            raise BadInput(f"profiles have different columns ({', '.join(extra)}); they cannot merge")
        return TableProfile(
            self.rows + other.rows,
            {name: merge_columns(name, col, other.columns[name]) for name, col in self.columns.items()},
        )

    def column(self, name: str) -> ColumnProfile:
        if name not in self.columns:
            raise BadInput(f"no column {name!r} in the profile (it has: {', '.join(self.columns)})")
        return self.columns[name]

    def summary(self) -> dict[str, Any]:
        return {"rows": self.rows, "columns": {name: col.summary() for name, col in self.columns.items()}}


#: Below this many cells a table is profiled in this process: forking would cost more than it saves.
PARALLEL_CELLS = 2_000_000


def profile_table(data: Any, columns: list[str] | None = None, *, workers: int | None = None) -> TableProfile:
    """Profile every column (or ``columns``) of a pandas/pyarrow/polars table or an iterable of records.

    Large tables are profiled column by column in ``workers`` forked processes (default: one per
    CPU): DataSketches holds the GIL, so threads would not help. Each worker sends back its column's
    serialised profile: the same exact statistics, and sketches with the same error guarantees (KLL
    compaction is randomised, so two runs never share every sketch bit, even in one process).
    """
    frame = _as_frame(data)
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise BadInput(
                f"no column {missing[0]!r} in the table (it has: {', '.join(map(str, frame.columns))})"
            )
        frame = frame[columns]
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers > 1 and frame.size >= PARALLEL_CELLS and len(frame.columns) > 1 and _can_fork():
        return TableProfile(len(frame), _in_workers(frame, min(workers, len(frame.columns))))
    return TableProfile(len(frame), {str(name): _profile_column(frame[name]) for name in frame.columns})


_SHARED: pd.DataFrame | None = None  # the table forked workers read (copy-on-write, never pickled)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _profile_by_name(name: Any) -> bytes:
    from mltrl.monitor.serialize import dumps

    assert _SHARED is not None
    return dumps(TableProfile(0, {str(name): _profile_column(_SHARED[name])}))


def _in_workers(frame: pd.DataFrame, workers: int) -> dict[str, ColumnProfile]:
    import multiprocessing

    from mltrl.monitor.serialize import loads

    global _SHARED
    _SHARED = frame
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_profile_by_name, list(frame.columns), chunksize=1)
    finally:
        _SHARED = None
    columns: dict[str, ColumnProfile] = {}
    for part in parts:
        columns.update(loads(part).columns)
    return columns


def _as_frame(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "to_pandas"):  # pyarrow.Table, polars.DataFrame
        return data.to_pandas()
    if isinstance(data, (str, bytes, Mapping)) or not isinstance(data, Iterable):
        raise BadInput(
            f"cannot profile a {type(data).__name__}: give a table (pandas, pyarrow, polars) or records"
        )
    records = list(data)
    if records and not all(isinstance(r, Mapping) for r in records):
        raise BadInput("records must be mappings of column name to value")
    return pd.DataFrame.from_records(records)


def _profile_column(series: pd.Series) -> ColumnProfile:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        values = series.dropna().astype(bool)
        return BooleanProfile(int(values.size), int(series.size - values.size), int(values.sum()))
    if pd.api.types.is_datetime64_any_dtype(dtype):
        seconds = series.astype("datetime64[ns]").astype("int64").to_numpy(dtype=np.float64) / 1e9
        seconds[series.isna().to_numpy()] = np.nan
        return NumericProfile.of(seconds, kind="datetime")
    if pd.api.types.is_numeric_dtype(dtype):
        return NumericProfile.of(series.to_numpy(dtype=np.float64, na_value=np.nan))
    nulls = int(series.isna().sum())
    present = series.dropna()
    # The values, not the dtype: an object column may mix strings with numbers (records whose
    # cells differ in type, an integer too large for int64), which only text can count.
    labels = present.cat.categories if isinstance(present.dtype, pd.CategoricalDtype) else present
    if not pd.api.types.is_string_dtype(labels):
        present = present.astype(str)
    counts = present.value_counts(sort=False)
    counts = counts[counts > 0]  # unused categories of a categorical column
    return CategoricalProfile.of(dict(zip(counts.index, counts.to_numpy(), strict=True)), nulls)
