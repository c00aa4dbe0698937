"""Evidently results: a 0.7 report snapshot with tests (``Snapshot.json()``) and the legacy test suite
(``evidently.legacy`` ``TestSuite.json()``, the 0.4-0.6 API).

The legacy file carries Evidently's own verdict (``summary.all_passed``), which mltrl keeps. A 0.7
snapshot has no summary: it passes when no test FAILed or ERRORed — a WARNING is how Evidently
reports a failed test marked non-critical, so it is listed but does not fail the file.
A report without tests states no verdict and is refused: it has nothing to pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mltrl.errors import BadInput
from mltrl.peers.result import PeerItem, PeerResult

_STATUS = {"SUCCESS": "pass", "FAIL": "fail", "WARNING": "warn", "ERROR": "error", "SKIPPED": "skipped"}


def looks_like(data: Any) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        return False
    legacy = isinstance(data.get("summary"), dict) and "all_passed" in data["summary"]
    return legacy or isinstance(data.get("metrics"), list)


def read(path: Path, data: dict[str, Any]) -> PeerResult:
    if not data["tests"]:
        raise BadInput(f"{path}: an Evidently report without tests states no verdict (run it with tests)")
    items = tuple(_item(path, test) for test in data["tests"])
    summary = data.get("summary")
    if isinstance(summary, dict) and "all_passed" in summary:
        passed = summary["all_passed"] is True
        return PeerResult(
            "evidently", "evidently-test-suite", "test suite", passed, "report", items,
            version=str(data.get("version", "")),
        )  # fmt: skip
    passed = not any(item.status in ("fail", "error") for item in items)
    return PeerResult("evidently", "evidently-report", "report with tests", passed, "report", items)


def _item(path: Path, test: Any) -> PeerItem:
    if not isinstance(test, dict) or "name" not in test or "status" not in test:
        raise BadInput(f"{path}: an Evidently test without a name or status")
    status = _STATUS.get(str(test["status"]).upper())
    if status is None:
        raise BadInput(f"{path}: test {test['name']!r}: unknown status {test['status']!r}")
    return PeerItem(str(test["name"]), status, "" if status == "pass" else str(test.get("description", "")))
