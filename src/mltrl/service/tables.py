"""Tables and profiles as the monitoring API takes them: a path, a DataFrame, or anything
``pandas.DataFrame()`` takes (needs ``mltrl[monitor]``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mltrl.errors import BadInput


def profile_of(data: Any, progress: Callable[[int], None] | None = None):  # type: ignore[no-untyped-def]
    """The profile of a table or of a CSV/Parquet file (read in chunks, ``progress`` told the rows)."""
    try:
        from mltrl.monitor import profile_table
        from mltrl.monitor.files import read_profile
    except ImportError as exc:
        raise BadInput("monitoring needs the extra: pip install 'mltrl[monitor]'") from exc
    if isinstance(data, (str, Path)):
        return read_profile(Path(data), progress)
    return profile_table(data)


def loaded(ref: str, which: str, data: bytes):  # type: ignore[no-untyped-def]
    """A stored profile, or a one-line error that says whose and which one is damaged."""
    from mltrl.monitor.serialize import loads

    try:
        return loads(data)
    except BadInput as exc:
        raise BadInput(f"{ref}: {which}: {exc.message}") from None


def table_of(data: Any):  # type: ignore[no-untyped-def]
    """A pandas DataFrame from a CSV/Parquet path, a DataFrame, or anything DataFrame() takes."""
    if isinstance(data, (str, Path)):
        from mltrl.monitor.files import read_table

        return read_table(Path(data))
    import pandas as pd

    return data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
