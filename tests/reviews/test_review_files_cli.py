"""The command line of review files: review open --file/--from, review template, ethics template."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from mltrl.catalog import load_catalog
from mltrl.cli import main
from mltrl.service.registry import Registry

# A component at level 4 with a reason alone; entry reviews have their own test below.
pytestmark = pytest.mark.usefixtures("lenient_entry")

QUESTIONS = {q.id: q.text for q in load_catalog().ethics.questions}


@pytest.fixture
def url(registry: Registry, db_url: str) -> str:
    registry.projects.create("np", "Neuropathology copilot", rd_owner="A. Lavin")
    registry.components.add("np/1.1", "Model", kind="model", level=4, owner="A. Lavin", reason="before")
    registry.datasets.add("np", "pilot", "Pilot", kind="real")
    registry.datasets.link("pilot", "np/1.1", "train")
    return db_url


def run(url: str, *argv: str) -> int:
    return main(["--db", url, "--actor", "cli-test", *argv])


def show(url: str, review: int, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    capsys.readouterr()
    assert run(url, "review", "show", str(review), "--json") == 0
    return json.loads(capsys.readouterr().out)


def said(capsys: pytest.CaptureFixture[str]) -> str:
    """What a command printed, as words (a terminal may wrap the lines)."""
    return " ".join(capsys.readouterr().out.split())


def counts(url: str) -> tuple[dict[str, int], int]:
    with Registry.open(db=url) as reg:
        return reg.counts(), len(reg.reviews.list())


def fill(template: str, answers: dict[str, str]) -> str:
    """Write answers after their ids, as a person editing the template would; comments stay."""
    for key, answer in answers.items():
        template = re.sub(
            rf"^(\s*){re.escape(key)}:$", rf"\g<1>{key}: {answer}", template, count=1, flags=re.M
        )
    return template


def test_the_review_template_filled_in_graduates_in_one_command(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "review.yaml"
    assert run(url, "review", "template", "np/1.1", "-o", str(path)) == 0
    skeleton = path.read_text()
    data = yaml.safe_load(skeleton)
    catalog = load_catalog()
    level = catalog.level(4)
    assert (data["gate"], data["entry"]) == (4, False)
    assert list(data["panel"]) == [r.id for r in level.panel_roles]
    # Criteria for projects of a trait np lacks (the causal ones) are left out.
    assert list(data["results"]) == [c.id for c in level.criteria if not c.applies_to]
    assert "L4.consistency" not in data["results"]
    assert list(data["ethics"]) == list(QUESTIONS)
    assert list(data["key_decisions"]) == ["continue-or-pause"]
    assert all(
        value is None for section in ("panel", "results", "ethics") for value in data[section].values()
    )
    # The words are in the comments: each criterion's text and kind, the options, the roles' names.
    assert "# Real, representative data of the use case" in skeleton
    assert "# evidence: mltrl computes it from the registry (it cannot be waived)" in skeleton
    assert "continue | pause" in skeleton and "# Product manager (required)" in skeleton
    # Filled in, it records and decides the review in one command.
    people = {
        "research-lead": "G. Renard",
        "applied-ai": "A. Lavin",
        "software-engineering": "J. Novak",
        "product-manager": "L. Duarte",
    }
    results = {c.id: "met" for c in level.criteria if c.kind == "attestation" and not c.applies_to}
    answers = {**people, **results, **dict.fromkeys(QUESTIONS, "yes"), "continue-or-pause": "continue"}
    signatures = "".join(f"  {person}: approve\n" for person in people.values())
    filled = fill(skeleton, answers).replace("signatures:\n", f"signatures:\n{signatures}")
    path.write_text(filled.replace("decision:\n", "decision: graduate\n"))
    assert run(url, "review", "open", "np/1.1", "--file", str(path)) == 0
    assert said(capsys).endswith(
        "review 1 decided: graduated to level 5; np/1.1 is at L5 prototyping (active)"
    )
    assert show(url, 1, capsys)["ethics"][0]["answer"] == "yes"
    # -o does not replace a file a person may have filled in, unless told to.
    assert run(url, "review", "template", "np/1.1", "-o", str(path)) == 2
    assert capsys.readouterr().err == (
        f"error: {path}: exists (it may hold answers already); choose another file or add --force\n"
    )
    assert run(url, "review", "template", "np/1.1", "-o", str(path), "--force") == 0
    assert yaml.safe_load(path.read_text())["gate"] == 5  # the next gate now


def test_an_unfilled_template_opens_an_empty_review(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "review.yaml"
    assert run(url, "review", "template", "np/1.1", "-o", str(path)) == 0
    assert run(url, "review", "open", "np/1.1", "--file", str(path)) == 0
    assert "recorded: nothing" in capsys.readouterr().out
    opened = show(url, 1, capsys)
    assert (opened["status"], opened["panel"], opened["results"], opened["ethics"]) == ("open", [], [], [])


def test_review_open_file_and_from_print_what_they_did(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "review.yaml"
    first.write_text(
        "gate: 4\n"
        "panel:\n  research-lead: G. Renard\n  applied-ai: A. Lavin\n  software-engineering: J. Novak\n"
        "  product-manager: L. Duarte\n"
        "results:\n  L4.applied-metrics: {result: unmet, note: recall 0.7 on the pilot}\n"
        "ethics:\n"
        + "".join(f"  {q}: discussed\n" for q in QUESTIONS)
        + "key_decisions:\n  continue-or-pause: continue\n"
        "signatures:\n  G. Renard: approve\n  A. Lavin: approve\n  J. Novak: approve\n"
        "  L. Duarte: {verdict: request-changes, tasks: ['raise recall => >= 0.9']}\n"
        "decision: tasks\nreason: recall first\n"
    )
    assert run(url, "review", "open", "np/1.1", "--file", str(first)) == 0
    assert said(capsys) == (
        f"opened review 1 of np/1.1 at the level-4 gate from {first} "
        "recorded: 4 panel member(s), 1 result(s), 26 ethics answer(s), 1 key decision(s), 4 signature(s) "
        "review 1 decided: tasks required; np/1.1 is at L4 prototyping (active)"
    )
    assert show(url, 1, capsys)["signatures"][-1]["tasks"] == [{"task": "raise recall", "target": ">= 0.9"}]
    assert run(url, "review", "open", "np/1.1", "--from", "1") == 0
    assert said(capsys).startswith(
        "opened review 2 of np/1.1 at the level-4 gate from review 1 "
        "recorded: 4 panel member(s), 26 ethics answer(s) next:"
    )
    second = show(url, 2, capsys)
    assert [p["person"] for p in second["panel"]] == ["G. Renard", "A. Lavin", "J. Novak", "L. Duarte"]
    assert second["results"] == [] and second["signatures"] == []


def test_a_bad_review_file_is_one_line_and_writes_nothing(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = counts(url)
    for text, error in (
        ("results:\n  L4.real-data: done\n", "results.L4.real-data.result: Input should be 'met', 'unmet'"),
        ("signature:\n  X: approve\n", "unknown key 'signature'"),
        ("panel:\n  research-lead: R\nsignatures:\n  Q: approve\n", "signatures.Q: Q is not on the panel"),
        ("panel: [a, b\n", "not valid YAML"),
    ):
        path = tmp_path / "review.yaml"
        path.write_text(text)
        assert run(url, "review", "open", "np/1.1", "--file", str(path)) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {path}: ") and error in err and err.count("\n") == 1, err
    assert run(url, "review", "open", "np/1.1", "--from", "7") == 2
    assert capsys.readouterr().err == "error: no review 7 to start from (see `mltrl review list`)\n"
    assert counts(url) == before


def test_the_ethics_template_round_trips_through_review_ethics(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(url, "ethics", "template") == 0
    printed = capsys.readouterr().out
    path = tmp_path / "ethics.yaml"
    assert run(url, "ethics", "template", "-o", str(path)) == 0
    assert path.read_text() == printed
    assert yaml.safe_load(printed) == dict.fromkeys(QUESTIONS)  # every id, each answer empty
    for text in QUESTIONS.values():  # and each question's words beside it (wrapped as comments)
        assert " ".join(text.split()) in " ".join(
            line.removeprefix("# ") for line in printed.splitlines() if line.startswith("#")
        )
    assert run(url, "review", "open", "np/1.1") == 0
    # Empty as written: nothing to record, said in one line.
    assert run(url, "review", "ethics", "1", "--file", str(path)) == 2
    assert "every answer is empty" in capsys.readouterr().err
    # Half filled in: what is answered is recorded ("no" stays the word), the rest stays unanswered.
    path.write_text(fill(printed, {"pre.harm": "no", "pre.misuse": "|\n  Two paragraphs.\n\n  Second."}))
    assert run(url, "review", "ethics", "1", "--file", str(path)) == 0
    answers = {row["question_id"]: row["answer"] for row in show(url, 1, capsys)["ethics"]}
    assert answers == {"pre.harm": "no", "pre.misuse": "Two paragraphs.\n\nSecond."}
    # Filled in whole, it completes the checklist.
    path.write_text(fill(printed, dict.fromkeys(QUESTIONS, "discussed")))
    assert run(url, "review", "ethics", "1", "--file", str(path)) == 0
    view = show(url, 1, capsys)
    assert len(view["ethics"]) == len(QUESTIONS)
    assert not [b for b in view["blockers"] if "ethics checklist" in b]
    # The checklist itself still prints, and -o does not replace a file without --force.
    assert run(url, "ethics", "--json") == 0
    assert [q["id"] for s in json.loads(capsys.readouterr().out)["sections"] for q in s["questions"]] == list(
        QUESTIONS
    )
    assert run(url, "ethics", "template", "-o", str(path)) == 2
    assert run(url, "ethics", "template", "-o", str(path), "--force") == 0
    assert path.read_text() == printed


def test_the_review_template_of_a_component_waiting_to_enter(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLTRL_POLICY")  # the shipped rule: above level 3 a component enters by review
    assert run(url, "component", "add", "np/2", "--name", "Vendor", "--kind", "model", "--level", "7",
               "--reason", "vendor", "--entry-review") == 0  # fmt: skip
    capsys.readouterr()
    assert run(url, "review", "template", "np/2") == 0
    skeleton = capsys.readouterr().out
    data = yaml.safe_load(skeleton)
    assert (data["gate"], data["entry"]) == (6, True)
    assert "the entry review into level 7" in skeleton and "# The decision (graduate | tasks)" in skeleton
    assert list(data["results"]) == [c.id for c in load_catalog().level(6).criteria]
    assert run(url, "retire", "np/2", "--reason", "not bought") == 0
    assert run(url, "review", "template", "np/2") == 2
    assert "only an active component can be reviewed" in capsys.readouterr().err
