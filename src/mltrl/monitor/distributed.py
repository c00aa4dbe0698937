"""Profile a Dask DataFrame partition by partition on the cluster, then merge the partition profiles.

Each task profiles one partition and returns its serialised profile (a few kilobytes per column),
so only sketches travel back, never rows. Needs the ``dask`` extra; nothing else in mltrl imports Dask.
"""

from __future__ import annotations

from typing import Any

from mltrl.errors import BadInput
from mltrl.monitor.profile import TableProfile


def _profile_partition(frame: Any) -> bytes:
    from mltrl.monitor.profile import profile_table
    from mltrl.monitor.serialize import dumps

    return dumps(profile_table(frame, workers=1))


def profile_dask(frame: Any) -> TableProfile:
    """The profile of a whole ``dask.dataframe.DataFrame``, computed where its partitions live."""
    try:
        import dask
    except ImportError as exc:
        raise BadInput("profiling a Dask DataFrame needs the extra: pip install 'mltrl[dask]'") from exc
    if not hasattr(frame, "to_delayed"):
        raise BadInput(f"profile_dask needs a Dask DataFrame, not a {type(frame).__name__}")
    from mltrl.monitor.serialize import loads

    parts = [dask.delayed(_profile_partition)(part) for part in frame.to_delayed()]
    profiles = [loads(blob) for blob in dask.compute(*parts)]
    total = profiles[0]
    for profile in profiles[1:]:
        total = total.merge(profile)
    return total
