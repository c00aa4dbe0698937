"""The golden data set over the succession of models: scores stored per model version, each candidate
compared with its champion's stored outputs, and the L7.golden-dataset gate met only by them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mltrl.checks import GoldenCheck
from mltrl.errors import BadInput, NotFound
from mltrl.service.registry import Registry

pytestmark = pytest.mark.usefixtures("lenient_entry")

CHECK = GoldenCheck(metric="accuracy", minimum=0.8, max_drop_vs_champion=0.02, n_boot=300)


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("rec", "Recycling", rd_owner="M. Chen")
    registry.components.add("rec/1.1", "Detector", kind="model", level=7, owner="M. Chen", reason="migrated")
    registry.versions.register("rec/1.1", "model", "1.0.0")
    registry.datasets.add("rec", "golden-bins", "Golden bins", kind="real")
    registry.datasets.add_version("golden-bins", "1.0.0")
    registry.datasets.link("golden-bins", "rec/1.1", "golden")
    return registry


def gate(reg: Registry, criterion: str = "L7.golden-dataset") -> tuple[str, str]:
    (found,) = [c for c in reg.components.gate("rec/1.1", 7).criteria if c.id == criterion]
    return found.status, found.reason


def test_the_first_model_is_judged_by_its_minimum_and_meets_the_gate(
    reg: Registry, cancer: dict[str, Any]
) -> None:
    assert gate(reg) == ("unmet", "golden golden-bins 1.0.0: no score of model 1.0.0 (`reg.golden.score`)")
    result = reg.golden.score("rec/1.1", "golden-bins", cancer["good"], cancer["X"], cancer["y"], check=CHECK)
    assert result.status == "pass"
    assert "accuracy_champion" not in result.metrics  # no champion: minimum alone
    (score,) = reg.golden.history("rec/1.1")
    assert (score.model_version, score.dataset, score.dataset_version) == ("1.0.0", "golden-bins", "1.0.0")
    assert score.status == "pass" and score.n == len(cancer["y"]) and score.champion_version is None
    assert score.ci_low < score.value < score.ci_high
    evidence = reg.evidence.list("rec/1.1")[-1]
    assert evidence.id == score.evidence_id and evidence.criterion_id == "L7.golden-dataset"
    assert evidence.metrics["accuracy"] == score.value
    assert (evidence.metrics["golden_set"], evidence.metrics["model_version"]) == (
        "golden-bins 1.0.0",
        "1.0.0",
    )
    assert evidence.metrics["champion_version"] == "none"
    status, reason = gate(reg)
    assert status == "met" and reason.startswith("model 1.0.0 passed golden golden-bins 1.0.0: accuracy 0.9")


def test_a_candidate_is_paired_with_its_champions_stored_outputs(
    reg: Registry, cancer: dict[str, Any]
) -> None:
    X, y = cancer["X"], cancer["y"]
    reg.golden.score("rec/1.1", "golden-bins", cancer["good"], X, y, check=CHECK)
    reg.versions.register("rec/1.1", "model", "2.0.0")
    # The champion's model object is gone: its stored per-row predictions stand in for it.
    same = cancer["good"].predict(X)
    result = reg.golden.score("rec/1.1", "golden-bins", same, X, y, check=CHECK)
    assert result.status == "pass"
    assert result.metrics["accuracy_diff"] == 0.0 and result.intervals["accuracy_diff"] == (0.0, 0.0)
    reg.versions.register("rec/1.1", "model", "3.0.0")
    worse = reg.golden.score("rec/1.1", "golden-bins", cancer["weak"], X, y, check=CHECK)
    assert worse.status == "fail" and "max_drop_vs_champion" in worse.reason
    history = reg.golden.history("rec/1.1")
    assert [(s.model_version, s.champion_version, s.status) for s in history] == [
        ("1.0.0", None, "pass"),
        ("2.0.0", "1.0.0", "pass"),
        ("3.0.0", "2.0.0", "fail"),
    ]
    status, reason = gate(reg)
    assert status == "unmet" and reason.startswith("golden golden-bins 1.0.0: model 3.0.0 fail: minimum")
    assert "max_drop_vs_champion: observed -0.3" in reason
    # A failed model never becomes a champion: the next one is compared with 2.0.0.
    reg.versions.register("rec/1.1", "model", "4.0.0")
    reg.golden.score("rec/1.1", "golden-bins", cancer["good"], X, y, check=CHECK)
    assert reg.golden.history("rec/1.1")[-1].champion_version == "2.0.0"
    assert gate(reg)[0] == "met"


def test_a_new_version_makes_the_score_stale_and_a_new_golden_version_needs_a_new_score(
    reg: Registry, cancer: dict[str, Any]
) -> None:
    reg.golden.score("rec/1.1", "golden-bins", cancer["good"], cancer["X"], cancer["y"], check=CHECK)
    reg.versions.register("rec/1.1", "code", "1.1.0")
    status, reason = gate(reg)
    assert status == "stale" and "code 1.1.0 is current" in reason
    reg.golden.score("rec/1.1", "golden-bins", cancer["good"], cancer["X"], cancer["y"], check=CHECK)
    assert gate(reg)[0] == "met"
    reg.datasets.add_version("golden-bins", "1.1.0")  # the link pins no version: 1.1.0 is current
    assert gate(reg) == ("unmet", "golden golden-bins 1.1.0: no score of model 1.0.0 (`reg.golden.score`)")


def test_typed_in_evidence_no_longer_meets_the_golden_criterion(reg: Registry) -> None:
    reg.evidence.record(
        "rec/1.1", "L7.golden-dataset", kind="test-run", outcome="pass", metrics={"recall": 0.99}
    )
    assert gate(reg)[0] == "unmet"


def test_the_registered_content_hash_is_checked(
    reg: Registry, cancer: dict[str, Any], tmp_path: Path
) -> None:
    data = tmp_path / "golden.csv"
    cancer["X"].assign(label=cancer["y"]).to_csv(data, index=False)
    reg.datasets.add_version("golden-bins", "2.0.0", path=data)
    args = ("rec/1.1", "golden-bins", cancer["good"], cancer["X"], cancer["y"])
    with pytest.raises(
        BadInput, match=r"golden golden-bins 2\.0\.0 is registered with sha256 \w+\.\.\.: give path="
    ):
        reg.golden.score(*args, check=CHECK)
    other = tmp_path / "other.csv"
    other.write_text("label\n1\n")
    with pytest.raises(BadInput, match=r"other\.csv has sha256 \w+\.\.\., not the registered"):
        reg.golden.score(*args, check=CHECK, path=other)
    assert reg.golden.history("rec/1.1") == [] and reg.evidence.list("rec/1.1") == []
    assert reg.golden.score(*args, check=CHECK, path=data).status == "pass"
    assert reg.golden.history("rec/1.1")[0].dataset_version == "2.0.0"


def test_bad_input_is_one_line_and_records_nothing(reg: Registry, cancer: dict[str, Any]) -> None:
    X, y, good = cancer["X"], cancer["y"], cancer["good"]
    reg.datasets.add("rec", "train-bins", "Training bins", kind="real")
    reg.datasets.add_version("train-bins", "1.0.0")
    reg.datasets.link("train-bins", "rec/1.1", "train")
    cases = [
        (BadInput, r"golden rec/1\.1: data set 'train-bins' is not registered as golden for it",
         ("train-bins", good, X, y), {}),
        (BadInput, r"data set 'nowhere' is not registered as golden", ("nowhere", good, X, y), {}),
        (NotFound, r"model version 9\.9\.9 is not registered \(it has 1\.0\.0\)", ("golden-bins", good, X, y),
         {"model_version": "9.9.9"}),
        (NotFound, r"golden data set golden-bins has no version 7\.0\.0", ("golden-bins", good, X, y),
         {"version": "7.0.0"}),
        (BadInput, r"golden: y has 10 labels for 228 rows of X", ("golden-bins", good, X, y[:10]), {}),
        (BadInput, r"golden: y has 1 missing \(NaN/None\) labels", ("golden-bins", good, X,
         y.astype(float).where(y.index != y.index[3])), {}),
        (BadInput, r"candidate", ("golden-bins", np.zeros(5), X, y), {}),
    ]  # fmt: skip
    for error, message, args, kwargs in cases:
        with pytest.raises(error, match=message) as caught:
            reg.golden.score("rec/1.1", *args, check=CHECK, **kwargs)
        assert "\n" not in str(caught.value)
    assert reg.golden.history("rec/1.1") == [] and reg.evidence.list("rec/1.1") == []


def test_without_a_champion_a_check_with_only_relative_thresholds_is_refused(
    reg: Registry, cancer: dict[str, Any]
) -> None:
    relative = GoldenCheck(non_inferiority_margin=0.02, n_boot=200)
    with pytest.raises(BadInput, match=r"rec/1\.1 has no champion yet .* give GoldenCheck\(minimum=\.\.\.\)"):
        reg.golden.score("rec/1.1", "golden-bins", cancer["good"], cancer["X"], cancer["y"], check=relative)
    assert reg.evidence.list("rec/1.1") == []


def test_labels_that_differ_from_the_champions_are_refused(reg: Registry, cancer: dict[str, Any]) -> None:
    X, y = cancer["X"], cancer["y"]
    reg.golden.score("rec/1.1", "golden-bins", cancer["good"], X, y, check=CHECK)
    reg.versions.register("rec/1.1", "model", "2.0.0")
    shuffled = X.sample(frac=1.0, random_state=1)
    with pytest.raises(BadInput, match=r"not the ones model 1\.0\.0 was scored on"):
        reg.golden.score(
            "rec/1.1", "golden-bins", cancer["good"], shuffled, y.loc[shuffled.index], check=CHECK
        )
    assert len(reg.golden.history("rec/1.1")) == 1


def test_an_earlier_model_version_can_be_scored_and_its_evidence_is_stale(
    reg: Registry, cancer: dict[str, Any]
) -> None:
    reg.versions.register("rec/1.1", "model", "2.0.0")
    result = reg.golden.score(
        "rec/1.1", "golden-bins", cancer["good"], cancer["X"], cancer["y"], check=CHECK, model_version="1.0.0"
    )
    assert result.status == "pass"
    assert reg.evidence.list("rec/1.1")[-1].versions == {"model": "1.0.0"}
    status, reason = gate(reg)  # the current model, 2.0.0, has no score: 1.0.0's is stale
    assert status == "stale" and reason.endswith("it was computed on model 1.0.0, now model 2.0.0")


def test_outputs_too_large_to_keep_record_nothing_not_even_the_evidence(
    reg: Registry, cancer: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mltrl.service import checks_storage

    monkeypatch.setattr(checks_storage, "MAX_OUTPUT_BYTES", 64)  # the real limit is 32 MiB
    with pytest.raises(BadInput, match=r"the per-row outputs take \d+ bytes compressed, more than"):
        reg.golden.score("rec/1.1", "golden-bins", cancer["good"], cancer["X"], cancer["y"], check=CHECK)
    assert reg.evidence.list("rec/1.1") == [] and reg.golden.history("rec/1.1") == []
