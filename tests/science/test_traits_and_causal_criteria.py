"""Project traits turn on the catalogue's causal-inference criteria, and those criteria are met only by
the causal checks' results (balance, overlap, E-value) on the current versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from mltrl.checks import science_record
from mltrl.cli import main
from mltrl.demo.causal import records
from mltrl.errors import BadInput
from mltrl.service.registry import Registry

pytestmark = pytest.mark.usefixtures("lenient_entry")

CAUSAL_IDS = {"L0.causal-structure", "L0.identifiability", "L1.covariate-balance", "L1.overlap",
              "L2.causal-sensitivity", "L4.consistency"}  # fmt: skip


def gate_ids(reg: Registry, ref: str, level: int) -> dict[str, str]:
    return {c.id: c.status for c in reg.components.gate(ref, level).criteria}


def test_causal_criteria_apply_only_to_projects_with_the_trait(registry: Registry) -> None:
    registry.projects.create("dx", "Causal diagnosis", traits=["causal"])
    registry.projects.create("app", "Vision app")
    for key in ("dx", "app"):
        registry.components.add(f"{key}/1", "Model", kind="model", level=1, reason="earlier work")
    for level in (0, 1, 2, 4):
        assert set(gate_ids(registry, "dx/1", level)) & CAUSAL_IDS, level
        assert not set(gate_ids(registry, "app/1", level)) & CAUSAL_IDS, level
    review = registry.reviews.open("app/1")
    assert not {c.id for c in registry.reviews.get(review.id).template.criteria} & CAUSAL_IDS
    review = registry.reviews.open("dx/1")
    assert {"L1.covariate-balance", "L1.overlap"} <= {
        c.id for c in registry.reviews.get(review.id).template.criteria
    }


def test_a_trait_is_checked_against_the_catalogue_and_changes_are_logged(registry: Registry) -> None:
    with pytest.raises(BadInput, match="project trait 'casual' is not one the catalogue's criteria apply to"):
        registry.projects.create("dx", "Causal diagnosis", traits=["casual"])
    assert registry.projects.list() == []  # nothing written
    registry.projects.create("dx", "Causal diagnosis")
    assert registry.projects.set_traits("dx", add=["causal"]).traits == ["causal"]
    with pytest.raises(BadInput, match="has no trait 'other' to remove"):
        registry.projects.set_traits("dx", remove=["other"])
    assert registry.projects.set_traits("dx", remove=["causal"]).traits == []
    kinds = [e.kind for e in registry.history("dx")]
    assert kinds.count("project.traits") == 2


def test_a_trait_cannot_be_removed_once_work_climbs_under_its_criteria(
    registry: Registry, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Dropping `causal` would take its criteria out of the gates still ahead: a way around them."""
    registry.projects.create("dx", "Causal diagnosis", traits=["causal"])
    registry.components.add("dx/1", "Model", kind="model", level=0)
    registry.reviews.open("dx/1")  # the gate out of level 0, with the causal criteria in it
    with pytest.raises(BadInput, match=r"trait 'causal' cannot be removed.*dx/1 at level 0"):
        registry.projects.set_traits("dx", remove=["causal"])
    registry.components.add("dx/2", "Data", kind="data-pipeline", level=2, reason="earlier work")
    events = len(registry.history("dx"))
    code = main(["--db", db_url, "--actor", "t", "project", "traits", "dx", "--remove", "causal"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "dx/2 at level 2" in err
    assert registry.projects.get("dx").traits == ["causal"] and len(registry.history("dx")) == events
    assert registry.projects.set_traits("dx", add=["causal"]).traits == ["causal"]  # adding stays open
    assert {"L2.causal-sensitivity"} <= set(gate_ids(registry, "dx/2", 2))


def test_a_fork_keeps_its_parents_traits(registry: Registry) -> None:
    registry.projects.create("dx", "Causal diagnosis", traits=["causal"])
    registry.components.add("dx/1", "Model", kind="model", level=2, reason="earlier work")
    child = registry.projects.fork("dx", "dx2", reason="both paths")
    assert child.traits == ["causal"]


def test_covariate_balance_is_met_only_by_the_checks_result_on_current_versions(registry: Registry) -> None:
    registry.projects.create("dx", "Causal diagnosis", traits=["causal"])
    registry.components.add("dx/1", "Model", kind="model", level=1, reason="earlier work")
    registry.versions.register("dx/1", "model", "1.0.0")
    assert gate_ids(registry, "dx/1", 1)["L1.covariate-balance"] == "unmet"
    registry.evidence.record("dx/1", "L1.covariate-balance", kind="test-run", outcome="pass", note="trust me")
    status = registry.components.gate("dx/1", 1).criteria
    typed = next(c for c in status if c.id == "L1.covariate-balance")
    assert typed.status == "unmet" and "not a result of the check" in typed.reason
    data = records()
    result, evidence = science_record.causal(registry, "dx/1", "balance", data=data, treatment="treated")
    assert (
        result.status == "pass" and evidence is not None and evidence.criterion_id == "L1.covariate-balance"
    )
    science_record.causal(registry, "dx/1", "overlap", data=data, treatment="treated")
    statuses = gate_ids(registry, "dx/1", 1)
    assert statuses["L1.covariate-balance"] == "met" and statuses["L1.overlap"] == "met"
    registry.versions.register("dx/1", "model", "1.1.0")
    assert gate_ids(registry, "dx/1", 1)["L1.covariate-balance"] == "stale"
    # Confounding left unadjusted: balance judged on the raw covariates of a strongly confounded
    # treatment fails, and the latest result decides.
    science_record.causal(registry, "dx/1", "balance", data=data, treatment="treated", threshold=0.001)
    assert gate_ids(registry, "dx/1", 1)["L1.covariate-balance"] == "unmet"


def test_the_cli_records_an_e_value_and_refuses_bad_input_writing_nothing(
    registry: Registry, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.projects.create("dx", "Causal diagnosis", traits=["causal"])
    registry.components.add("dx/1", "Model", kind="model", level=2, reason="earlier work")
    run = lambda *argv: main(["--db", db_url, "--actor", "ci", *argv])  # noqa: E731
    assert run("check", "e-value", "dx/1", "--risk-ratio", "1.4", "1.1", "1.8") == 1  # not robust
    assert "e-value check: fail" in capsys.readouterr().out
    assert gate_ids(registry, "dx/1", 2)["L2.causal-sensitivity"] == "unmet"
    assert run("check", "e-value", "dx/1", "--risk-ratio", "3", "2.4", "3.8") == 0
    assert gate_ids(registry, "dx/1", 2)["L2.causal-sensitivity"] == "met"
    before = len(registry.evidence.list("dx/1"))
    assert run("check", "e-value", "dx/1", "--risk-ratio", "3", "3.5", "3.8") == 2  # interval misses it
    assert "does not contain the estimate" in capsys.readouterr().err
    records().drop(columns="treated").to_csv(tmp_path / "r.csv", index=False)
    assert run("check", "balance", "dx/1", "--data", str(tmp_path / "r.csv"), "--treatment", "treated") == 2
    assert "no treatment column 'treated'" in capsys.readouterr().err
    assert run("check", "overlap", "dx/1", "--data", str(tmp_path / "none.csv"), "--treatment", "t") == 2
    assert len(registry.evidence.list("dx/1")) == before
