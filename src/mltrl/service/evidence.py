"""Recording evidence: the result of a check, on the exact versions of the component it ran on.

Evidence backs a gate criterion and/or a requirement's V&V step. It stays
*fresh* while the component's code, model and data versions are the ones it
was computed on; registering a newer version of any kind makes it stale, and
stale evidence no longer satisfies a gate.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from mltrl.catalog import Catalog
from mltrl.errors import BadInput, NotFound
from mltrl.service import inputs, lookup, requirements
from mltrl.service._store import Unit
from mltrl.store import evidence_queries, queries, schema
from mltrl.store.records import EvidenceRecord

MAX_FILE_BYTES = 50 * 1024 * 1024  # attachments live in the database; keep them report-sized


class Kind(StrEnum):
    TEST_RUN = "test-run"
    METRIC = "metric"
    REPORT = "report"
    DATA_CHECK = "data-check"
    DEPLOYMENT_TEST = "deployment-test"
    MONITORING = "monitoring"


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"


class Source(StrEnum):
    CLI = "cli"
    API = "api"
    CI = "ci"
    PYTEST = "pytest"


def record(
    unit: Unit,
    catalog: Catalog,
    ref: str,
    *,
    kind: str,
    outcome: str,
    metrics: dict[str, Any] | None = None,
    criterion: str | None = None,
    requirement: str | None = None,
    step: int | None = None,
    files: list[str | Path] | None = None,
    versions: dict[str, str] | None = None,
    source: str = "api",
    note: str = "",
    at: datetime | str | None = None,
) -> EvidenceRecord:
    component = lookup.changeable(unit.reader, ref, "evidence")
    kind_value = str(inputs.choice(Kind, kind, "evidence kind"))
    outcome_value = str(inputs.choice(Outcome, outcome, "outcome"))
    source_value = str(inputs.choice(Source, source, "source"))
    if criterion is not None:
        catalog.criterion(criterion)  # a one-line BadInput when the id is unknown
    requirement_id = None
    if requirement is not None or step is not None:
        if requirement is None or step is None:
            raise BadInput(
                "evidence for a V&V step names both the requirement and the step (--requirement and --step)"
            )
        found = requirements.get(unit, component.project_key, requirement)
        if not any(s.number == int(step) for s in found.steps):
            raise NotFound(f"requirement {requirement} has no V&V step {step}")
        requirement_id = found.id
    on_versions = _versions(unit, component.id, versions)
    attachments = [_read_file(Path(f)) for f in files or []]
    metrics = _metrics(metrics)
    when = inputs.moment(at)
    evidence_id = unit.conn.execute(
        insert(schema.evidence).values(
            project_id=component.project_id,
            component_id=component.id,
            kind=kind_value,
            outcome=outcome_value,
            metrics=metrics,
            source=source_value,
            note=inputs.text(note, "note", limit=4000),
            criterion_id=criterion,
            requirement_id=requirement_id,
            step_number=None if step is None else int(step),
            versions=on_versions,
            recorded_at=when,
            recorded_by=unit.actor,
        )
    ).inserted_primary_key[0]
    for name, digest, content in attachments:
        if evidence_queries.blob(unit.reader, digest) is None:
            unit.conn.execute(insert(schema.blobs).values(sha256=digest, size=len(content), content=content))
        unit.conn.execute(
            insert(schema.evidence_files).values(
                evidence_id=evidence_id, name=name, sha256=digest, size=len(content)
            )
        )
    unit.append_event(
        project_id=component.project_id,
        component_id=component.id,
        kind="evidence.record",
        at=when,
        data={
            "evidence": evidence_id,
            "kind": kind_value,
            "outcome": outcome_value,
            "criterion": criterion,
            "versions": on_versions,
        },
    )
    if requirement_id is not None:
        # The step's status follows its latest evidence.
        requirements.set_step(
            unit,
            component.project_key,
            requirement,
            int(step),
            "passed" if outcome_value == "pass" else "failed",
            reason=f"evidence {evidence_id}",
        )
    return evidence_queries.evidence(unit.reader, evidence_id=evidence_id)[0]


def _versions(unit: Unit, component_id: int, given: dict[str, str] | None) -> dict[str, str]:
    current = evidence_queries.current_versions(unit.reader, component_id)
    if given is None:
        return current
    registered = {(v.kind, v.version) for v in queries.versions(unit.reader, component_id)}
    chosen = {}
    for kind, version in given.items():
        version = inputs.version_label(version)
        if (kind, version) not in registered:
            raise NotFound(f"{kind} version {version} is not registered for this component")
        chosen[kind] = version
    return chosen


def _read_file(path: Path) -> tuple[str, str, bytes]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise BadInput(
                f"{path}: {size} bytes is more than the {MAX_FILE_BYTES // 2**20} MiB an attachment may be"
            )
        content = path.read_bytes()
    except IsADirectoryError:
        raise BadInput(f"{path}: attach files, not directories") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot read: {exc.strerror}") from None
    return path.name, hashlib.sha256(content).hexdigest(), content


def _metrics(metrics: dict[str, Any] | None) -> dict[str, Any]:
    metrics = metrics or {}
    for name, value in metrics.items():
        if not isinstance(name, str) or not name:
            raise BadInput(f"metric name {name!r} must be a non-empty string")
        if isinstance(value, float) and not math.isfinite(value):  # no JSON, no comparison
            raise BadInput(f"metric {name} is {value}: give a finite number")
        if not isinstance(value, (int, float, str, bool)) and value is not None:
            raise BadInput(f"metric {name} must be a number, text or true/false")
    if "rubric" in metrics:
        _rubric_ids(metrics["rubric"])
    return metrics


def _rubric_ids(value: object) -> None:
    """The ``rubric`` metric names the ML Test Score items the evidence attests (``D1,M6``): a
    misspelt id would silently attest nothing, so it is refused."""
    from mltrl.catalog.rubric import rubric

    known = rubric().item_ids
    ids = [part.strip() for part in str(value).replace(" ", ",").split(",") if part.strip()]
    if not isinstance(value, str) or not ids:
        raise BadInput("metric rubric must name ML Test Score items, e.g. rubric=D1,M6")
    for item in ids:
        if item not in known:
            raise BadInput(
                f"metric rubric: {item!r} is not an ML Test Score test (D1-D7, M1-M7, I1-I7, Mon1-Mon7)"
            )
