"""docs/reviews.md's walkthrough runs as written, then a second review graduates the detector."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from mltrl.catalog import load_catalog
from mltrl.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "reviews.md"


def _commands(section: str) -> list[list[str]]:
    text = DOC.read_text().split(section, 1)[1]
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, f"docs/reviews.md lost the block after {section!r}"
    return [shlex.split(line, comments=True)[1:] for line in block.group(1).splitlines() if line.strip()]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(argv)
    out = capsys.readouterr()
    assert code == 0, f"`mltrl {' '.join(argv)}` exited {code}: {out.err}"
    return out.out


def test_the_documented_review_ends_in_tasks_and_a_second_review_graduates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLTRL_DATABASE_URL", raising=False)
    answers = {q.id: "discussed and recorded" for q in load_catalog().ethics.questions}
    (tmp_path / "answers.yaml").write_text(yaml.safe_dump(answers))
    walkthrough = _commands("## A review from start to finish")
    for argv in walkthrough:
        _run(argv, capsys)

    first = json.loads(_run(["review", "show", "1", "--json"], capsys))
    assert first["status"] == "decided" and first["decision"] == "tasks"
    assert first["signatures"][-1]["tasks"] == [{"task": "test on outdoor photos", "target": "mAP >= 0.75"}]
    assert first["debrief"] == "lighting was not in the test plan"

    # The second review: the same steps on review 2, this time everyone approves.
    for argv in walkthrough:
        if argv[:1] == ["review"] and len(argv) > 2 and argv[2] == "1" and argv[1] not in ("show", "decide"):
            argv = [argv[0], argv[1], "2", *argv[3:]]
            if argv[1] == "sign" and "--request-changes" in argv:
                argv = [*argv[:5], "--approve"]
            _run(argv, capsys)
    assert json.loads(_run(["review", "show", "2", "--json"], capsys))["blockers"] == []
    _run(["review", "decide", "2", "graduate", "--reason", "outdoor mAP 0.78"], capsys)
    status = json.loads(_run(["status", "vision", "--json"], capsys))
    assert status["system_level"] == 5

    # The documented import is history only: the detector has reviews here, so it is refused.
    assert main(_commands("## Importing history")[0]) == 2
    assert capsys.readouterr().err == (
        "error: vision/1.1: import-graduation loads history from before the registry, but vision/1.1 "
        "already has review 1 recorded here; it climbs through gated reviews: "
        "`mltrl review open vision/1.1`\n"
    )


def _yaml_files(section: str) -> dict[str, str]:
    """The YAML blocks of a section, by the file name on their first line (``# review.yaml``)."""
    text = DOC.read_text().split(section, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    return {block.splitlines()[0].removeprefix("#").strip(): block for block in blocks}


def test_the_short_form_records_the_same_review_from_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLTRL_DATABASE_URL", raising=False)
    long_form = _commands("## A review from start to finish")
    setup = long_form[: next(i for i, argv in enumerate(long_form) if argv[:2] == ["review", "open"])]
    assert setup[-1][:2] == ["dataset", "link"]  # "after the first six commands above"
    short_form = _commands("## The same review from a file")
    assert len(short_form) == 3
    files = _yaml_files("## The same review from a file")
    questions = [q.id for q in load_catalog().ethics.questions]
    for argv in setup:
        _run(argv, capsys)
    for argv in short_form:
        _run(argv, capsys)
        if argv[:2] == ["review", "template"]:
            skeleton = yaml.safe_load(Path(argv[-1]).read_text())
            assert (skeleton["gate"], list(skeleton["ethics"])) == (4, questions)
            # The panel fills the skeleton in: the documented file, its "..." an answer to every question.
            review = yaml.safe_load(files["review.yaml"])
            review["ethics"] = {**dict.fromkeys(questions, "discussed and recorded"), **review["ethics"]}
            Path(argv[-1]).write_text(yaml.safe_dump(review, sort_keys=False))
            Path("review-2.yaml").write_text(files["review-2.yaml"])

    first = json.loads(_run(["review", "show", "1", "--json"], capsys))
    assert (first["status"], first["decision"], first["decision_reason"]) == (
        "decided",
        "tasks",
        "outdoor photos first",
    )
    assert first["signatures"][-1]["tasks"] == [{"task": "test on outdoor photos", "target": "mAP >= 0.75"}]
    assert first["debrief"] == "lighting was not in the test plan"
    # The same review as the long form's: its panel and its results, each with its note.
    typed_panel = [
        (a[a.index("--role") + 1], a[a.index("--person") + 1])
        for a in long_form
        if a[:2] == ["review", "panel"]
    ]
    assert [(p["role"], p["person"]) for p in first["panel"]] == typed_panel
    typed_results = {
        a[3]: (a[4], a[a.index("--note") + 1]) for a in long_form if a[:2] == ["review", "result"]
    }
    assert {r["criterion_id"]: (r["result"], r["note"]) for r in first["results"]} == typed_results

    second = json.loads(_run(["review", "show", "2", "--json"], capsys))
    assert (second["status"], second["decision"]) == ("decided", "graduate")
    assert second["panel"] == [{**p, "at": second["panel"][i]["at"]} for i, p in enumerate(first["panel"])]
    assert len(second["ethics"]) == len(questions)  # carried from review 1 by --from
    assert json.loads(_run(["status", "vision", "--json"], capsys))["system_level"] == 5
