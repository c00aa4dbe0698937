"""Great Expectations 1.x validation results (``ExpectationSuiteValidationResult.to_json_dict()``).

The suite's own ``success`` is the verdict; each expectation is an item named by its type and
column, with how many values were unexpected. Files written by Great Expectations 0.x (a different
result shape) are refused by name rather than half-read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mltrl.errors import BadInput
from mltrl.peers.result import PeerItem, PeerResult


def looks_like(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("results"), list)
        and isinstance(data.get("statistics"), dict)
        and "success" in data
        and "evaluated_expectations" in data["statistics"]
    )


def read(path: Path, data: dict[str, Any]) -> PeerResult:
    version = str((data.get("meta") or {}).get("great_expectations_version", ""))
    if not version.startswith("1."):
        raise BadInput(
            f"{path}: written by Great Expectations {version or 'of an unknown version'}; "
            "mltrl reads 1.x validation results"
        )
    items = [_item(path, r) for r in data["results"]]
    statistics = data["statistics"]
    metrics: dict[str, float | int | str] = {
        key: statistics[key]
        for key in (
            "evaluated_expectations",
            "successful_expectations",
            "unsuccessful_expectations",
            "success_percent",
        )
        if isinstance(statistics.get(key), (int, float)) and not isinstance(statistics.get(key), bool)
    }
    title = str(data.get("suite_name") or "expectation suite")
    return PeerResult(
        "great-expectations", "gx-validation", title, data["success"] is True, "data-check", tuple(items),
        version=version, metrics=metrics,
    )  # fmt: skip


def _item(path: Path, result: Any) -> PeerItem:
    config = result.get("expectation_config") if isinstance(result, dict) else None
    if not isinstance(config, dict) or "type" not in config:
        raise BadInput(f"{path}: an expectation result without expectation_config.type")
    kwargs = config.get("kwargs") or {}
    column = kwargs.get("column")
    name = f"{config['type']}({column})" if column else str(config["type"])
    if (result.get("exception_info") or {}).get("raised_exception"):
        return PeerItem(name, "error", str(result["exception_info"].get("exception_message", "")))
    if result.get("success") is True:
        return PeerItem(name, "pass")
    detail = result.get("result") or {}
    unexpected, total = detail.get("unexpected_count"), detail.get("element_count")
    message = f"{unexpected} of {total} values unexpected" if unexpected is not None else ""
    return PeerItem(name, "fail", message)
