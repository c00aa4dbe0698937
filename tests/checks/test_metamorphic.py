"""Metamorphic relations with the built-in tabular perturbations, on a real model."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from mltrl.checks import MetamorphicCheck, Relation
from mltrl.checks import perturbations as P
from mltrl.errors import BadInput


class _IgnoresRowId:
    """The breast cancer model served behind an extra ``row_id`` column it must ignore."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.model.predict(X.drop(columns="row_id"))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(X.drop(columns="row_id"))


@pytest.fixture
def served(cancer: dict[str, Any]) -> tuple[_IgnoresRowId, pd.DataFrame]:
    X = cancer["X"].assign(row_id=np.arange(len(cancer["X"])))
    return _IgnoresRowId(cancer["good"]), X


def test_relations_that_hold_pass_and_one_that_breaks_fails(served: tuple[Any, pd.DataFrame]) -> None:
    model, X = served
    relations = [
        Relation("small noise", "invariance", P.gaussian_noise(0.01, seed=1), tolerance=0.02),
        Relation("row id is irrelevant", "invariance", P.swap_feature("row_id")),
        # A larger tumour is never more likely benign (class 1).
        Relation("bigger is not more benign", "directional", P.shift("worst radius", 2.0), direction="down"),
        Relation("ramp of sizes", "monotonic", P.ramp("worst radius", [1.0, 2.0, 4.0]), direction="down"),
        Relation("units do not matter", "invariance", P.scaling(1.5)),  # false for this model
    ]
    result = MetamorphicCheck(relations).run(model, X)
    status = {row["relation"]: row["status"] for row in result.details}
    assert status == {
        "small noise": "pass",
        "row id is irrelevant": "pass",
        "bigger is not more benign": "pass",
        "ramp of sizes": "pass",
        "units do not matter": "fail",
    }
    assert result.status == "fail"
    rate = result.metrics["failure_rate[units do not matter]"]
    low, high = result.intervals["failure_rate[units do not matter]"]
    assert 0 < low <= rate <= high
    assert result.metrics["failure_rate[row id is irrelevant]"] == 0.0
    assert "units do not matter" in result.reason
    assert result.n == len(X)


def test_a_failure_rate_within_tolerance_passes(served: tuple[Any, pd.DataFrame]) -> None:
    model, X = served
    strict = Relation("units", "invariance", P.scaling(1.01))
    found = MetamorphicCheck([strict]).run(model, X)
    rate = found.metrics["failure_rate[units]"]
    assert 0 < rate < 0.1, "the 1% rescale flips a few borderline predictions"
    assert found.status == "fail"  # tolerance 0: any failing row fails
    lenient = Relation("units", "invariance", P.scaling(1.01), tolerance=0.2)
    assert MetamorphicCheck([lenient]).run(model, X).status == "pass"


def test_perturbations_leave_x_unchanged_and_are_seeded(served: tuple[Any, pd.DataFrame]) -> None:
    _, X = served
    before = X.copy()
    noisy = P.gaussian_noise(0.1, seed=4)
    pd.testing.assert_frame_equal(noisy(X), noisy(X))
    pd.testing.assert_frame_equal(X, before)
    array = X.to_numpy()
    assert np.array_equal(P.swap_feature(0, seed=1)(array)[:, 1:], array[:, 1:])
    assert sorted(P.swap_feature(0, seed=1)(array)[:, 0]) == sorted(array[:, 0])


def test_too_few_rows_is_insufficient(served: tuple[Any, pd.DataFrame]) -> None:
    model, X = served
    result = MetamorphicCheck([Relation("noise", "invariance", P.gaussian_noise())]).run(model, X.iloc[:10])
    assert result.status == "insufficient"
    assert "10 rows, fewer than min_rows=30" in result.reason


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Relation("r", "invariance", None), "metamorphic: relation 'r' has no perturbation"),
        (lambda: Relation("r", "sideways", P.scaling(2)), "relation 'r': kind 'sideways' is not one of"),
        (lambda: Relation("r", "directional", P.scaling(2)), "needs direction 'up' or 'down'"),
        (lambda: Relation("r", "invariance", P.scaling(2), tolerance=2), "tolerance must lie in [0, 1]"),
        (lambda: MetamorphicCheck([]), "metamorphic: relations must be a non-empty list"),
        (lambda: P.ramp("x", [2, 1]), "ramp: by must be increasing"),
    ],
)
def test_bad_relations_are_one_line_errors(make: Any, message: str) -> None:
    with pytest.raises(BadInput) as caught:
        make()
    assert message in str(caught.value)


def test_bad_runs_name_the_relation(served: tuple[Any, pd.DataFrame]) -> None:
    model, X = served
    with pytest.raises(BadInput, match=r"metamorphic: model \(object\) has no predict method"):
        MetamorphicCheck([Relation("n", "invariance", P.gaussian_noise())]).run(object(), X)
    drop_rows = Relation("drops", "invariance", lambda X: X.iloc[:-1])
    with pytest.raises(BadInput, match="relation 'drops': the perturbation changed the number of rows"):
        MetamorphicCheck([drop_rows]).run(model, X)
    missing = Relation("missing", "invariance", P.swap_feature("nope"))
    with pytest.raises(BadInput, match="swap_feature: column 'nope' is not in X"):
        MetamorphicCheck([missing]).run(model, X)


def test_a_model_that_refuses_the_perturbed_rows_is_one_line(served: tuple[Any, pd.DataFrame]) -> None:
    model, X = served
    holes = Relation("holes", "invariance", lambda X: X.assign(**{X.columns[0]: np.nan}))
    with pytest.raises(BadInput) as caught:
        MetamorphicCheck([holes]).run(model, X)
    message = str(caught.value)
    # scikit-learn's own message spans several lines; the user gets its first, naming the relation.
    assert message.startswith(
        "metamorphic: relation 'holes': the model's predict failed on the perturbed X: Input X contains NaN"
    )
    assert "\n" not in message
