"""Training-serving skew: the same entities' features compared one by one."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mltrl.cli import main
from mltrl.errors import BadInput, NotFound
from mltrl.monitor.skew import compare
from mltrl.service.registry import Registry


def features(n: int = 5_000) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "age": rng.integers(18, 90, n).astype(float),
            "income": rng.lognormal(10, 1, n),
            "region": rng.choice(["n", "s", "e", "w"], n),
        }
    )


def test_skew_finds_the_feature_computed_differently_online() -> None:
    training = features()
    serving = training.sample(frac=0.8, random_state=1).copy()
    serving["income"] = serving["income"] / 1000  # served in thousands: same distribution shape, wrong values
    serving.loc[serving.index[:10], "region"] = "x"  # a few bad joins: 0.25% of entities
    report = compare(training, serving, "id")
    assert report.joined == len(serving) and report.training_only == len(training) - len(serving)
    assert report.skewed == ["income"]
    assert report.features["income"]["mismatch_share"] == 1.0
    assert report.features["age"]["mismatch_share"] == 0.0
    assert report.features["region"]["mismatch_share"] == pytest.approx(10 / len(serving))


def test_bad_skew_input() -> None:
    training = features(100)
    with pytest.raises(BadInput, match="no key column 'user'"):
        compare(training, training, "user")
    with pytest.raises(BadInput, match="repeats values of the key column"):
        compare(pd.concat([training, training]), training, "id")
    with pytest.raises(BadInput, match="share no feature column"):
        compare(training[["id"]], training[["id"]], "id")
    other = training.assign(id=training["id"] + 10_000)
    with pytest.raises(BadInput, match="no entity appears in both tables"):
        compare(training, other, "id")
    # Ids that are numbers in one table and text in the other match nothing: refused, not a crash.
    with pytest.raises(BadInput, match="holds numbers in the training table but text in the serving"):
        compare(training, training.assign(id=training["id"].astype(str)), "id")


def test_cli_skew_raises_an_alert(
    registry: Registry, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.projects.create("svc", "Scoring")
    registry.components.add(
        "svc/1", "Features", kind="data-pipeline", level=8, reason="work done before the registry"
    )
    training = features(2_000)
    training.to_parquet(tmp_path / "train.parquet")
    training.assign(age=training["age"] + 1).to_csv(tmp_path / "serve.csv", index=False)
    assert (
        main(
            [
                "--db",
                db_url,
                "monitor",
                "skew",
                "svc/1",
                str(tmp_path / "train.parquet"),
                str(tmp_path / "serve.csv"),
                "--key",
                "id",
                "--json",
            ]
        )
        == 1
    )
    result = json.loads(capsys.readouterr().out)
    assert result["skewed"] == ["age"] and result["alert"]["kind"] == "skew"
    (alert,) = registry.alerts.list("svc/1")
    assert alert["message"] == "training-serving skew in age (serve.csv)" and alert["data"]["columns"] == [
        "age"
    ]
    training.to_csv(tmp_path / "same.csv", index=False)
    assert (
        main(
            [
                "--db",
                db_url,
                "monitor",
                "skew",
                "svc/1",
                str(tmp_path / "train.parquet"),
                str(tmp_path / "same.csv"),
                "--key",
                "id",
            ]
        )
        == 0
    )


def test_api_skew_takes_tables_and_refuses_an_unknown_component(registry: Registry) -> None:
    registry.projects.create("svc", "Scoring")
    registry.components.add(
        "svc/1", "Features", kind="data-pipeline", level=8, reason="work done before the registry"
    )
    training = features(500)
    calm = registry.monitor.check_skew("svc/1", training, training.copy(), key="id")
    assert calm["skewed"] == [] and calm["alert"] is None and registry.alerts.list("svc/1") == []
    with pytest.raises(NotFound, match="no component '9' in project 'svc'"):
        registry.monitor.check_skew("svc/9", training, training, key="id")
