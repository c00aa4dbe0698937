"""Deployment tests recorded as evidence: ``L8.shadow``, ``L8.canary``, ``L8.ab-test``, ``L8.blue-green``.

:func:`compare` reads the champion's and candidate's logs, runs the comparison of the kind asked
(:mod:`mltrl.checks.deployment`) and records its result through :func:`mltrl.checks.record` — the
one evidence path — on the component's current versions, with both logs' SHA-256 in the note.
:func:`switch` records a blue/green switch with the checks that ran before and after it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mltrl.checks.deployment import KINDS, check_for
from mltrl.checks.evidence import record
from mltrl.checks.result import CheckResult
from mltrl.errors import BadInput
from mltrl.service import inputs
from mltrl.service.hashing import sha256_path

if TYPE_CHECKING:
    from mltrl.service.registry import Registry
    from mltrl.store.records import EvidenceRecord

CRITERIA = {
    "shadow": "L8.shadow",
    "canary": "L8.canary",
    "ab-test": "L8.ab-test",
    "blue-green": "L8.blue-green",
}


def compare(
    reg: Registry,
    ref: str,
    kind: str,
    champion: Any,
    candidate: Any,
    *,
    save: bool = True,
    source: str = "cli",
    at: datetime | str | None = None,
    **options: Any,
) -> tuple[CheckResult, EvidenceRecord | None]:
    """Compare the two logs (paths to CSV/Parquet files or DataFrames) and, with ``save``, record the
    result on ``L8.<kind>``. Bad logs are refused before anything is recorded."""
    from mltrl.service.tables import table_of

    if kind not in KINDS:
        raise BadInput(f"--kind {kind!r} is not one of {', '.join(KINDS)}")
    check = check_for(kind, **options)
    if save:
        reg.catalog.criterion(CRITERIA[kind])  # an organisation's policy may have removed it: say so first
    result = check.run(table_of(champion), table_of(candidate))
    if not save:
        return result, None
    read = [
        f"{which} {Path(log).name} sha256 {sha256_path(Path(log))}"
        for which, log in (("champion", champion), ("candidate", candidate))
        if isinstance(log, (str, Path))
    ]
    evidence = record(
        reg, ref, CRITERIA[kind], result, source=source, kind="deployment-test", read=read, at=at
    )
    return result, evidence


def switch(
    reg: Registry,
    ref: str,
    *,
    before: list[int],
    after: list[int],
    at: str | datetime | None = None,
    to: str = "green",
    note: str = "",
    source: str = "cli",
) -> EvidenceRecord:
    """Record a blue/green switch of ``ref`` at ``at`` (default now), backed by the evidence ``before``
    (recorded at or before the switch) and ``after`` (at or after it), all on this component.

    The switch passes when every one of them passed and is on the current versions; a check that
    failed or went stale makes it a recorded ``fail``. Ids that are not this component's evidence, or
    checks on the wrong side of the switch, are bad input: nothing is recorded.
    """
    if not before or not after:
        raise BadInput("a blue/green switch needs the checks that ran --before it and --after it")
    when = inputs.moment(at)
    pieces = {e.id: e for e in reg.evidence.list(ref)}
    for side, ids in (("before", before), ("after", after)):
        for evidence_id in ids:
            if evidence_id not in pieces:
                raise BadInput(f"--{side} {evidence_id}: no evidence {evidence_id} on {ref}")
            recorded = pieces[evidence_id].recorded_at
            wrong = recorded > when if side == "before" else recorded < when
            if wrong:
                order = "after" if side == "before" else "before"
                raise BadInput(
                    f"--{side} {evidence_id}: recorded {recorded.isoformat(timespec='seconds')}, {order} "
                    f"the switch at {when.isoformat(timespec='seconds')}"
                )
    problems = []
    for evidence_id in [*before, *after]:
        piece = pieces[evidence_id]
        if piece.outcome != "pass":
            problems.append(f"evidence {evidence_id} ({piece.criterion_id or piece.kind}) failed")
        elif not piece.fresh:
            problems.append(f"evidence {evidence_id} is stale: it ran on other versions")
    passed = not problems
    summary = (
        f"blue/green switch to {to} at {when.isoformat(timespec='seconds')}: "
        f"{len(before)} check(s) before, {len(after)} after"
        + ("; all passed on the current versions" if passed else "; " + "; ".join(problems))
    )
    return reg.evidence.record(
        ref,
        CRITERIA["blue-green"],
        kind="deployment-test",
        outcome="pass" if passed else "fail",
        metrics={
            "switched_to": to,
            "switched_at": when.isoformat(timespec="seconds"),
            "checks_before": ",".join(map(str, before)),
            "checks_after": ",".join(map(str, after)),
        },
        source=source,
        note=(summary + (f". {note}" if note else ""))[:4000],
    )
