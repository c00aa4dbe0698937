"""Deepchecks suite and check results, as ``SuiteResult.to_json()`` / ``CheckResult.to_json()`` write them.

Deepchecks' own verdict is kept: a check passes when every condition's status is PASS; WARN counts
as not passed, as ``SuiteResult.passed()`` has it by default (``fail_if_warning=True``); a check that
could not run (``CheckFailure``) is listed as not run and does not fail the suite (its default
``fail_if_check_not_run=False``). A check without conditions states no verdict (``info``) and fails nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mltrl.errors import BadInput
from mltrl.peers.result import PeerItem, PeerResult

_STATUS = {"PASS": "pass", "WARN": "warn", "FAIL": "fail", "ERROR": "error"}


def looks_like(data: Any) -> bool:
    return (
        isinstance(data, dict) and data.get("type") in ("SuiteResult", "CheckResult", "CheckFailure")
    ) or (
        isinstance(data, dict)
        and isinstance(data.get("results"), list)
        and "name" in data
        and all(
            isinstance(r, dict) and r.get("type") in ("CheckResult", "CheckFailure") for r in data["results"]
        )
    )


def read(path: Path, data: dict[str, Any]) -> PeerResult:
    results = data["results"] if isinstance(data.get("results"), list) else [data]
    items = [_item(path, r) for r in results]
    failing = [i for i in items if i.status in ("fail", "warn", "error")]
    title = str(data.get("name") or items[0].name if items else "Deepchecks result")
    kind = "data-check" if "integrity" in title.lower() else "test-run"
    fmt = "deepchecks-suite" if "results" in data else "deepchecks-check"
    return PeerResult("deepchecks", fmt, title, not failing and bool(items), kind, tuple(items))


def _item(path: Path, result: Any) -> PeerItem:
    if not isinstance(result, dict) or "header" not in result:
        raise BadInput(f"{path}: a Deepchecks result without a header: not a Deepchecks to_json() file")
    header = str(result["header"])
    if result.get("type") == "CheckFailure":
        return PeerItem(header, "not-run", str(result.get("exception", "")))
    statuses, messages = [], []
    for condition in result.get("conditions_results") or []:
        status = _STATUS.get(str(condition.get("Status", "")).upper())
        if status is None:
            raise BadInput(f"{path}: check {header!r}: unknown condition status {condition.get('Status')!r}")
        statuses.append(status)
        if status != "pass":
            messages.append(f"{condition.get('Condition', '')}: {condition.get('More Info', '')}")
    for worst in ("error", "fail", "warn"):
        if worst in statuses:
            return PeerItem(header, worst, "; ".join(messages))
    return PeerItem(header, "pass" if statuses else "info")
