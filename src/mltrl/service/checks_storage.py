"""Use-cases of the checks storage: golden scores of the succession of models, codified relations.

Scores and relation outcomes are stored beside the evidence they were recorded as (the caller
records it through :func:`mltrl.checks.record` in the same transaction), so a gate can ask "did
the *current* model pass on the *current* golden data set version" and "did every listed relation
pass", which typed-in evidence cannot answer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert

from mltrl.errors import BadInput, NotFound
from mltrl.service import inputs, lookup
from mltrl.service._store import Unit
from mltrl.store import check_queries, dataset_queries, schema
from mltrl.store.check_queries import RelationRecord

#: Per-row outputs are kept for the paired comparison of later candidates; bounded so that a golden
#: set of a few million rows still fits, and a mistake (scores of a whole lake) is refused.
MAX_OUTPUT_BYTES = 32 * 1024 * 1024


def add_golden_score(
    unit: Unit,
    ref: str,
    *,
    dataset: str,
    dataset_version: str,
    model_version: str,
    result: Mapping[str, Any],
    metric: str,
    champion_version: str | None,
    labels_sha256: str,
    outputs: bytes,
    evidence_id: int,
    at: datetime | str | None = None,
) -> int:
    component = lookup.changeable(unit.reader, ref, "golden scores")
    found = dataset_queries.datasets(unit.reader, key=dataset)
    if not found:
        raise NotFound(f"no data set {dataset!r} (see `mltrl dataset list`)")
    if len(outputs) > MAX_OUTPUT_BYTES:
        raise BadInput(
            f"golden {dataset} {dataset_version}: the per-row outputs take {len(outputs)} bytes compressed, "
            f"more than the {MAX_OUTPUT_BYTES // 2**20} MiB kept per score; use a smaller golden set"
        )
    value = (result.get("metrics") or {}).get(metric)
    low, high = (result.get("intervals") or {}).get(metric) or (None, None)
    return unit.conn.execute(
        insert(schema.golden_scores).values(
            project_id=component.project_id,
            component_id=component.id,
            model_version=model_version,
            dataset_id=found[0].id,
            dataset_version=dataset_version,
            metric=metric,
            status=str(result["status"]),
            value=_finite(value),
            ci_low=_finite(low),
            ci_high=_finite(high),
            n=int(result.get("n") or 0),
            champion_version=champion_version,
            result=dict(result),
            labels_sha256=labels_sha256,
            outputs=outputs,
            evidence_id=evidence_id,
            recorded_at=inputs.moment(at),
            recorded_by=unit.actor,
        )
    ).inserted_primary_key[0]


def add_relation(
    unit: Unit,
    ref: str,
    name: str,
    *,
    kind: str,
    perturbation: str | None,
    params: Mapping[str, Any] | None = None,
    direction: str | None = None,
    tolerance: float = 0.0,
    atol: float = 0.0,
    description: str = "",
    at: datetime | str | None = None,
) -> RelationRecord:
    from mltrl.checks.codified import relation

    component = lookup.changeable(unit.reader, ref, "relations")
    name = inputs.text(name, "relation name", required=True, limit=100)
    if any(r.name == name for r in check_queries.relations(unit.reader, component.id)):
        raise BadInput(f"{component.ref} already has a relation {name!r} (`mltrl relations remove` it first)")
    params = dict(params or {})
    # Build it once: an unknown perturbation, a parameter it does not take, a missing direction ...
    # are refused here, in one line, before anything is stored.
    built = relation(
        name,
        kind=kind,
        perturbation=perturbation,
        params=params,
        direction=direction,
        tolerance=tolerance,
        atol=atol,
    )
    when = inputs.moment(at)
    unit.conn.execute(
        insert(schema.relations).values(
            project_id=component.project_id,
            component_id=component.id,
            name=name,
            kind=built.kind,
            perturbation=built.perturbation,
            params=params,
            direction=built.direction,
            tolerance=float(built.tolerance),
            atol=float(built.atol),
            description=inputs.text(description, "description", limit=2000),
            created_at=when,
            created_by=unit.actor,
        )
    )
    unit.append_event(
        project_id=component.project_id,
        component_id=component.id,
        kind="relation.add",
        at=when,
        data={"relation": name, "kind": built.kind, "perturbation": built.perturbation, "params": params},
    )
    return relation_named(unit, component.id, name)


def remove_relation(
    unit: Unit, ref: str, name: str, *, reason: str = "", at: datetime | str | None = None
) -> None:
    component = lookup.changeable(unit.reader, ref, "relations")
    relation_named(unit, component.id, name)  # NotFound when it is not listed
    unit.conn.execute(
        delete(schema.relations).where(
            schema.relations.c.component_id == component.id, schema.relations.c.name == name
        )
    )
    unit.append_event(
        project_id=component.project_id,
        component_id=component.id,
        kind="relation.remove",
        reason=inputs.text(reason, "reason", limit=2000),
        at=inputs.moment(at),
        data={"relation": name},
    )


def relation_named(unit: Unit, component_id: int, name: str) -> RelationRecord:
    for record in check_queries.relations(unit.reader, component_id):
        if record.name == name:
            return record
    raise NotFound(f"no relation {name!r} on this component (see `mltrl relations list`)")


def add_relation_results(
    unit: Unit,
    ref: str,
    rows: Sequence[Mapping[str, Any]],
    definitions: Mapping[str, Mapping[str, Any]],
    evidence_id: int,
    at: datetime | str | None = None,
) -> None:
    """Each relation's row of a MetamorphicCheck result, with the definition it ran with."""
    component = lookup.changeable(unit.reader, ref, "relation results")
    when = inputs.moment(at)
    for row in rows:
        low, high = row.get("interval") or (None, None)
        unit.conn.execute(
            insert(schema.relation_results).values(
                component_id=component.id,
                relation=str(row["relation"]),
                definition=dict(definitions[str(row["relation"])]),
                status=str(row.get("status", "insufficient")),
                failures=int(row.get("failures", 0)),
                n=int(row.get("n", 0)),
                failure_rate=_finite(row.get("failure_rate")),
                ci_low=_finite(low),
                ci_high=_finite(high),
                evidence_id=evidence_id,
                recorded_at=when,
            )
        )


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None
