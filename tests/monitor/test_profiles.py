"""Mergeable profiles: exact statistics, sketch accuracy, merge laws, serialisation, bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mltrl.errors import BadInput
from mltrl.monitor import profile_table
from mltrl.monitor.columns import KLL_K
from mltrl.monitor.serialize import dumps, loads


def table(n: int = 20_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x": rng.normal(10, 3, n),
            "k": rng.integers(0, 50, n),
            "city": rng.choice(["paris", "lyon", "nice", "lille"], n, p=[0.5, 0.3, 0.15, 0.05]),
            "flag": rng.random(n) < 0.3,
            "when": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 86400 * 30, n), unit="s"),
        }
    )
    frame.loc[frame.index % 11 == 0, "x"] = np.nan
    frame.loc[frame.index % 13 == 0, "city"] = None
    return frame


def test_numeric_statistics_are_exact_and_quantiles_within_the_sketch_error() -> None:
    frame = table()
    x = frame["x"].dropna().to_numpy()
    col = profile_table(frame).column("x")
    assert (col.count, col.nulls) == (x.size, frame["x"].isna().sum())
    assert col.mean == pytest.approx(x.mean(), rel=1e-12)
    assert col.variance == pytest.approx(x.var(ddof=1), rel=1e-9)
    assert (col.min, col.max) == (x.min(), x.max())
    ordered = np.sort(x)
    eps = col.kll.normalized_rank_error(False)
    for q in (0.01, 0.1, 0.5, 0.9, 0.99):
        rank = np.searchsorted(ordered, col.quantile(q)) / ordered.size
        assert abs(rank - q) <= eps
    edges, shares = col.histogram(10)
    assert len(edges) == 11 and sum(shares) == pytest.approx(1.0)


def test_categorical_boolean_and_datetime_columns() -> None:
    frame = table()
    profile = profile_table(frame)
    city = profile.column("city")
    exact = frame["city"].value_counts()
    assert city.nulls == frame["city"].isna().sum() and city.count == exact.sum()
    assert dict(city.top(4)) == {k: int(v) for k, v in exact.items()}
    assert city.distinct == pytest.approx(4, abs=0.1)
    flag = profile.column("flag")
    assert (flag.count, flag.trues) == (len(frame), int(frame["flag"].sum()))
    when = profile.column("when")
    assert when.kind == "datetime"
    assert when.min == frame["when"].min().timestamp() and when.max == frame["when"].max().timestamp()


def test_many_distinct_values_are_estimated() -> None:
    values = pd.Series(np.arange(50_000)).astype(str)
    col = profile_table(pd.DataFrame({"id": values})).column("id")
    assert col.distinct == pytest.approx(50_000, rel=0.03)


def test_pyarrow_and_records_give_the_same_profile() -> None:
    frame = table(2_000)[["x", "k", "city"]]
    by_pandas = profile_table(frame).summary()
    assert profile_table(pa.Table.from_pandas(frame)).summary() == by_pandas
    records = frame.to_dict("records")
    assert profile_table(records).column("k").summary() == by_pandas["columns"]["k"]


def test_the_whole_equals_the_merge_of_its_parts() -> None:
    frame = table(30_000, seed=3)
    whole = profile_table(frame)
    parts = [profile_table(frame.iloc[i : i + 7_000]) for i in range(0, 30_000, 7_000)]
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part)
    assert merged.rows == whole.rows
    a, b = merged.column("x"), whole.column("x")
    assert (a.count, a.nulls, a.min, a.max) == (b.count, b.nulls, b.min, b.max)
    assert a.mean == pytest.approx(b.mean, rel=1e-12) and a.variance == pytest.approx(b.variance, rel=1e-9)
    ordered = np.sort(frame["x"].dropna().to_numpy())
    for q in (0.05, 0.5, 0.95):
        rank = np.searchsorted(ordered, a.quantile(q)) / ordered.size
        assert abs(rank - q) <= 2 * a.kll.normalized_rank_error(False)
    assert dict(merged.column("city").top()) == dict(whole.column("city").top())
    assert merged.column("flag").trues == whole.column("flag").trues


def _stats(profile) -> dict:  # type: ignore[no-untyped-def]
    """What must agree between merges done in different orders (floats to 12 digits)."""
    col = profile.column("v")
    return {
        "rows": profile.rows,
        "count": col.count,
        "nulls": col.nulls,
        "min": col.min,
        "max": col.max,
        "mean": col.mean,
        "variance": col.variance,
        "n": col.kll.n,
    }


def same(x: dict, y: dict) -> bool:  # type: ignore[type-arg]
    """Equal, floats to 1e-9 relative: merge order only reorders floating-point additions."""
    return x.keys() == y.keys() and all(
        math.isclose(x[k], y[k], rel_tol=1e-9, abs_tol=1e-9) if isinstance(x[k], float) else x[k] == y[k]
        for k in x
    )


chunks = st.lists(
    st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.just(float("nan"))), min_size=0, max_size=40
)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(a=chunks, b=chunks, c=chunks)
def test_merging_is_associative_and_commutative(a: list[float], b: list[float], c: list[float]) -> None:
    pa_, pb, pc = (profile_table(pd.DataFrame({"v": np.array(x, dtype=float)})) for x in (a, b, c))
    assert same(_stats(pa_.merge(pb)), _stats(pb.merge(pa_)))
    assert same(_stats(pa_.merge(pb).merge(pc)), _stats(pa_.merge(pb.merge(pc))))
    together = [v for v in a + b + c if not math.isnan(v)]
    merged = pa_.merge(pb).merge(pc).column("v")
    assert merged.count == len(together)
    if together:
        assert (merged.min, merged.max) == (min(together), max(together))
        assert merged.mean == pytest.approx(float(np.mean(together)), rel=1e-9, abs=1e-6)


def test_serialised_profiles_load_back_identical() -> None:
    profile = profile_table(table(5_000))
    data = dumps(profile)
    again = loads(data)
    assert again.summary() == profile.summary()
    points = [i / 100 for i in range(1, 100)]
    for name in ("x", "k", "when"):
        assert again.column(name).kll.get_quantiles(points) == profile.column(name).kll.get_quantiles(points)
    assert again.column("city").top(10) == profile.column("city").top(10)
    assert again.column("city").distinct == profile.column("city").distinct
    assert len(data) < 200_000  # compact: sketches, not rows
    assert KLL_K >= 1024


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a profile", "does not start with an mltrl profile header"),
        (b"MLTRLPF1\x00\x00\x00\x05{bad", "corrupt"),
    ],
)
def test_corrupt_profiles_are_refused_with_one_line(data: bytes, message: str) -> None:
    with pytest.raises(BadInput, match=message) as caught:
        loads(data)
    assert "\n" not in caught.value.message


def test_a_truncated_profile_is_refused() -> None:
    data = dumps(profile_table(table(1_000)))
    with pytest.raises(BadInput, match="corrupt"):
        loads(data[:-10])


def test_bad_tables_and_mismatched_profiles() -> None:
    with pytest.raises(BadInput, match="cannot profile a int"):
        profile_table(42)
    with pytest.raises(BadInput, match="cannot profile a str"):
        profile_table("a.csv")
    with pytest.raises(BadInput, match="no column 'nope'"):
        profile_table(table(100), columns=["nope"])
    numbers = profile_table(pd.DataFrame({"v": [1.0, 2.0]}))
    words = profile_table(pd.DataFrame({"v": ["a", "b"]}))
    with pytest.raises(BadInput, match="column 'v' is numeric in one profile and categorical in the other"):
        numbers.merge(words)
    with pytest.raises(BadInput, match="different columns"):
        numbers.merge(profile_table(pd.DataFrame({"w": [1.0]})))


def test_forked_workers_give_the_same_exact_statistics() -> None:
    frame = table(120_000, seed=5)[["x", "k", "city", "flag"]]
    alone = profile_table(frame, workers=1)
    from mltrl.monitor import profile as module

    previous, module.PARALLEL_CELLS = module.PARALLEL_CELLS, 1  # force the workers on a small table
    try:
        shared = profile_table(frame, workers=2)
    finally:
        module.PARALLEL_CELLS = previous
    for name in ("x", "k"):
        a, b = alone.column(name), shared.column(name)
        assert (a.count, a.nulls, a.min, a.max, a.mean, a.m2) == (
            b.count,
            b.nulls,
            b.min,
            b.max,
            b.mean,
            b.m2,
        )
        assert abs(a.quantile(0.5) - b.quantile(0.5)) <= 0.05 * math.sqrt(a.variance)
    assert alone.column("city").top() == shared.column("city").top()
    assert alone.column("flag").trues == shared.column("flag").trues
