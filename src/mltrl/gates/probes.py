"""Probes: how each built-in evidence criterion is computed from the registry.

A probe returns ``(status, reason)`` with status ``met``, ``unmet`` or
``stale``. Criteria without a probe of their own (e.g. ones a policy adds) are
backed by the latest evidence recorded for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mltrl.cards.model import HANDWRITTEN
from mltrl.gates.context import GateContext
from mltrl.gates.probes_breadth import critical_scenarios, data_validation
from mltrl.gates.probes_checks import golden_dataset, metamorphic
from mltrl.gates.probes_deploy import deployment_test
from mltrl.gates.probes_science import computed_check, sim_to_real
from mltrl.gates.probes_score import ml_test_score
from mltrl.store import queries
from mltrl.store.reader import as_utc

Outcome = tuple[str, str]
DONE = ("passed", "waived")
#: Hand-written TRL Card sections that must be filled for a complete card: all of the paper's.
CARD_SECTIONS = HANDWRITTEN


def by_evidence(
    ctx: GateContext, criterion_id: str, *, metric: str | None = None, minimum: float | None = None
) -> Outcome:
    """Backed by the latest evidence recorded for the criterion: passing, and on the current versions."""
    latest = ctx.latest_evidence(criterion_id)
    if latest is None:
        return "unmet", "no evidence recorded"
    if latest.outcome != "pass":
        return "unmet", f"evidence {latest.id} failed"
    if metric is not None:
        value = latest.metrics.get(metric)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return "unmet", f"evidence {latest.id} has no numeric {metric}"
        if minimum is not None and value < minimum:
            return "unmet", f"evidence {latest.id}: {metric} {value:g} is below the policy's {minimum:g}"
    if not latest.fresh:
        return "stale", f"evidence {latest.id} is stale: {_changed(latest.versions, ctx.current_versions)}"
    return "met", f"evidence {latest.id} ({latest.kind}, {latest.recorded_at.date().isoformat()})"


def _changed(then: dict[str, str], now: dict[str, str]) -> str:
    """Which versions changed since the evidence was computed, kind by kind (only those)."""
    out = []
    for kind in sorted(set(then) | set(now)):
        before, after = then.get(kind), now.get(kind)
        if before == after:
            continue
        if before is None:
            out.append(f"{kind} {after} is current, and it names no {kind} version")
        elif after is None:
            out.append(f"it names {kind} {before}, and the component has no {kind} version")
        else:
            out.append(f"it was computed on {kind} {before}, now {kind} {after}")
    return "; ".join(out)


def research_requirements(ctx: GateContext, criterion_id: str) -> Outcome:
    research = [q for q in ctx.project_requirements if q.kind == "research"]
    if not research:
        return "unmet", "the project has no research requirements"
    without = [q.code for q in research if not q.steps]
    if without:
        return "unmet", f"research requirement(s) {', '.join(without)} have no V&V steps"
    return "met", f"{len(research)} research requirement(s), each with V&V steps"


def level2_vv_complete(ctx: GateContext, criterion_id: str) -> Outcome:
    research = [q for q in ctx.project_requirements if q.kind == "research"]
    if not research:
        if ctx.component.entry_level > 2:
            return (
                "met",
                f"entered at level {ctx.component.entry_level}, after level 2: no level-2 V&V to finish",
            )
        return "unmet", "the project has no research requirements"
    # "Complete" means done: a waived step was skipped, not verified (the paper: all V&V complete).
    open_steps = [
        f"{q.code}/{s.number} {s.status}" for q in research for s in q.steps if s.status != "passed"
    ]
    if open_steps:
        return "unmet", "V&V not passed: " + ", ".join(open_steps)
    return "met", "every level-2 V&V step passed"


def product_requirements(ctx: GateContext, criterion_id: str) -> Outcome:
    product = [q for q in ctx.project_requirements if q.kind == "product"]
    if not product:
        return "unmet", "the project has no product requirements"
    without = [q.code for q in product if not q.steps]
    if without:
        return "unmet", f"product requirement(s) {', '.join(without)} have no V&V steps"
    return "met", f"{len(product)} product requirement(s) with V&V drafted"


def real_data(ctx: GateContext, criterion_id: str) -> Outcome:
    real = [link.dataset_key for link in ctx.data_links if link.dataset_kind == "real"]
    if not real:
        return "unmet", "no real data set is linked to the component"
    return "met", "real data: " + ", ".join(sorted(set(real)))


def ethics_checklist(ctx: GateContext, criterion_id: str) -> Outcome:
    if ctx.review is None:
        return "unmet", f"no level-{ctx.level} review has answered the ethics checklist"
    asked = ctx.review.template["ethics"]
    answered = {row["question_id"] for row in ctx.review_rows["ethics"] if row["answer"].strip()}
    missing = [q for q in asked if q not in answered]
    if missing:
        return "unmet", f"review {ctx.review.id}: {len(missing)} of {len(asked)} ethics questions unanswered"
    return "met", f"review {ctx.review.id} answered all {len(asked)} questions"


def requirements_walkthrough(ctx: GateContext, criterion_id: str) -> Outcome:
    # The paper: a walkthrough of *every* technical and product requirement before go/no-go,
    # not only of those someone linked to this component.
    every = ctx.project_requirements
    if not every:
        return "unmet", "the project has no requirements to walk through"
    open_steps = [f"{q.code}/{s.number} {s.status}" for q in every for s in q.steps if s.status not in DONE]
    no_steps = [q.code for q in every if not q.steps]
    if no_steps:
        return "unmet", f"requirement(s) {', '.join(no_steps)} have no V&V"
    if open_steps:
        return "unmet", "not validated: " + ", ".join(open_steps)
    return "met", f"all {len(every)} requirement(s) of the project validated"


def monitoring_ready(ctx: GateContext, criterion_id: str) -> Outcome:
    references = ctx.reader.all(
        "SELECT name FROM profiles WHERE component_id = :cid AND role = 'reference' ORDER BY name",
        cid=ctx.component.id,
    )
    if not references:
        return (
            "unmet",
            f"no reference profile: `mltrl monitor reference {ctx.component.ref} DATA` before deployment",
        )
    names = ", ".join(row["name"] for row in references)
    return "met", f"reference profile(s) {names} stored; drift and data-quality checks can run"


def parts_ready(ctx: GateContext, criterion_id: str) -> Outcome:
    target = ctx.level + 1
    live = [(ref, level, status) for ref, level, status in ctx.parts if status != "retired"]
    behind = [
        f"{ref} waits for its entry review" if status == "entering" else f"{ref} at {level}"
        for ref, level, status in live
        if level < target or status == "entering"
    ]
    if behind:
        return "unmet", f"graduating to {target} would put it above its parts: " + ", ".join(behind)
    if not live:
        return "met", "no parts: not a composite, or every part is retired"
    return "met", f"all {len(live)} part(s) are at {target} or above"


def card_complete(ctx: GateContext, criterion_id: str) -> Outcome:
    required = (*CARD_SECTIONS, *(s.id for s in ctx.catalog.card_sections if s.required))
    missing = [s for s in required if not ctx.card_sections.get(s, "").strip()]
    if missing:
        return "unmet", "TRL Card sections not filled: " + ", ".join(missing)
    outdated = _outdated_version_claims(ctx)
    if outdated:
        return "unmet", "the card's text names versions that are not the current ones: " + "; ".join(outdated)
    return "met", "every hand-written card section is filled, and the versions it names are current"


def _outdated_version_claims(ctx: GateContext) -> list[str]:
    """Registered versions of the component that its card's text names although they are superseded."""
    current = ctx.current_versions
    superseded = {
        (v.kind, v.version)
        for v in queries.versions(ctx.reader, ctx.component.id)
        if current.get(v.kind) != v.version
    }
    found = []
    for section, row in sorted(ctx.card_section_rows.items()):
        for token in set(_VERSION_TOKEN.findall(row["text"])):
            for kind, version in sorted(superseded):
                if token == version:
                    found.append(
                        f"{section} names {kind} {version}, but {kind} {current.get(kind)} is current"
                    )
    return found


