"""The ML Test Score computed from the registry: automated 1, by hand 0.5, stale and failing 0, the
lowest section the score (the gate and the CLI: test_ml_test_score_gate.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from score_harness import REF, TWO_EACH, attest, items, seed

from mltrl._plugin_record import RUBRIC_IDS
from mltrl.catalog import load_catalog
from mltrl.catalog.rubric import rubric
from mltrl.checks import DataValidationCheck, GoldenCheck, record
from mltrl.errors import BadInput
from mltrl.service.registry import Registry

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.usefixtures("lenient_entry")


@pytest.fixture
def reg(registry: Registry) -> Registry:
    return seed(registry)


def test_the_shipped_rubric_has_the_papers_28_tests_and_the_plugin_accepts_them() -> None:
    book = rubric()
    assert [s.id for s in book.sections] == ["data", "model", "infrastructure", "monitoring"]
    assert all(len(s.items) == 7 for s in book.sections)
    assert book.item_ids == RUBRIC_IDS  # the ids a pytest marker's rubric= may name
    known = {c.id for level in load_catalog().levels for c in level.criteria}
    named = {c for s in book.sections for i in s.items for c in i.criteria}
    assert named <= known
    checks = {c.partition("@")[0] for s in book.sections for i in s.items for c in i.checks}
    assert checks <= {
        "golden",
        "slices",
        "metamorphic",
        "data-validation",
        "calibration",
        "coverage",
        "latency",
        "scenarios",
        "shadow",
        "canary",
        "ab-test",
        "fairness",
    }
    assert book.band(0).startswith("a research project")
    assert book.band(1).startswith("not untested")  # an upper bound belongs to its band
    assert book.band(2.5).startswith("reasonably tested")
    assert book.band(7).startswith("exceptional")


def test_nothing_recorded_scores_zero_in_the_lowest_band(reg: Registry) -> None:
    score = reg.components.score(REF)
    assert score.score == 0 and len(score.items) == 28
    assert {i.status for i in score.items} == {"none"}
    assert {i.via for i in score.items} == {"nothing feeds it yet"}
    assert score.band == "a research project more than a production system"


def test_automated_items_count_one_by_hand_half_and_the_lowest_section_decides(reg: Registry) -> None:
    attest(reg, TWO_EACH)
    attest(reg, "D3 D4", source="cli")
    score = reg.components.score(REF)
    assert [(s.id, s.points, s.automated, s.by_hand) for s in score.sections] == [
        ("data", 3.0, 2, 2),
        ("model", 2.0, 2, 0),
        ("infrastructure", 2.0, 2, 0),
        ("monitoring", 2.0, 2, 0),
    ]
    assert score.score == 2.0 and score.weakest.id == "model"
    assert score.band.startswith("a first pass at productionization")
    assert items(reg)["D1"] == (1.0, "automated") and items(reg)["D3"] == (0.5, "by-hand")
    assert {i.id: i.via for i in score.items}["D3"].startswith("marked D3: evidence 2 (cli, ")


def test_a_check_result_recorded_through_the_api_is_automated_typed_evidence_is_by_hand(
    reg: Registry, cancer: dict
) -> None:
    result = GoldenCheck(minimum=0.9, n_boot=200).run(cancer["good"], cancer["X"], cancer["y"])
    assert result.status == "pass"
    record(reg, REF, "L7.golden-dataset", result)
    reg.evidence.record(REF, "L7.data-validation", kind="data-check", outcome="pass")  # no check result
    score = {i.id: i for i in reg.components.score(REF).items}
    assert (score["I4"].points, score["I4"].status) == (1.0, "automated")
    assert score["I4"].via.startswith("criterion L7.golden-dataset: evidence 1 (api, ")
    golden = [f for f in score["I4"].feeds if f.kind == "check" and f.name == "golden"]
    assert golden[0].status == "automated"
    assert (score["D1"].points, score["D7"].status) == (0.5, "by-hand")


def test_data_validation_at_ingestion_feeds_the_schema_item_after_processing_the_feature_code_item(
    reg: Registry,
) -> None:
    # Recorded against a V&V step, not L7.data-validation (which feeds both items by itself).
    reg.requirements.add(
        "rec", "1", "The sorter shall read clean camera features", kind="product", category="technical",
        p_failure=0.1, value=5, components=[REF],
    )  # fmt: skip
    reg.requirements.add_step("rec", "1", "verification", "features validated", method="test")
    table = pd.DataFrame({"weight": [1.0, 2.0, 3.0], "colour": ["red", "blue", "red"]})
    check = DataValidationCheck.infer(table)
    record(reg, REF, None, check.run(table, stage="ingestion"), requirement="1", step=1)
    assert items(reg)["D1"] == (1.0, "automated") and items(reg)["D7"] == (0.0, "none")
    record(reg, REF, None, check.run(table, stage="processed"), requirement="1", step=1)
    assert items(reg)["D7"] == (1.0, "automated")


def test_evidence_typed_in_as_if_from_pytest_counts_as_by_hand(reg: Registry) -> None:
    # The plugin always attaches its provenance file; a person who types --source pytest does not.
    reg.evidence.record(REF, "L7.data-validation", kind="data-check", outcome="pass", source="pytest")
    assert items(reg)["D1"] == (0.5, "by-hand")


def test_stale_evidence_is_shown_not_counted(reg: Registry) -> None:
    attest(reg, TWO_EACH)
    reg.versions.register(REF, "model", "1.1.0")
    score = reg.components.score(REF)
    assert score.score == 0 and score.score_if_fresh == 2.0
    assert items(reg)["D1"] == (0.0, "stale")
    assert {i.id: i.via for i in score.items}["D1"].endswith("is stale")


def test_the_latest_evidence_decides_and_a_failing_one_scores_nothing(reg: Registry) -> None:
    attest(reg, "D1")
    attest(reg, "D1", outcome="fail")
    assert items(reg)["D1"] == (0.0, "failing")


def test_a_reviews_met_on_an_attestation_criterion_counts_half(reg: Registry) -> None:
    review = reg.reviews.open(REF)
    reg.reviews.record_result(review.id, "L7.data-governance", "met", "QA audits the data access")
    # L7.critical-scenarios is an evidence criterion: a reviewer's "met" backs it no more than the gate.
    reg.reviews.record_result(review.id, "L7.critical-scenarios", "met", "slices by the risk table reviewed")
    score = items(reg)
    assert score["D4"] == score["D5"] == (0.5, "by-hand")
    assert {i.id: i.via for i in reg.components.score(REF).items}[
        "D4"
    ] == "criterion L7.data-governance: review 1 attests it"
    assert score["M6"] == (0.0, "none")


def test_live_monitors_feed_the_model_and_monitoring_sections(reg: Registry) -> None:
    frame = pd.DataFrame({"weight": [1.0, 2.0, 3.0, 4.0], "colour": ["a", "b", "a", "b"]})
    assert items(reg)["Mon2"] == (0.0, "none")
    reg.monitor.log(REF, frame)  # serving windows alone: nothing to compare them with
    assert items(reg)["Mon3"] == (0.0, "none")
    reg.monitor.set_reference(REF, frame)
    reg.monitor.log(REF, frame)
    reg.predictions.log(REF, pd.DataFrame({"id": ["1", "2"], "prediction": ["can", "bottle"]}))
    reg.actuals.log(REF, pd.DataFrame({"id": ["1", "2"], "actual": ["can", "can"]}))
    score = items(reg)
    assert score["Mon2"] == score["Mon3"] == score["M2"] == score["Mon7"] == (1.0, "automated")


def test_the_pytest_plugin_feeds_marked_items_criteria_and_checks(
    pytester: pytest.Pytester, reg: Registry, db_url: str
) -> None:
    pytester.makepyfile(
        """
        import pytest

        class Slices:
            def to_json(self):
                return {"check": "slices", "status": "pass", "metrics": {"accuracy": 0.9}, "n": 300}

        @pytest.mark.mltrl(component="rec/1.1", criterion="L7.golden-dataset", rubric=["I1", "I2"])
        def test_golden(mltrl_evidence):
            mltrl_evidence.result(Slices())
        """
    )
    pytester.runpytest("-p", "no:cacheprovider", "--mltrl-db", db_url, "--mltrl").assert_outcomes(passed=1)
    score = {i.id: i for i in reg.components.score(REF).items}
    for item in ("I1", "I2", "I4", "M6", "M7"):
        assert (score[item].points, score[item].status) == (1.0, "automated"), item
    assert score["I1"].via.startswith("marked I1: evidence 1 (pytest, ")
    assert score["M6"].via.startswith("check slices: evidence 1 (pytest, ")


def test_a_misspelt_rubric_id_is_refused_and_nothing_is_recorded(reg: Registry) -> None:
    before = reg.counts()
    with pytest.raises(BadInput, match=r"metric rubric: 'D9' is not an ML Test Score test"):
        attest(reg, "D1,D9")
    with pytest.raises(BadInput, match=r"metric rubric must name ML Test Score items"):
        attest(reg, " , ")
    assert reg.counts() == before
