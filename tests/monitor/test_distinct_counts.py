"""Distinct counts are whole numbers with their error bounds (issue 14, item 6.9)."""

from __future__ import annotations

import pandas as pd

from mltrl.monitor import profile_table


def test_a_small_distinct_count_is_exact_and_whole() -> None:
    frame = pd.DataFrame({"city": ["Lyon", "Oslo", "Porto", "Turin", "Lyon"] * 20, "tx_id": range(100)})
    profile = profile_table(frame)
    city = profile.column("city")
    assert city.distinct == 4 and isinstance(city.distinct, int)  # was 4.000000029802323
    assert city.distinct_bounds == (4, 4)
    assert profile.summary()["columns"]["city"]["distinct"] == 4
    assert profile.summary()["columns"]["city"]["distinct_bounds"] == [4, 4]
    assert profile.column("tx_id").distinct == 100
    assert profile.summary()["columns"]["tx_id"]["distinct_bounds"] == [100, 100]


def test_a_large_distinct_count_shows_its_bounds() -> None:
    profile = profile_table(pd.DataFrame({"user": [f"u{i}" for i in range(50_000)]}))
    user = profile.column("user")
    low, high = user.distinct_bounds
    assert isinstance(user.distinct, int) and low <= user.distinct <= high
    assert low <= 50_000 <= high and high <= 50_000  # never more distinct values than values
    assert (high - low) / 50_000 < 0.04  # two standard errors of an lg k = 14 sketch, about 1.6% each way


def test_merged_profiles_keep_whole_counts() -> None:
    a = profile_table(pd.DataFrame({"city": ["Lyon", "Oslo"] * 10}))
    b = profile_table(pd.DataFrame({"city": ["Oslo", "Porto"] * 10}))
    merged = a.merge(b).column("city")
    assert merged.distinct == 3 and merged.distinct_bounds == (3, 3)
