"""Probes of the level-7 test suites whose results the registry stores: golden data set and relations.

``L7.golden-dataset`` is met only by a stored golden score (``reg.golden.score`` or the pytest
plugin's ``mltrl_evidence.golden``) of the **current** model version on the **current** version of
every golden data set linked to the component, that passed, with its evidence passing and fresh.
``L7.metamorphic`` is met only when the component's codified list of relations is non-empty and
every listed relation passed, for its current definition, with fresh evidence (a relation's own
verdict counts: one run records one piece of evidence for all of them, which fails when any fails).
Evidence typed in with ``mltrl evidence add`` carries no score and no relation outcome, so it
satisfies neither.
"""

from __future__ import annotations

from dataclasses import dataclass

from mltrl.gates.context import GateContext
from mltrl.store import check_queries
from mltrl.store.records import EvidenceRecord

Outcome = tuple[str, str]


@dataclass(frozen=True)
class _Finding:
    problem: str
    stale: bool = False


def golden_dataset(ctx: GateContext, criterion_id: str) -> Outcome:
    links = [link for link in ctx.data_links if link.role == "golden"]
    if not links:
        return "unmet", "no golden data set is linked to the component"
    model = ctx.current_versions.get("model")
    if model is None:
        return "unmet", "no model version is registered: a golden score belongs to a model version"
    scores = check_queries.golden_scores(ctx.reader, ctx.component.id)
    found: list[_Finding] = []
    passed: list[str] = []
    for link in links:
        version = check_queries.current_golden_version(ctx.reader, link.dataset_key, link.version)
        where = f"golden {link.dataset_key} {version}"
        if version is None:
            found.append(_Finding(f"golden data set {link.dataset_key} has no version"))
            continue
        on_version = [s for s in scores if s.dataset == link.dataset_key and s.dataset_version == version]
        latest = {s.metric: s for s in on_version if s.model_version == model}
        if not latest:
            # A passing score of a replaced model is stale, as any evidence of a replaced version is.
            before = on_version and _score_finding(ctx, where, on_version[-1].model_version, on_version[-1])
            if before and before.stale:
                found.append(before)
                continue
            found.append(_Finding(f"{where}: no score of model {model} (`reg.golden.score`)"))
            continue
        for _, score in sorted(latest.items()):
            finding = _score_finding(ctx, where, model, score)
            if finding is None:
                passed.append(f"{where}: {_value(score)} (evidence {score.evidence_id})")
            else:
                found.append(finding)
    return _verdict(found, f"model {model} passed " + "; ".join(passed))


def metamorphic(ctx: GateContext, criterion_id: str) -> Outcome:
    listed = check_queries.relations(ctx.reader, ctx.component.id)
    if not listed:
        return "unmet", (
            "no metamorphic relations are codified on the component "
            f"(`mltrl relations add {ctx.component.ref} ...`)"
        )
    latest = check_queries.latest_relation_results(ctx.reader, ctx.component.id)
    missing = [r.name for r in listed if r.name not in latest]
    found: list[_Finding] = []
    if missing:
        found.append(_Finding("no result for its current definition: " + ", ".join(missing)))
    for name, result in sorted(latest.items()):
        evidence = _evidence(ctx, result.evidence_id)
        if result.status != "pass":
            found.append(_Finding(f"{name} {result.status}" + _rate(result)))
        elif evidence is None or not evidence.fresh:
            found.append(_Finding(f"{name}: {_stale(ctx, evidence, result.evidence_id)}", stale=True))
    return _verdict(found, f"all {len(listed)} codified relations pass: " + ", ".join(r.name for r in listed))


def _score_finding(
    ctx: GateContext, where: str, model: str, score: check_queries.GoldenScoreRecord
) -> _Finding | None:
    evidence = _evidence(ctx, score.evidence_id)
    if score.status != "pass":
        reason = str(score.result.get("reason", ""))
        return _Finding(f"{where}: model {model} {score.status}: {reason}".rstrip(": "))
    if evidence is None or evidence.outcome != "pass":
        return _Finding(f"{where}: the evidence {score.evidence_id} of model {model}'s score failed")
    if not evidence.fresh:
        return _Finding(f"{where}: {_stale(ctx, evidence, score.evidence_id)}", stale=True)
    return None


def _stale(ctx: GateContext, evidence: EvidenceRecord | None, evidence_id: int) -> str:
    if evidence is None:
        return f"evidence {evidence_id} is gone"
    from mltrl.gates.probes import _changed  # probes imports this module

    return f"evidence {evidence_id} is stale: {_changed(evidence.versions, ctx.current_versions)}"


def _evidence(ctx: GateContext, evidence_id: int) -> EvidenceRecord | None:
    return next((e for e in ctx.evidence if e.id == evidence_id), None)


def _verdict(found: list[_Finding], met: str) -> Outcome:
    if not found:
        return "met", met
    status = "stale" if all(f.stale for f in found) else "unmet"
    return status, "; ".join(f.problem for f in found)


def _value(score: check_queries.GoldenScoreRecord) -> str:
    if score.value is None:
        return f"{score.metric} undefined"
    text = f"{score.metric} {score.value:.4g}"
    if score.ci_low is not None and score.ci_high is not None:
        text += f" [{score.ci_low:.4g}, {score.ci_high:.4g}]"
    return text


def _rate(result: check_queries.RelationResultRecord) -> str:
    if result.failure_rate is None:
        return ""
    return f" (failure rate {result.failure_rate:.3g} on {result.n} rows)"
