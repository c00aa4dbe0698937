"""Bugs found by running the docs as a newcomer (issue 14, item 6), each through a real `mltrl` process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mltrl.service.registry import Registry

MLTRL = str(Path(sys.executable).with_name("mltrl"))


@pytest.fixture
def reg(db_url: str) -> Registry:
    with Registry.init(db=db_url, actor="tester") as registry:
        registry.projects.create("rec", "Recycling vision app")
        registry.components.add("rec/1.1", "Object detector", kind="model", level=0)
        yield registry  # type: ignore[misc]


def mltrl(db_url: str, *argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLTRL_DATABASE_URL": db_url, "MLTRL_ACTOR": "tester", "COLUMNS": "200"}
    return subprocess.run([MLTRL, *argv], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def ok(db_url: str, *argv: str) -> str:
    result = mltrl(db_url, *argv)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_req_show_says_a_step_passed_by_evidence_passed_not_waived(reg: Registry, db_url: str) -> None:
    reg.requirements.add(
        "rec",
        "1",
        "The detector shall find cans",
        kind="research",
        p_failure=0.2,
        value=5,
        category="science",
    )
    reg.requirements.add_step("rec", "1", "verification", "recall on the test split", method="test")
    evidence = reg.evidence.record("rec/1.1", kind="test-run", outcome="pass", requirement="1", step=1)
    step = next(
        line for line in ok(db_url, "req", "show", "rec", "1").splitlines() if "1. verification" in line
    )
    assert "waived" not in step
    assert "passed" in step and f"(evidence {evidence.id})" in step


def test_card_diff_in_markdown_shows_what_the_json_shows(reg: Registry, db_url: str, tmp_path: Path) -> None:
    assert reg.cards.freeze("rec") == 1
    reg.cards.edit("rec", {"tldr": "Sorts recyclables from phone photos."})
    fields = json.loads(ok(db_url, "card", "diff", "rec", "1", "current", "--json"))["changes"]
    assert [c["field"] for c in fields] == ["tldr"]
    markdown = ok(db_url, "card", "diff", "rec", "1")
    changed = [
        line for line in markdown.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    # Before the fix the revision list ("previous cards: r1") showed up as a change here only.
    assert changed == ["-_Not written yet._", "+Sorts recyclables from phone photos."]


FENCED = """# TRL Card: Recycling vision app

## TL;DR

Sorts recyclables.

## Model / algorithm details

A detector fine-tuned on user photos. To train it:

```bash
## train the model
python train.py --epochs 30
```
"""

INTENDED_USE = """## Intended use

Sorting at depots.

### Unacceptable uses

Enforcement or fines; any decision about a person.
"""


def test_a_heading_inside_a_fenced_code_block_is_part_of_its_section(
    reg: Registry, db_url: str, tmp_path: Path
) -> None:
    card = tmp_path / "card.md"
    card.write_text(FENCED)
    assert "card sections saved" in ok(db_url, "card", "edit", "rec", "--file", str(card))
    saved = reg.cards.get("rec")
    assert saved.tldr == "Sorts recyclables."
    assert "## train the model\npython train.py --epochs 30" in saved.model_details


def test_unacceptable_uses_written_as_the_card_prints_them_show_once(
    reg: Registry, db_url: str, tmp_path: Path
) -> None:
    card = tmp_path / "card.md"
    card.write_text(INTENDED_USE)
    ok(db_url, "card", "edit", "rec", "--file", str(card))
    saved = reg.cards.get("rec")
    # The card prints unacceptable uses under '###': reading that back fills the section.
    assert saved.intended_use == "Sorting at depots."
    assert saved.unacceptable_uses == "Enforcement or fines; any decision about a person."
    html = ok(db_url, "card", "show", "rec", "--format", "html")
    assert html.count("Unacceptable uses") == 1
    after = html.split("<h3>Unacceptable uses</h3>", 1)[1].split("<h2>", 1)[0]
    assert "Enforcement or fines" in after and "Not written yet" not in after


def test_evidence_with_metrics_but_nothing_to_back_names_the_flags(reg: Registry, db_url: str) -> None:
    result = mltrl(
        db_url, "evidence", "add", "rec/1.1", "--kind", "metric", "--outcome", "pass", "--metric", "auc=0.93"
    )
    assert result.returncode == 2
    assert "--criterion" in result.stderr and "--requirement and --step" in result.stderr
    assert reg.evidence.list("rec/1.1") == []


def test_errors_name_the_command_line_flag(reg: Registry, db_url: str) -> None:
    result = mltrl(db_url, "project", "create", "p2", "--name", "Second", "--at", "last tuesday")
    assert result.returncode == 2 and "--at: 'last tuesday' is not an ISO 8601 time" in result.stderr
    result = mltrl(db_url, "project", "create", "p2", "--name", "Second", "--at", "2999-01-01")
    assert result.returncode == 2 and "--at: 2999-01-01" in result.stderr and "in the future" in result.stderr


def test_version_labels_that_are_not_semver_are_registered(reg: Registry, db_url: str) -> None:
    for kind, label in (
        ("model", "v1.1"),
        ("code", "4b825dc642cb6eb9a060e54bf8d69288fbee4904"),
        ("data", "3"),
    ):
        ok(db_url, "version", "add", "rec/1.1", kind, label, "--sha256", "a" * 64)
    assert {v.kind: v.version for v in reg.versions.list("rec/1.1")} == {
        "model": "v1.1",
        "code": "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
        "data": "3",
    }
    refused = mltrl(db_url, "version", "add", "rec/1.1", "model", "v1.2 beta")
    assert refused.returncode == 2 and "one word without spaces" in refused.stderr


def test_registry_init_takes_a_directory_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLTRL_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    with Registry.init(".", actor="tester") as reg:
        assert reg.created and (tmp_path / ".mltrl" / "mltrl.db").is_file()
    (tmp_path / "sub").mkdir()
    with Registry.open(start=str(tmp_path / "sub")) as again:
        assert again.projects.list() == []
