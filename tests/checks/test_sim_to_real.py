"""Sim-to-real: a simulator close to reality passes, one a classifier sees through fails."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from mltrl.checks.sim_to_real import SimToRealCheck
from mltrl.errors import BadInput


def world(n: int, *, shift: float = 0.0, noise: float = 1.0, seed: int = 0) -> pd.DataFrame:
    """Two features and a label; ``shift`` moves the first feature, ``noise`` the label's randomness."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(shift, 1, n), rng.normal(0, 1, n)
    label = (x1 + x2 + rng.normal(0, noise, n) > shift).astype(int)
    return pd.DataFrame({"x1": x1, "x2": x2, "kind": rng.choice(["can", "bottle"], n), "label": label})


def test_a_faithful_simulator_passes() -> None:
    real, synthetic = world(4000, seed=1), world(4000, seed=2)
    model = LogisticRegression().fit(synthetic[["x1", "x2"]], synthetic["label"])
    check = SimToRealCheck(label="label", features=["x1", "x2"], max_gap=0.05)
    result = check.run(synthetic, real, model)
    assert result.status == "pass", result.reason
    low, high = result.intervals["domain_auc"]
    assert low <= 0.5 <= high + 0.02  # indistinguishable tables: an AUC around one half
    assert result.metrics["drifted_share"] == 0.0


def test_a_simulator_a_classifier_sees_through_fails_and_names_the_features() -> None:
    real, synthetic = world(4000, seed=3), world(4000, shift=1.5, noise=0.1, seed=4)
    model = LogisticRegression().fit(synthetic[["x1", "x2"]], synthetic["label"])
    result = SimToRealCheck(label="label", features=["x1", "x2"], max_gap=0.02).run(synthetic, real, model)
    assert result.status == "fail"
    assert result.metrics["domain_auc"] > 0.75 and "x1" in result.reason
    assert result.details[0]["column"] == "x1" and result.details[0]["drifted"]
    assert result.metrics["accuracy_gap"] > 0.02


def test_too_few_rows_is_insufficient_and_seeded_runs_repeat() -> None:
    assert SimToRealCheck().run(world(100, seed=5), world(100, seed=6)).status == "insufficient"
    a, b = world(1000, seed=7), world(1000, seed=8)
    assert SimToRealCheck(seed=3).run(a, b).to_json() == SimToRealCheck(seed=3).run(a, b).to_json()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: SimToRealCheck().run([1, 2], world(300)), "synthetic must be a table"),
        (lambda: SimToRealCheck(features=["x9"]).run(world(300), world(300)), "no column 'x9'"),
        (lambda: SimToRealCheck().run(world(300), world(300), LogisticRegression()), "no label column"),
        (lambda: SimToRealCheck(max_domain_auc=2), "max_domain_auc must lie in"),
        (
            lambda: SimToRealCheck().run(pd.DataFrame({"a": [1.0] * 300}), pd.DataFrame({"b": [1.0] * 300})),
            "share no feature column",
        ),
    ],
)
def test_bad_input_is_one_line(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadInput, match=message):
        build()
