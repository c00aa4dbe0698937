"""Critical scenarios in YAML, ranked by the risk table, recorded per requirement; the gate computes
L7.critical-scenarios and L7.data-validation from labelled evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mltrl.checks import DataValidationCheck, record
from mltrl.checks.scenarios import Scenario, ScenarioSuite, by_requirement, record_scenarios
from mltrl.errors import BadInput
from mltrl.service.registry import Registry

pytestmark = pytest.mark.usefixtures("lenient_entry")

SUITE = """
metric: accuracy
minimum: 0.8
min_rows: 20
scenarios:
  - name: small tumours
    where: "`mean radius` < 12"
    requirement: "2"
  - name: large tumours
    kind: scenario
    where: "`mean radius` >= 17 and `mean texture` > 15"
    requirement: "1"
  - name: very rough surfaces
    where: "`worst smoothness` > 0.16"
    requirement: "1"
    min_rows: 40
  - name: everyone
    where: "`mean radius` > 0"
"""


@pytest.fixture
def suite_file(tmp_path: Path) -> Path:
    path = tmp_path / "scenarios.yaml"
    path.write_text(SUITE)
    return path


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("onc", "Oncology", rd_owner="M. Chen")
    registry.components.add(
        "onc/1.1", "Classifier", kind="model", level=7, owner="M. Chen", reason="migrated"
    )
    registry.versions.register("onc/1.1", "model", "1.0.0")
    common = {"kind": "product", "category": "technical", "components": ["onc/1.1"]}
    registry.requirements.add(
        "onc", "1", "The classifier shall be accurate on large, irregular tumours",
        p_failure=0.5, value=9, scenarios=["large tumours"], slices=["very rough surfaces"], **common,
    )  # fmt: skip
    registry.requirements.add(
        "onc", "2", "The classifier shall be accurate on small tumours",
        p_failure=0.2, value=5, slices=["small tumours"], **common,
    )  # fmt: skip
    return registry


def criterion(reg: Registry, criterion_id: str) -> tuple[str, str]:
    gate = reg.components.gate("onc/1.1", 7)
    found = next(c for c in gate.criteria if c.id == criterion_id)
    return found.status, found.reason


def test_a_yaml_suite_runs_ranked_by_requirement_risk(
    reg: Registry, suite_file: Path, cancer: dict[str, Any]
) -> None:
    suite = ScenarioSuite.from_yaml(suite_file).ranked_by(reg.requirements.list("onc"))
    result = suite.run(cancer["good"], cancer["X"], cancer["y"])
    order = [(row["slice"], row["requirement"], row["risk"], row["rank"]) for row in result.details]
    assert order == [
        ("large tumours", "1", 4.5, 1),
        ("very rough surfaces", "1", 4.5, 2),
        ("small tumours", "2", 1.0, 3),
        ("everyone", None, None, 4),
    ]
    rows = {row["slice"]: row for row in result.details}
    assert rows["very rough surfaces"]["status"] == "insufficient"  # fewer than its own 40 rows
    assert rows["large tumours"]["kind"] == "scenario" and rows["everyone"]["status"] == "pass"
    assert result.status == "insufficient"
    assert result.labels == {"requirements": "1,2"}
    low, high = result.intervals["accuracy[small tumours]"]
    assert low <= result.metrics["accuracy[small tumours]"] <= high
    parts = by_requirement(result)
    assert {code: part.status for code, part in parts.items()} == {"1": "insufficient", "2": "pass"}
    assert parts["2"].labels == {"requirements": "2"} and parts["2"].metrics["risk"] == 1.0


def test_the_gate_asks_every_requirement_naming_scenarios_for_a_passing_test(
    reg: Registry, suite_file: Path, cancer: dict[str, Any]
) -> None:
    assert criterion(reg, "L7.critical-scenarios") == (
        "unmet",
        "no scenario test for 1 (risk 4.5), 2 (risk 1)",
    )
    suite = ScenarioSuite.from_yaml(suite_file).ranked_by(reg.requirements.list("onc"))
    result = suite.run(cancer["good"], cancer["X"], cancer["y"])
    recorded = record_scenarios(reg, "onc/1.1", result)
    assert [(e.outcome, e.metrics["requirements"]) for e in recorded] == [("fail", "1"), ("pass", "2")]
    status, reason = criterion(reg, "L7.critical-scenarios")
    assert status == "unmet" and reason == f"1 (risk 4.5): evidence {recorded[0].id} failed"
    # Enough rows for the rough-surface slice: the high-risk requirement now has its passing test.
    relaxed = ScenarioSuite.from_yaml(suite_file).ranked_by(reg.requirements.list("onc"))
    relaxed = ScenarioSuite(
        [Scenario(s.name, s.where, s.requirement, None, s.kind) for s in relaxed.scenarios],
        metric="accuracy", minimum=0.8, min_rows=10, risks=relaxed.risks,
    )  # fmt: skip
    record_scenarios(reg, "onc/1.1", relaxed.run(cancer["good"], cancer["X"], cancer["y"]))
    status, reason = criterion(reg, "L7.critical-scenarios")
    assert status == "met" and reason.startswith(
        "2 requirement(s) at risk 0 or more tested, highest first: 1"
    )
    reg.versions.register("onc/1.1", "model", "1.1.0")
    assert criterion(reg, "L7.critical-scenarios")[0] == "stale"


def test_the_policy_threshold_leaves_low_risk_requirements_out(
    reg: Registry, db_url: str, tmp_path: Path, suite_file: Path, cancer: dict[str, Any]
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nsettings:\n  critical_scenario_risk: 2\n")
    strict = Registry.open(db_url, actor="tester", policy=policy)
    suite = ScenarioSuite.from_yaml(suite_file, min_rows=10).ranked_by(reg.requirements.list("onc"))
    only_small = by_requirement(suite.run(cancer["good"], cancer["X"], cancer["y"]))["2"]
    record(reg, "onc/1.1", "L7.critical-scenarios", only_small)
    assert strict.components.gate("onc/1.1", 7).criteria  # opens
    found = next(c for c in strict.components.gate("onc/1.1", 7).criteria if c.id == "L7.critical-scenarios")
    assert (found.status, found.reason) == ("unmet", "no scenario test for 1 (risk 4.5)")
    strict.close()


def test_data_validation_needs_both_stages_on_current_versions(reg: Registry, cancer: dict[str, Any]) -> None:
    frame: pd.DataFrame = cancer["X"]
    check = DataValidationCheck.infer(frame)
    assert criterion(reg, "L7.data-validation")[1].startswith(
        "no data-validation result at ingestion and processed"
    )
    reg.evidence.record("onc/1.1", "L7.data-validation", kind="data-check", outcome="pass")  # typed in
    assert criterion(reg, "L7.data-validation")[0] == "unmet"
    first = record(reg, "onc/1.1", "L7.data-validation", check.run(frame, stage="ingestion"))
    assert criterion(reg, "L7.data-validation") == (
        "unmet",
        "no data-validation result at processed (mltrl.checks.DataValidationCheck)",
    )
    bad = frame.assign(**{"mean radius": -1.0})
    failed = record(reg, "onc/1.1", "L7.data-validation", check.run(bad, stage="processed"))
    assert criterion(reg, "L7.data-validation") == ("unmet", f"processed: evidence {failed.id} failed")
    second = record(reg, "onc/1.1", "L7.data-validation", check.run(frame, stage="processed"))
    assert criterion(reg, "L7.data-validation") == (
        "met",
        f"data validated at both stages: ingestion: evidence {first.id}; processed: evidence {second.id}",
    )
    reg.versions.register("onc/1.1", "data", "2.0.0")
    assert criterion(reg, "L7.data-validation")[0] == "stale"


def test_predicates_cannot_run_code(cancer: dict[str, Any]) -> None:
    for where, what in (
        ("__import__('os').system('true')", "uses Call"),
        ("`mean radius`.max > 1", "uses Attribute"),
        ("radius[0] > 1", "uses Subscript"),
        ("(lambda: 1)() > 0", "uses Call"),
        ("@limit > 1", "is not a valid expression"),
    ):
        with pytest.raises(BadInput, match=rf"scenarios: scenario 's': where .* {what}"):
            Scenario("s", where)
    suite = ScenarioSuite([Scenario("s", "radius > 1"), Scenario("t", "`mean radius` > 100")])
    with pytest.raises(
        BadInput,
        match=r"scenarios: scenario 's': where names columns that are not in X: radius",
    ):
        suite.run(cancer["good"], cancer["X"], cancer["y"])
    fine = ScenarioSuite([Scenario("s", "`mean radius` > 10")])
    with pytest.raises(BadInput, match=r"scenarios: model \(str\) has no predict method"):
        fine.run("not a model", cancer["X"], cancer["y"])
    with pytest.raises(BadInput, match=r"scenarios: y has 1 missing \(NaN/None\) labels"):
        fine.run(cancer["good"], cancer["X"], cancer["y"].astype(float).where(cancer["y"].index != 435))
    with pytest.raises(BadInput, match="scenarios: y has 3 labels for 228 rows of X"):
        fine.run(cancer["good"], cancer["X"], [0, 1, 0])
    only_empty = ScenarioSuite([Scenario("t", "`mean radius` > 100")])
    with pytest.raises(BadInput, match=r"scenarios: slice 't' matches no row of X"):
        only_empty.run(cancer["good"], cancer["X"], cancer["y"])


def test_bad_files_and_requirements_are_one_line(tmp_path: Path, suite_file: Path, reg: Registry) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("scenarios:\n  - name: a\n    where: x > 1\n    requirment: '1'\n")
    with pytest.raises(BadInput, match=r"bad.yaml: scenarios: entry 1 \('a'\): unknown key\(s\) requirment"):
        ScenarioSuite.from_yaml(path)
    path.write_text("scenarios:\n  - name: a\n    where: x > 1\n  - name: a\n    where: x < 1\n")
    with pytest.raises(BadInput, match=r"bad\.yaml: scenarios: scenario names repeat: a"):
        ScenarioSuite.from_yaml(path)
    path.write_text("metric: accuracy\n")
    with pytest.raises(BadInput, match=r"bad\.yaml: scenarios: the file needs a 'scenarios' list"):
        ScenarioSuite.from_yaml(path)
    suite = ScenarioSuite.from_yaml(suite_file)
    with pytest.raises(BadInput, match="scenarios name requirements that are not in the risk table: 2"):
        suite.ranked_by({"1": 4.5})


def test_same_inputs_and_seed_give_bit_identical_results(suite_file: Path, cancer: dict[str, Any]) -> None:
    suite = ScenarioSuite.from_yaml(suite_file, metric="f1", n_boot=200, seed=3)
    runs = [suite.run(cancer["good"], cancer["X"], cancer["y"]).to_json() for _ in range(2)]
    assert runs[0] == runs[1]
