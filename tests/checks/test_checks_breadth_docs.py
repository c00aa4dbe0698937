"""docs/testing-checks.md: the example runs as written and prints what the page shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mltrl.checks import perturbations

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing-checks.md"


def test_the_example_runs_and_prints_what_the_page_says(capsys: pytest.CaptureFixture[str]) -> None:
    text = DOC.read_text()
    code = re.search(r"## Example\n\n```python\n(.*?)```", text, re.S)
    shown = re.search(r"prints\n\n```text\n(.*?)```", text, re.S)
    assert code and shown, "docs/testing-checks.md lost its example"
    exec(compile(code.group(1), str(DOC), "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    expected = shown.group(1).splitlines()
    assert len(printed) == len(expected)
    for line, pattern in zip(printed, expected, strict=True):
        assert re.fullmatch(re.escape(pattern).replace(re.escape("..."), ".*"), line), (line, pattern)


def test_the_page_lists_every_builtin_perturbation() -> None:
    table = re.findall(r"^\| `(\w+)` \| (tabular|image|text) \|", DOC.read_text(), re.M)
    assert [name for name, _ in table] == sorted(
        perturbations.names(), key=lambda n: list(perturbations.PERTURBATIONS).index(n)
    )
    assert {name: modality for name, modality in table} == {
        name: spec[0] for name, spec in perturbations.PERTURBATIONS.items()
    }
