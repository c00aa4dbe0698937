"""The paper's rules through the command line, as a user meets them: entry reviews and --policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mltrl.cli import main
from mltrl.service.registry import Registry


@pytest.fixture
def db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MLTRL_ACTOR", "tester")
    with Registry.init(db=db_url) as reg:
        reg.projects.create("p", "Project")
    return db_url


def run(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", db, *argv])
    captured = capsys.readouterr()
    # Rich wraps long lines at the console width; the words are what a user reads.
    return code, " ".join(captured.out.split()), captured.err


def test_an_entry_review_from_the_command_line(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, db, "component", "add", "p/1", "--name", "Scorer", "--kind", "model", "--level", "6",
        "--reason", "vendor model", "--entry-review",
    )  # fmt: skip
    assert code == 0 and "waiting to enter at L6" in out and "review open p/1 --entry" in out
    code, out, _ = run(capsys, db, "review", "open", "p/1", "--entry")
    assert code == 0 and "opened entry review 1 of p/1: the level-5 gate, into level 6" in out
    code, out, _ = run(capsys, db, "review", "show", "1")
    assert "entry review into level 6 (the level-5 gate), open" in out
    code, out, _ = run(capsys, db, "status", "p", "--json")
    node = json.loads(out)["components"][0]
    assert (node["status"], node["provenance"]["start"]) == ("entering", "propose")
    code, _, err = run(capsys, db, "switchback", "p/1", "--to", "4", "--reason", "x")
    assert code == 2 and "has not entered yet" in err


def test_the_global_policy_option_reaches_write_commands(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(
        capsys,
        db,
        "component",
        "add",
        "p/3",
        "--name",
        "M",
        "--kind",
        "model",
        "--level",
        "3",
        "--reason",
        "r",
    )
    policy = tmp_path / "pol.yaml"
    legal = "{id: legal, name: Legal reviewer, required: true}"
    policy.write_text(f"version: 1\nlevels:\n  3:\n    add_roles:\n      - {legal}\n")
    events = Registry.open(db).counts()["events"]
    code, _, err = run(capsys, db, "--policy", str(tmp_path / "no-such.yaml"), "review", "open", "p/3")
    assert code == 2 and err.startswith("error:") and "no-such.yaml" in err
    assert Registry.open(db).counts()["events"] == events  # nothing written
    code, _, _ = run(capsys, db, "--policy", str(policy), "review", "open", "p/3")
    assert code == 0
    code, out, _ = run(capsys, db, "review", "show", "1", "--json")
    assert "legal" in {role["id"] for role in json.loads(out)["template"]["roles"]}


def test_review_due_exits_1_when_a_recurring_review_is_overdue(
    db: str, capsys: pytest.CaptureFixture[str], lenient_entry: Path
) -> None:
    run(capsys, db, "project", "create", "old", "--name", "Old", "--at", "2019-06-01T00:00:00Z")
    code, _, err = run(
        capsys, db, "component", "add", "old/9", "--name", "App", "--kind", "model", "--level", "9",
        "--reason", "legacy", "--at", "2020-01-01T00:00:00Z",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, db, "review", "due", "--json")
    assert code == 1 and "recurring review overdue: old/9" in err
    (row,) = json.loads(out)["components"]
    assert (row["component"], row["every_days"], row["overdue"]) == ("old/9", 90, True)
    run(capsys, db, "component", "cadence", "old/9", "--every", "30")
    code, out, _ = run(capsys, db, "status", "old")
    assert "review OVERDUE since 2020-01-31" in out
