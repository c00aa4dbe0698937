"""Peers' test results as evidence: JUnit XML, Deepchecks, Great Expectations and Evidently files.

Teams already run tests in other tools. :func:`read` turns one of their result files into a
:class:`PeerResult` keeping the tool's own verdict and figures; :func:`mltrl.peers.record.import_file`
records it as evidence on a criterion and/or V&V step, on the component's current versions, with the
original file attached.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mltrl.errors import BadInput
from mltrl.peers.result import PeerItem, PeerResult

TOOLS = ("junit", "deepchecks", "great-expectations", "evidently")
__all__ = ["TOOLS", "PeerItem", "PeerResult", "read"]


def read(path: str | Path, tool: str = "auto") -> PeerResult:
    """Read ``path`` as ``tool``'s output (``auto``: tell by the file's content)."""
    from mltrl.peers import deepchecks, evidently, great_expectations, junit

    path = Path(path)
    if tool != "auto" and tool not in TOOLS:
        raise BadInput(f"--tool {tool!r} is not one of auto, {', '.join(TOOLS)}")
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    head = path.read_bytes()[:512].lstrip()
    if head.startswith(b"<"):
        if tool not in ("auto", "junit"):
            raise BadInput(f"{path}: an XML file, not a {tool} result (JSON)")
        return junit.read(path)
    if tool == "junit":
        raise BadInput(f"{path}: not a JUnit XML file (it does not start with '<')")
    data = _json(path)
    readers = {
        "deepchecks": deepchecks,
        "great-expectations": great_expectations,
        "evidently": evidently,
    }
    candidates = [tool] if tool != "auto" else list(readers)
    for name in candidates:
        if readers[name].looks_like(data):
            return readers[name].read(path, data)
    if tool != "auto":
        raise BadInput(f"{path}: not a {tool} result file mltrl can read (see docs/importing.md)")
    raise BadInput(
        f"{path}: not a result file of {', '.join(TOOLS)} that mltrl recognises (see docs/importing.md)"
    )


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