#: Something that reads like a version in prose: 1.2, 1.2.0, v2.0.1-rc1 (the "v" is not part of it).
_VERSION_TOKEN = re.compile(r"(?<![\w.])v?(\d+\.\d+(?:\.\d+)?(?:[-+][\w.]+)?)(?![\w])")


def ethics_on_card(ctx: GateContext, criterion_id: str) -> Outcome:
    row = ctx.card_section_rows.get("ethics")
    if row is None or not row["text"].strip():
        return "unmet", "the TRL Card has no ethics section: `mltrl card edit`"
    updated = as_utc(row["updated_at"])
    if updated < ctx.reached_level_at:
        return (
            "unmet",
            f"the card's ethics section was last revised {updated.date().isoformat()}, before the "
            f"component reached level {ctx.component.level} ({ctx.reached_level_at.date().isoformat()})",
        )
    return "met", f"ethics section revised {updated.date().isoformat()}, at this level"


PROBES: dict[str, Callable[[GateContext, str], Outcome]] = {
    "research-requirements": research_requirements,
    "level2-vv-complete": level2_vv_complete,
    "product-requirements": product_requirements,
    "real-data": real_data,
    "ethics-checklist": ethics_checklist,
    "golden-dataset": golden_dataset,
    "critical-scenarios": critical_scenarios,
    "data-validation": data_validation,
    "metamorphic": metamorphic,
    "ml-test-score": ml_test_score,
    "shadow": deployment_test,
    "canary": deployment_test,
    "ab-test": deployment_test,
    "blue-green": deployment_test,
    "sim-to-real": sim_to_real,
    "covariate-balance": computed_check,
    "overlap": computed_check,
    "causal-sensitivity": computed_check,
    "requirements-walkthrough": requirements_walkthrough,
    "card-complete": card_complete,
    "monitoring-ready": monitoring_ready,
    "parts-ready": parts_ready,
    "ethics-on-card": ethics_on_card,
}


def probe(ctx: GateContext, criterion_id: str) -> Outcome:
    name = criterion_id.split(".", 1)[1]
    return PROBES.get(name, by_evidence)(ctx, criterion_id)
