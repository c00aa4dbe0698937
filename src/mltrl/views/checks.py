"""Rows of the golden succession and of the codified relations, as ``mltrl golden history`` and
``mltrl relations list`` print them and the server answers them: one shape for both."""

from __future__ import annotations

from typing import Any

from mltrl.store.reader import Reader


def golden_row(score: Any) -> dict[str, Any]:
    """One model version's golden score, with its change against its champion."""
    diff, low, high = score.diff
    return {
        "model_version": score.model_version,
        "dataset": score.dataset,
        "dataset_version": score.dataset_version,
        "metric": score.metric,
        "value": score.value,
        "ci_low": score.ci_low,
        "ci_high": score.ci_high,
        "n": score.n,
        "champion_version": score.champion_version,
        "diff": diff,
        "diff_ci_low": low,
        "diff_ci_high": high,
        "status": score.status,
        "reason": score.result.get("reason", ""),
        "evidence": score.evidence_id,
        "recorded_at": score.recorded_at.isoformat(),
        "recorded_by": score.recorded_by,
    }


def golden_rows(r: Reader, ref: str, dataset: str | None = None) -> list[dict[str, Any]]:
    from mltrl.service import lookup
    from mltrl.store import check_queries

    scores = check_queries.golden_scores(r, lookup.component(r, ref).id)
    return [golden_row(s) for s in scores if dataset is None or s.dataset == dataset]


def relation_rows(r: Reader, ref: str) -> list[dict[str, Any]]:
    """Each codified relation with the latest outcome on its current definition (None: never run)."""
    from mltrl.service import lookup
    from mltrl.store import check_queries, evidence_queries

    component = lookup.component(r, ref)
    listed = check_queries.relations(r, component.id)
    latest = check_queries.latest_relation_results(r, component.id)
    fresh = {
        result.evidence_id: evidence_queries.evidence(r, evidence_id=result.evidence_id)[0].fresh
        for result in latest.values()
    }
    rows = []
    for relation in listed:
        result = latest.get(relation.name)
        row = {k: v for k, v in relation.to_json().items() if k not in ("component", "created_by")}
        row.update(
            last_status=None if result is None else result.status,
            failure_rate=None if result is None else result.failure_rate,
            failure_rate_ci=None if result is None else [result.ci_low, result.ci_high],
            fresh=None if result is None else fresh[result.evidence_id],
            evidence=None if result is None else result.evidence_id,
        )
        rows.append(row)
    return rows
