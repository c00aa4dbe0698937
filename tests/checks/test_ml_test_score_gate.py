"""``L7.ml-test-score`` holds the computed score against the policy, never a typed-in one; and
``mltrl score`` shows it item by item."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from score_harness import REF, TWO_EACH, attest, seed

from mltrl.cli import main
from mltrl.service.registry import Registry

pytestmark = pytest.mark.usefixtures("lenient_entry")


@pytest.fixture
def reg(registry: Registry) -> Registry:
    return seed(registry)


def gate_line(reg: Registry) -> tuple[str, str]:
    (c,) = [c for c in reg.components.gate(REF, 7).criteria if c.id == "L7.ml-test-score"]
    return c.status, c.reason


def test_nothing_recorded_the_gate_names_score_threshold_and_weakest_section(reg: Registry) -> None:
    status, reason = gate_line(reg)
    assert status == "unmet"
    assert reason == (
        "ML Test Score 0 against the policy's 2; weakest section data at 0 of 7 (0 automated, 0 by hand, "
        "7 scoring 0) (`mltrl score rec/1.1` shows each item)"
    )


def test_a_typed_in_score_no_longer_satisfies_the_gate(reg: Registry) -> None:
    for source in ("cli", "ci"):
        reg.evidence.record(
            REF,
            "L7.ml-test-score",
            kind="report",
            outcome="pass",
            metrics={"ml_test_score": 7},
            source=source,
        )
    status, reason = gate_line(reg)
    assert status == "unmet"
    assert "; the ml_test_score typed into evidence 2 is ignored: the score is computed" in reason


def test_the_computed_score_meets_the_default_threshold_and_a_policy_can_raise_it(
    reg: Registry, db_url: str, tmp_path: Path
) -> None:
    attest(reg, TWO_EACH)
    attest(reg, "D3", source="cli")
    status, reason = gate_line(reg)
    assert status == "met"
    assert reason == (
        "ML Test Score 2 against the policy's 2; weakest section model at 2 of 7 (2 automated, 0 by hand, "
        "5 scoring 0)"
    )
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nsettings: {ml_test_score_threshold: 2.5, entry_without_review_up_to: 9}\n")
    with Registry.open(db=db_url, policy=policy) as strict:
        assert gate_line(strict)[0] == "unmet"
        assert strict.components.gate(REF, 7).holds is False


def test_the_gate_goes_stale_when_only_stale_evidence_keeps_it_below(reg: Registry) -> None:
    attest(reg, TWO_EACH)
    reg.versions.register(REF, "model", "1.1.0")
    status, reason = gate_line(reg)
    assert status == "stale"
    assert reason.endswith("; stale evidence would give 2 on the current versions")
    attest(reg, TWO_EACH)  # the suites ran again on model 1.1.0
    assert gate_line(reg)[0] == "met"


def test_cli_score_table_csv_json(reg: Registry, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    attest(reg, TWO_EACH)
    assert main(["--db", db_url, "score", REF]) == 0
    table = capsys.readouterr().out
    assert "ML Test Score 2 (lowest section: data)" in table
    assert "it meets the policy's 2 for L7.ml-test-score" in table
    assert "sections: data 2, model 2, infrastructure 2, monitoring 2" in table
    assert "Mon7" in table and "nothing feeds it yet" in table
    assert main(["--db", db_url, "score", REF, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id,section,title,points,status,via" and len(lines) == 29
    assert lines[1].startswith("D1,data,") and ',1.0,automated,"marked D1: evidence 1 (ci, ' in lines[1]
    assert main(["--db", db_url, "score", REF, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["score"], data["threshold"], data["weakest"]) == (2.0, 2.0, "data")
    assert len(data["items"]) == 28 and data["items"][0]["feeds"][0]["kind"] == "criterion"


def test_cli_bad_input_is_one_line_exit_2_and_writes_nothing(
    reg: Registry, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "score", "rec/9.9"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "9.9" in err
    typo = [
        "evidence",
        "add",
        REF,
        "-k",
        "report",
        "-o",
        "pass",
        "-c",
        "L7.ml-test-score",
        "-m",
        "rubric=Mon8",
    ]
    assert main(["--db", db_url, *typo]) == 2
    assert "'Mon8' is not an ML Test Score test" in capsys.readouterr().err
    assert reg.evidence.list(REF) == []
