"""Every bad input in ``cases.CASES``: one ``error:`` line, exit 2, no traceback, every table unchanged."""

from __future__ import annotations

import pytest
from hostile_cases import CASES, Case
from hostile_harness import Hostile


@pytest.mark.parametrize("bad", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_in_one_line_and_writes_nothing(
    hostile: Hostile, capsys: pytest.CaptureFixture[str], bad: Case
) -> None:
    argv = [a.format(files=hostile.files, sha=hostile.attachment_sha256) for a in bad.argv]
    before = hostile.rows()
    code, _out, err = hostile.run(capsys, *argv)
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert any(fragment in err for fragment in bad.message.split("|")), err
    assert code == 2
    assert hostile.rows() == before
