"""Evaluate a gate: attestations from the review, evidence from the registry, waivers from the panel."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mltrl.catalog import Catalog
from mltrl.domain.review import Blocker
from mltrl.errors import BadInput
from mltrl.gates.context import GateContext
from mltrl.gates.probes import probe
from mltrl.store.reader import Reader
from mltrl.store.records import ComponentRecord, ReviewRecord

#: "imported": the gate was passed before the registry kept the component. mltrl cannot judge it,
#: so it is shown as such and never as met; it does not fail the level the history reached.
PASSING = ("met", "waived", "imported")


@dataclass(frozen=True)
class CriterionOutcome:
    id: str
    kind: str
    text: str
    status: str  # met | unmet | stale | waived | imported
    reason: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class GateResult:
    ref: str
    level: int  # the gate at the end of this level
    component_level: int
    criteria: list[CriterionOutcome] = field(default_factory=list)
    review_id: int | None = None

    @property
    def holds(self) -> bool:
        return all(c.status in PASSING for c in self.criteria)

    @property
    def stale(self) -> list[str]:
        return [c.id for c in self.criteria if c.status == "stale"]

    def _repr_html_(self) -> str:
        from mltrl.views.notebook import gate_html

        return gate_html(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "component": self.ref,
            "gate": self.level,
            "component_level": self.component_level,
            "holds": self.holds,
            "review": self.review_id,
            "criteria": [c.to_json() for c in self.criteria],
        }


def default_gate(component: ComponentRecord) -> int | None:
    """The gate a component's level claims it passed: the one at the end of the level below."""
    return component.level - 1 if component.level > 0 else None


def evaluate_gate(
    r: Reader,
    catalog: Catalog,
    component: ComponentRecord,
    level: int,
    review: tuple[ReviewRecord, dict[str, list[dict[str, Any]]]] | None = None,
    traits: Iterable[str] | None = None,
) -> GateResult:
    """How each criterion of the gate at the end of ``level`` stands. ``review``: the gate's review
    (the latest at ``level``) and its :func:`~mltrl.store.review_queries.details`, and ``traits``:
    the project's traits, when the caller has read them already."""
    ctx = GateContext(reader=r, catalog=catalog, component=component, level=level)
    if review is not None:
        ctx.review, ctx.review_rows = review  # (cached properties: what they would have read)
    if traits is not None:
        ctx.project_traits = frozenset(traits)
    result = GateResult(
        ref=component.ref,
        level=level,
        component_level=component.level,
        review_id=ctx.review.id if ctx.review else None,
    )
    criteria = (
        ctx.review.template["criteria"]
        if ctx.review
        else [
            {"id": c.id, "text": c.text, "kind": c.kind, "waivable": c.waivable}
            for c in catalog.level(level).criteria
            if c.applies(ctx.project_traits)  # e.g. the causal criteria: causal projects only
        ]
    )
    for criterion in criteria:
        status, reason = _judge(ctx, criterion["id"], criterion["kind"], criterion.get("waivable", True))
        result.criteria.append(
            CriterionOutcome(criterion["id"], criterion["kind"], criterion["text"], status, reason)
        )
    return result


def _judge(ctx: GateContext, criterion_id: str, kind: str, waivable: bool) -> tuple[str, str]:
    if ctx.level < ctx.component.entry_level:
        return "waived", f"the component entered at level {ctx.component.entry_level}, after this gate"
    lacking = [t for t in _applies_to(ctx.catalog, criterion_id) if t not in ctx.project_traits]
    if lacking:  # asked by a review opened while the project had the trait
        key = ctx.component.project_key
        return "waived", (
            f"applies to {' and '.join(lacking)} projects only, and {key} is not one "
            f"(`mltrl project traits {key} --add {lacking[0]}`)"
        )
    result, note = ctx.results.get(criterion_id, (None, ""))
    if result in ("waived", "not-applicable") and not waivable:
        result = None  # a waiver recorded before the criterion became mandatory does not count
    if result in ("waived", "not-applicable"):
        return "waived", f"review {ctx.review.id}: {result}: {note}"  # type: ignore[union-attr]
    if kind == "evidence":
        return probe(ctx, criterion_id)
    if result == "met":
        return "met", f"review {ctx.review.id}: {note}" if note else f"review {ctx.review.id}"  # type: ignore[union-attr]
    if result == "unmet":
        return (
            "unmet",
            f"review {ctx.review.id}: {note}" if note else f"review {ctx.review.id} found it unmet",
        )  # type: ignore[union-attr]
    if ctx.imported_approval:
        return (
            "imported",
            f"imported history: passed before the registry, approved by {ctx.imported_approval}",
        )
    return (
        "unmet",
        "no review has recorded a result" if ctx.review is None else f"review {ctx.review.id} has no result",
    )


def _applies_to(catalog: Catalog, criterion_id: str) -> tuple[str, ...]:
    """The traits a criterion asks of its project; none for a criterion the catalogue no longer has
    (a review's template keeps what it was opened with)."""
    try:
        return catalog.criterion(criterion_id).applies_to
    except BadInput:
        return ()


def evidence_blockers(r: Reader, catalog: Catalog, project_key: str, code: str, level: int) -> list[str]:
    """Evidence criteria of a gate that the registry does not back and the panel did not waive."""
    from mltrl.store import queries

    component = queries.component(r, project_key, code)
    assert component is not None
    return [b.message for b in evidence_blocker_items(r, catalog, component, level)]


def evidence_blocker_items(
    r: Reader,
    catalog: Catalog,
    component: ComponentRecord,
    level: int,
    review: tuple[ReviewRecord, dict[str, list[dict[str, Any]]]] | None = None,
) -> list[Blocker]:
    """:func:`evidence_blockers` as structured items (kind ``evidence``, subject the criterion id).
    ``review``: the gate's review (the latest at ``level``) and its rows, when the caller has them."""
    gate = evaluate_gate(r, catalog, component, level, review)
    return [
        Blocker("evidence", c.id, f"evidence criterion {c.id} is {c.status}: {c.reason}")
        for c in gate.criteria
        if c.kind == "evidence" and c.status not in PASSING
    ]
