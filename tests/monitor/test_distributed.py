"""Partition-wise profiling on a real dask.distributed LocalCluster equals the single-machine profile."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from mltrl.errors import BadInput
from mltrl.monitor import profile_table
from mltrl.monitor.distributed import profile_dask


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=3, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as connected,
    ):
        yield connected


def frame(n: int = 60_000) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    table = pd.DataFrame(
        {
            "x": rng.normal(5, 2, n),
            "n": rng.integers(0, 1000, n),
            "city": rng.choice(["paris", "lyon", "nice"], n, p=[0.6, 0.3, 0.1]),
            "flag": rng.random(n) < 0.2,
        }
    )
    table.loc[table.index % 17 == 0, "x"] = np.nan
    return table


def test_the_cluster_profile_equals_the_single_machine_profile(client: object) -> None:
    import dask.dataframe as dd

    table = frame()
    local = profile_table(table, workers=1)
    distributed = profile_dask(dd.from_pandas(table, npartitions=7))
    assert distributed.rows == local.rows
    for name in ("x", "n"):
        a, b = distributed.column(name), local.column(name)
        assert (a.count, a.nulls, a.min, a.max) == (b.count, b.nulls, b.min, b.max)
        assert a.mean == pytest.approx(b.mean, rel=1e-12) and a.variance == pytest.approx(
            b.variance, rel=1e-9
        )
        values = np.sort(table[name].dropna().to_numpy())
        for q in (0.01, 0.5, 0.99):
            rank = np.searchsorted(values, a.quantile(q)) / values.size
            assert abs(rank - q) <= 2 * a.kll.normalized_rank_error(False)
    assert distributed.column("city").top() == local.column("city").top()
    assert math.isclose(distributed.column("city").distinct, 3, abs_tol=0.1)
    assert distributed.column("flag").trues == local.column("flag").trues


def test_not_a_dask_frame() -> None:
    with pytest.raises(BadInput, match="needs a Dask DataFrame"):
        profile_dask(frame(10))
