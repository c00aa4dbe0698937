"""docs/testing.md's checks example runs as written and prints what it promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"


def test_the_checks_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    section = DOC.read_text().split("## Checks library", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "docs/testing.md lost its checks example"
    exec(compile(block.group(1), str(DOC), "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("pass ")
    assert lines[1] == "pass"
    assert lines[2] == "all 2 relations hold within their tolerance on 228 rows"
