"""A check's result recorded as evidence: the registry stores what the check decided, never decides."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mltrl.checks.result import CheckResult
from mltrl.errors import BadInput

if TYPE_CHECKING:
    from mltrl import Registry
    from mltrl.store.records import EvidenceRecord


def record(
    reg: Registry,
    ref: str,
    criterion: str | None,
    result: CheckResult,
    *,
    requirement: str | None = None,
    step: int | None = None,
    files: list[str | Path] | None = None,
    source: str = "api",
    versions: dict[str, str] | None = None,
    at: datetime | str | None = None,
    kind: str = "test-run",
    read: list[str] | None = None,
) -> EvidenceRecord:
    """Record ``result`` as ``test-run`` evidence on ``ref`` for ``criterion`` (and/or a V&V step).

    The outcome is ``pass`` only when the status is ``pass``: ``insufficient`` is recorded as a
    ``fail`` (a gate is not met by too little data), with ``status`` among the metrics and the reason
    in the note. Metrics carry their intervals as ``<name>_ci_low`` and ``<name>_ci_high``.
    ``versions`` defaults to the component's current versions (see ``reg.evidence.record``).
    ``read`` names the data the check read (e.g. ``"champion.csv sha256 3f2a..."``), appended to the note.
    """
    if not isinstance(result, CheckResult):
        raise BadInput(f"record: result must be a CheckResult, not {type(result).__name__}")
    note = f"{result.check}: {result.status}: {result.reason}" + (f"; read {', '.join(read)}" if read else "")
    return reg.evidence.record(
        ref,
        criterion,
        kind=kind,
        outcome="pass" if result.status == "pass" else "fail",
        metrics=result.evidence_metrics(),
        requirement=requirement,
        step=step,
        files=files,
        source=source,
        note=note[:4000],
        versions=versions,
        at=at,
    )
