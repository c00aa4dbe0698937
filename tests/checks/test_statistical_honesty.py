"""Statistical honesty: A/A runs fail at most ~5% of the time, and a real drop is caught.

Each A/A test puts the truth exactly on the threshold (the hardest case for a false failure) and
repeats the check on fresh seeded samples; the allowed rate is 5% plus a small tolerance for the
sampling error of 200-400 repetitions (a binomial's standard deviation at 5% of 200 is 1.5 points).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from mltrl.checks import GoldenCheck, MetamorphicCheck, Relation, SliceCheck

REPEATS = 200
ALLOWED = 0.05 + 0.025


@pytest.fixture(scope="module")
def population() -> dict[str, np.ndarray]:
    """A real model's predictions on a large generated population, and its true accuracy there."""
    X, y = make_classification(n_samples=30_000, n_features=10, n_informative=4, flip_y=0.1, random_state=0)
    model = LogisticRegression(max_iter=1000).fit(X[:5000], y[:5000])
    X_pop, y_pop = X[5000:], y[5000:]
    pred = model.predict(X_pop)
    return {"X": X_pop, "y": y_pop, "pred": pred, "accuracy": float((pred == y_pop).mean())}


def test_golden_a_a_fails_at_most_five_percent(population: dict[str, np.ndarray]) -> None:
    """Same model, golden sets drawn from the same population, minimum = the true accuracy."""
    truth = population["accuracy"]
    failures = 0
    for rep in range(REPEATS):
        rows = np.random.default_rng(rep).integers(0, len(population["y"]), 300)
        X, y, pred = population["X"][rows], population["y"][rows], population["pred"][rows]
        result = GoldenCheck(minimum=truth, max_drop_vs_champion=0.0, n_boot=200, seed=rep).run(
            pred, X, y, champion=pred
        )
        assert result.metrics["accuracy_diff"] == 0.0  # the same model is never worse than itself
        failures += result.status == "fail"
    assert failures / REPEATS <= ALLOWED


def test_champion_a_a_and_non_inferiority_error_rates() -> None:
    """Two equally good models wrong on different rows: max-drop 0 rarely fails. A candidate worse
    by exactly the margin: non-inferiority rarely passes (its error is a false pass)."""
    false_fail = false_pass = 0
    for rep in range(REPEATS):
        rng = np.random.default_rng(10_000 + rep)
        y = rng.integers(0, 2, 400)
        champion = np.where(rng.random(400) < 0.85, y, 1 - y)
        equal = np.where(rng.random(400) < 0.85, y, 1 - y)
        worse = np.where(rng.random(400) < 0.80, y, 1 - y)
        X = np.zeros((400, 1))
        drop = GoldenCheck(max_drop_vs_champion=0.0, n_boot=200, seed=rep)
        ni = GoldenCheck(non_inferiority_margin=0.05, n_boot=200, seed=rep)
        false_fail += drop.run(equal, X, y, champion=champion).status == "fail"
        false_pass += ni.run(worse, X, y, champion=champion).status == "pass"
    assert false_fail / REPEATS <= ALLOWED
    assert false_pass / REPEATS <= ALLOWED


def test_slices_a_a_with_holm_fails_at_most_five_percent() -> None:
    """Ten slices, each exactly at the minimum: the family fails at most ~5% of the time."""
    slices = {f"s{i}": f"s == {i}" for i in range(10)}
    X = pd.DataFrame({"s": np.repeat(np.arange(10), 100)})
    check = SliceCheck(slices, minimum=0.9)
    failures = 0
    for rep in range(REPEATS):
        rng = np.random.default_rng(20_000 + rep)
        y = rng.integers(0, 2, 1000)
        pred = np.where(rng.random(1000) < 0.9, y, 1 - y)
        failures += check.run(pred, X, y).status == "fail"
    assert failures / REPEATS <= ALLOWED


class _EchoModel:
    """Predicts the ``label`` column: a perturbation's flips are exactly its failures."""

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return X["label"].to_numpy()


def _flip(rate: float, seed: int):  # type: ignore[no-untyped-def]
    def perturb(X: pd.DataFrame) -> pd.DataFrame:
        flips = np.random.default_rng(seed).random(len(X)) < rate
        return X.assign(label=np.where(flips, 1 - X["label"], X["label"]))

    return perturb


def test_metamorphic_a_a_fails_at_most_five_percent() -> None:
    """Five relations, each failing exactly at its tolerance (5%) in truth."""
    X = pd.DataFrame({"label": np.zeros(500, dtype=int)})
    failures = 0
    for rep in range(REPEATS):
        relations = [
            Relation(f"r{i}", "invariance", _flip(0.05, rep * 10 + i), tolerance=0.05) for i in range(5)
        ]
        failures += MetamorphicCheck(relations).run(_EchoModel(), X).status == "fail"
    assert failures / REPEATS <= ALLOWED


def test_a_two_point_accuracy_drop_at_ten_thousand_rows_is_caught() -> None:
    """0.90 against a minimum of 0.92, and a candidate 2 points below its champion, n = 10,000."""
    caught_minimum = caught_champion = 0
    repeats = 25
    for rep in range(repeats):
        rng = np.random.default_rng(30_000 + rep)
        y = rng.integers(0, 2, 10_000)
        champion = np.where(rng.random(10_000) < 0.92, y, 1 - y)
        candidate = np.where(rng.random(10_000) < 0.90, y, 1 - y)
        X = np.zeros((10_000, 1))
        check = GoldenCheck(minimum=0.92, max_drop_vs_champion=0.0, n_boot=200, seed=rep)
        rules = {r["rule"]: r["status"] for r in check.run(candidate, X, y, champion=champion).details}
        caught_minimum += rules["minimum"] == "fail"
        caught_champion += rules["max_drop_vs_champion"] == "fail"
    assert caught_minimum / repeats >= 0.8
    assert caught_champion / repeats >= 0.8
