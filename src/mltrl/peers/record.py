"""A peer's result file recorded as evidence, through the same evidence service as everything else."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mltrl.peers import read

if TYPE_CHECKING:
    from mltrl.peers.result import PeerResult
    from mltrl.service.registry import Registry
    from mltrl.store.records import EvidenceRecord


def import_file(
    reg: Registry,
    ref: str,
    path: str | Path,
    *,
    criterion: str | None = None,
    requirement: str | None = None,
    step: int | None = None,
    tool: str = "auto",
    source: str = "cli",
) -> tuple[EvidenceRecord, PeerResult]:
    """Record the peer result in ``path`` on ``ref``: the peer's own verdict as the outcome, its counts
    and figures as metrics, a one-line note of what did not pass, and the file itself attached.

    ``source`` says who ran the peer: ``cli`` (a person imports a file: it counts as attested by hand)
    or ``ci`` (the pipeline that ran the tool imports its output).
    """
    path = Path(path)
    result = read(path, tool)
    evidence = reg.evidence.record(
        ref,
        criterion,
        kind=result.kind,
        outcome="pass" if result.passed else "fail",
        metrics=result.evidence_metrics(),
        requirement=requirement,
        step=step,
        files=[path],
        source=source,
        note=result.note(path.name)[:4000],
    )
    return evidence, result
