"""Data slices: a metric per slice with its CI, insufficient small slices, Holm across slices."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from mltrl.checks import SliceCheck
from mltrl.errors import BadInput

SLICES = {
    "strong": "alcohol > 13",
    "light": "alcohol <= 13",
    "pale": lambda X: X["color_intensity"] < 4,
}


def test_each_slice_has_its_metric_and_interval(wine: dict[str, Any]) -> None:
    result = SliceCheck(SLICES, minimum=0.8).run(wine["model"], wine["X"], wine["y"])
    assert result.status == "pass", result.reason
    rows = {row["slice"]: row for row in result.details}
    assert set(rows) == set(SLICES)
    strong = wine["X"].eval("alcohol > 13").to_numpy()
    expected = float((wine["model"].predict(wine["X"])[strong] == wine["y"].to_numpy()[strong]).mean())
    assert rows["strong"]["n"] == int(strong.sum())
    assert result.metrics["accuracy[strong]"] == pytest.approx(expected)
    low, high = result.intervals["accuracy[strong]"]
    assert low < expected <= high <= 1.0
    assert all(row["p_holm"] >= row["p_value"] for row in result.details)


def test_a_small_slice_is_insufficient_not_passed(wine: dict[str, Any]) -> None:
    result = SliceCheck({**SLICES, "very_pale": "color_intensity < 2"}, minimum=0.8).run(
        wine["model"], wine["X"], wine["y"]
    )
    rows = {row["slice"]: row for row in result.details}
    assert 0 < rows["very_pale"]["n"] < 30
    assert rows["very_pale"]["status"] == "insufficient"
    assert result.status == "insufficient"
    assert "very_pale" in result.reason


def test_a_slice_fails_only_when_shown_below_the_minimum() -> None:
    """Predictions wrong on one slice: that slice fails, the others pass; a slice just below the
    minimum by chance is not failed (its upper bound reaches the minimum)."""
    n = 300
    X = pd.DataFrame({"group": np.repeat(["a", "b", "c"], n // 3)})
    y = np.zeros(n, dtype=int)
    pred = y.copy()
    pred[:40] = 1  # group a: 60/100 right
    pred[100:108] = 1  # group b: 92/100 right, below 0.95 but not significantly
    result = SliceCheck({g: f"group == '{g}'" for g in "abc"}, minimum=0.95).run(pred, X, y)
    status = {row["slice"]: row["status"] for row in result.details}
    assert status == {"a": "fail", "b": "pass", "c": "pass"}
    assert result.status == "fail"
    assert result.intervals["accuracy[a]"][1] < 0.95 <= result.intervals["accuracy[b]"][1]
    assert result.reason == "1 of 3 slices below accuracy 0.95 (Holm): a"


def test_holm_keeps_borderline_slices_from_failing_together() -> None:
    """Thirty slices each barely significant on its own: uncorrected, all would fail; Holm fails none."""
    rng = np.random.default_rng(0)
    n_slices, size = 30, 200
    X = pd.DataFrame({"s": np.repeat(np.arange(n_slices), size)})
    y = np.zeros(n_slices * size, dtype=int)
    pred = y.copy()
    for s in range(n_slices):
        # 175/200 right: one-sided p ~ 0.02 against 0.92 on its own, far from 0.025 / 30 after Holm
        wrong = rng.choice(size, 25, replace=False) + s * size
        pred[wrong] = 1
    result = SliceCheck({f"s{s}": f"s == {s}" for s in range(n_slices)}, minimum=0.92).run(pred, X, y)
    assert all(row["p_value"] < 0.025 for row in result.details)
    assert result.status == "pass"


def test_other_metrics_use_a_seeded_bootstrap(wine: dict[str, Any]) -> None:
    check = SliceCheck(SLICES, metric="f1", minimum=0.5, n_boot=200, seed=3)
    first = check.run(wine["model"], wine["X"], wine["y"])
    assert first.to_json() == check.run(wine["model"], wine["X"], wine["y"]).to_json()
    assert set(first.intervals) == {"f1[strong]", "f1[light]", "f1[pale]"}


@pytest.mark.parametrize(
    ("slices", "message"),
    [
        ({"none": "alcohol > 100"}, "slices: slice 'none' matches no row of X"),
        ({"typo": "alcohool > 13"}, "slices: slice 'typo' could not be evaluated"),
        ({"number": "alcohol + 1"}, "slices: slice 'number' must give one true/false per row"),
        ({"bad": 42}, "slices: slice 'bad' must be a pandas query string or a callable"),
        ({}, "slices: slices must be a non-empty mapping"),
    ],
)
def test_bad_slices_are_one_line_errors(wine: dict[str, Any], slices: Any, message: str) -> None:
    with pytest.raises(BadInput) as caught:
        SliceCheck(slices, minimum=0.5).run(wine["model"], wine["X"], wine["y"])
    assert message in str(caught.value)


def test_a_query_string_needs_a_dataframe(wine: dict[str, Any]) -> None:
    with pytest.raises(
        BadInput, match="slice 'strong' is a query string, which needs X as a pandas DataFrame"
    ):
        SliceCheck({"strong": "alcohol > 13"}).run(
            wine["model"].predict(wine["X"]), wine["X"].to_numpy(), wine["y"]
        )


def test_a_model_without_predict_is_named(wine: dict[str, Any]) -> None:
    with pytest.raises(BadInput, match=r"slices: model \(object\) has no predict method"):
        SliceCheck(SLICES).run(object(), wine["X"], wine["y"])
