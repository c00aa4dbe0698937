"""Sim-to-real as a level-4 criterion for components on synthetic data, its gap on the risk table, and
fairness across the groups a datasheet counts, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mltrl.cli import main
from mltrl.demo.detector import sim_to_real
from mltrl.service.registry import Registry

pytestmark = pytest.mark.usefixtures("lenient_entry")


@pytest.fixture
def url(registry: Registry, db_url: str, tmp_path: Path) -> str:
    registry.projects.create("rc", "Recycling vision app")
    registry.components.add("rc/1", "Detector", kind="model", level=4, reason="work done before the registry")
    registry.versions.register("rc/1", "model", "1.0.0")
    synthetic, real = sim_to_real()
    synthetic.to_csv(tmp_path / "renders.csv", index=False)
    real.to_csv(tmp_path / "photos.csv", index=False)
    for key, kind, name in (("renders", "synthetic", "renders.csv"), ("photos", "real", "photos.csv")):
        registry.datasets.add("rc", key, key, kind=kind)
        registry.datasets.add_version(key, "1.0.0", path=tmp_path / name)
    registry.datasets.link("photos", "rc/1", "train")
    return db_url


def run(url: str, *argv: str) -> int:
    return main(["--db", url, "--actor", "ci", *argv])


def status(url: str) -> tuple[str, str]:
    with Registry.open(db=url) as reg:
        criterion = next(c for c in reg.components.gate("rc/1", 4).criteria if c.id == "L4.sim-to-real")
    return criterion.status, criterion.reason


def test_sim_to_real_is_asked_only_of_components_on_synthetic_data(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert status(url)[0] == "waived"
    with Registry.open(db=url) as reg:
        reg.datasets.link("renders", "rc/1", "train")
        reg.requirements.add("rc", "3", "Renders shall not overstate accuracy on photos", kind="product",
                            p_failure=0.3, value=6, category="sim-to-real", components=["rc/1"])  # fmt: skip
        reg.requirements.add_step("rc", "3", "verification", "sim-to-real comparison", method="test")
    assert status(url) == (
        "unmet",
        "no evidence recorded: run `mltrl check sim-to-real` (simulated data: renders)",
    )
    files = ["--synthetic", str(tmp_path / "renders.csv"), "--real", str(tmp_path / "photos.csv")]
    # Predictions logged next to the labels: the real photos are predicted well, the renders badly,
    # so the renders understate accuracy (gap below 0: passes) ...
    assert run(url, "check", "sim-to-real", "rc/1", *files, "--feature", "p33", "--feature", "p34",
               "--requirement", "3", "--step", "1", "--json") == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "pass" and 0.4 < out["metrics"]["domain_auc"] < 0.75
    assert status(url)[0] == "met"
    with Registry.open(db=url) as reg:
        [piece] = reg.evidence.list("rc/1")
        assert "(data set renders 1.0.0)" in piece.note and "(data set photos 1.0.0)" in piece.note
        measured = reg.requirements.risk("rc").measured["3"]
    assert measured.startswith("domain auc")  # no labels given: no gap, the distance is shown
    # ... and a gap shown when the renders overstate what the photos get.
    synthetic, real = sim_to_real()
    synthetic.assign(predicted=synthetic["label"]).to_csv(tmp_path / "s.csv", index=False)
    rng = np.random.default_rng(0)
    wrong = rng.random(len(real)) < 0.2
    real.assign(predicted=np.where(wrong, (real["label"] + 1) % 10, real["label"])).to_csv(
        tmp_path / "r.csv", index=False
    )
    assert run(url, "check", "sim-to-real", "rc/1", "--synthetic", str(tmp_path / "s.csv"), "--real",
               str(tmp_path / "r.csv"), "--label", "label", "--prediction", "predicted",
               "--requirement", "3", "--step", "1") == 1  # fmt: skip
    assert "accuracy_gap: 0.20" in capsys.readouterr().out
    assert status(url)[0] == "unmet"
    with Registry.open(db=url) as reg:
        assert reg.requirements.risk("rc").measured["3"].startswith("accuracy gap 0.2")
    assert run(url, "risk", "rc", "--json") == 0
    ranked = json.loads(capsys.readouterr().out)["ranked"]
    assert "accuracy gap" in ranked[0]["measured"] and "fail" in ranked[0]["measured"]


def test_bad_tables_are_one_line_and_record_nothing(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Registry.open(db=url) as reg:
        reg.datasets.link("renders", "rc/1", "train")
    pd.DataFrame({"x": [1, 2]}).to_csv(tmp_path / "other.csv", index=False)
    renders = ["--synthetic", str(tmp_path / "renders.csv"), "--real"]
    for argv, message in (
        ([*renders, str(tmp_path / "other.csv")], "share no feature"),
        ([*renders, str(tmp_path / "gone.csv")], "no such file"),
        ([*renders, str(tmp_path / "photos.csv"), "--prediction", "nope", "--label", "label"],
         "no prediction column 'nope'"),
    ):  # fmt: skip
        assert run(url, "check", "sim-to-real", "rc/1", *argv) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1
    with Registry.open(db=url) as reg:
        assert reg.evidence.list("rc/1") == []


def test_fairness_compares_groups_the_datasheet_counted(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(4)
    n = 3000
    decisions = pd.DataFrame({"sex": rng.choice(["female", "male"], n), "y": rng.integers(0, 2, n)})
    # The model errs twice as often for one group.
    error = np.where(decisions["sex"] == "female", 0.3, 0.1)
    decisions["decided"] = np.where(rng.random(n) < error, 1 - decisions["y"], decisions["y"])
    decisions.to_csv(tmp_path / "decisions.csv", index=False)
    argv = ["check", "fairness", "rc/1", "--data", str(tmp_path / "decisions.csv"), "--group", "sex",
            "--label", "y", "--prediction", "decided", "--criterion", "L4.applied-metrics"]  # fmt: skip
    assert run(url, *argv) == 2
    assert "--group 'sex' is not a group the datasheets of rc/1's data sets name" in capsys.readouterr().err
    assert run(url, "dataset", "demographics", "photos", "--file", str(tmp_path / "decisions.csv"),
               "-c", "sex", "--version", "1.0.0") == 2  # fmt: skip
    assert "is not version 1.0.0's" in capsys.readouterr().err
    assert (
        run(url, "dataset", "demographics", "photos", "--file", str(tmp_path / "decisions.csv"), "-c", "sex")
        == 0
    )
    assert "photos: sex: female" in capsys.readouterr().out
    assert run(url, *argv, "--json") == 1
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "fail" and result["metrics"]["equalized_odds_difference"] > 0.1
    with Registry.open(db=url) as reg:
        card = reg.cards.get("rc").model_dump(mode="json")
    facts = card["ethics_facts"]
    assert any(f.startswith("data set photos, sex: female") for f in facts)
    assert any(f.startswith("1: fairness fail: demographic parity difference") for f in facts)
