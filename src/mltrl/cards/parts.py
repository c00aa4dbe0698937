"""What each component adds to a card: its lines in the lists a card gathers from its members.

A card's per-component lists (codes, how each got its level, versions, working group, hand-offs,
testing status, ethics reviews) are the members' parts joined in member order, and its fairness
facts and metrics are drawn from them too. Computing a member's part in one place lets the
project card be assembled whole (:func:`mltrl.cards.assemble.assemble`) or derived from the
revision before by recomputing only the members that changed (:mod:`mltrl.cards.incremental`),
and the two give the same card.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mltrl.cards.model import Metric, TestStatus
from mltrl.catalog import Catalog
from mltrl.gates import default_gate, evaluate_gate
from mltrl.store import evidence_queries, people_queries, review_queries
from mltrl.store.provenance_queries import Provenance
from mltrl.store.reader import Reader
from mltrl.store.records import ComponentRecord

#: The card's per-member lists, as (section, field) of the card's JSON (None: the card itself).
PART_FIELDS: tuple[tuple[str | None, str], ...] = (
    ("summary", "component_codes"),
    ("summary", "how_reached"),
    ("summary", "versions"),
    ("summary", "working_group"),
    ("summary", "handoffs"),
    (None, "testing_status"),
    (None, "ethics_reviews"),
)

#: The figures every fairness check writes (``mltrl.checks.FairnessCheck``).
FAIRNESS_FIGURES = ("demographic_parity_difference", "equalized_odds_difference")

#: Criteria whose outcome moves with the clock, not only with the registry (the ML Test Score
#: counts a monitor as live for a number of days): a member gated by one, and monitored, is
#: recomputed at every revision of its project's card.
TIME_DEPENDENT = ("ml-test-score",)


@dataclass
class MemberPart:
    component: ComponentRecord
    #: One list per entry of :data:`PART_FIELDS`, in that order.
    lists: list[list[Any]]
    #: Its metrics, latest value per name, in the order they were first recorded.
    metrics: list[Metric] = field(default_factory=list)
    #: The line of its latest fairness check, if any.
    fairness: str | None = None
    #: Whether its testing status can change with time alone (:data:`TIME_DEPENDENT`).
    volatile: bool = False


def member_parts(
    r: Reader,
    catalog: Catalog,
    components: list[ComponentRecord],
    origins: dict[int, Provenance | None],
    traits: Iterable[str],
) -> list[MemberPart]:
    """Each component's part, in the order given; ``traits``: their project's. What every part lists
    from its own rows (versions, working group, hand-offs, ethics answers) is read once for all of
    them: a project's card would otherwise ask each of those once per component."""
    ids = [c.id for c in components]
    versions = evidence_queries.current_versions_of(r, ids)
    groups = people_queries.working_groups(r, ids)
    handoffs = people_queries.handoffs_of(r, ids)
    answers = review_queries.ethics_answered_of(r, ids)
    parts = []
    for c in components:
        evidence = evidence_queries.evidence(r, component_id=c.id)
        testing, volatile = _testing(r, catalog, c, traits)
        origin = origins.get(c.id)
        lists: list[list[Any]] = [
            [c.code],
            [] if origin is None else [f"{c.code}: {origin.describe}"],
            [f"{c.code} {kind} {version}" for kind, version in sorted(versions.get(c.id, {}).items())],
            [
                f"{c.code}: {m['person']} ({m['role']}, L{m['joined_level']}-"
                + (f"L{m['left_level']})" if m["left_at"] else "now)")
                for m in groups.get(c.id, [])
            ],
            [
                f"{c.code}: {h['from'] or 'R&D'} -> {h['to']} at level {h['level']} ({h['at'][:10]})"
                for h in handoffs.get(c.id, [])
            ],
            testing,
            _ethics_review(r, c, answers.get(c.id, {})),
        ]
        parts.append(MemberPart(c, lists, latest_metrics(evidence), _fairness(evidence), volatile))
    return parts


def _testing(
    r: Reader, catalog: Catalog, component: ComponentRecord, traits: Iterable[str]
) -> tuple[list[TestStatus], bool]:
    """The evidence behind the component's claimed level: met, unmet, stale or waived."""
    gate = default_gate(component)
    if gate is None or component.status == "retired":
        return [], False
    out, volatile = [], False
    for c in evaluate_gate(r, catalog, component, gate, traits=traits).criteria:
        if c.kind == "evidence":
            out.append(TestStatus(criterion=f"{component.code}: {c.id}", status=c.status, detail=c.reason))
            volatile = volatile or c.id.split(".", 1)[-1] in TIME_DEPENDENT
    return out, volatile and _monitored(r, component)


def _monitored(r: Reader, component: ComponentRecord) -> bool:
    """Whether it has serving windows or joined actuals: only then does the ML Test Score's
    "monitor is live" (its only use of the clock) depend on when it is asked."""
    return bool(
        r.scalar(
            """SELECT 1 WHERE EXISTS (SELECT 1 FROM profiles WHERE component_id = :c AND role = 'window')
               OR EXISTS (SELECT 1 FROM evaluations WHERE component_id = :c AND n > 0)""",
            c=component.id,
        )
    )


def _ethics_review(r: Reader, c: ComponentRecord, answers: dict[int, int]) -> list[str]:
    """The latest review whose ethics checklist was answered in full (``answers``: review id -> how
    many questions were answered, read once however many reviews it had)."""
    for review in reversed(review_queries.reviews(r, component_id=c.id)):
        answered = answers.get(review.id, 0)
        if answered and answered >= len(review.template["ethics"]):
            return [
                f"{c.code}: checklist completed in review {review.id} (level {review.level}, "
                f"{review.opened_at.date().isoformat()})"
            ]
    return []


def latest_metrics(evidence: list[Any]) -> list[Metric]:
    latest: dict[str, Metric] = {}
    for e in evidence:  # ordered by id: later evidence replaces earlier values of the same metric
        for name, value in e.metrics.items():
            label = f"{e.code} {name}" if e.code else name
            latest[label] = Metric(name=label, value=value, evidence=e.id, fresh=e.fresh)
    return list(latest.values())


def _fairness(evidence: list[Any]) -> str | None:
    latest = None
    for e in evidence:
        if any(figure in e.metrics for figure in FAIRNESS_FIGURES):
            latest = e
    if latest is None:
        return None
    e = latest
    figures = "; ".join(
        f"{figure.replace('_', ' ')} {e.metrics[figure]:.3g}"
        + (
            f" [{e.metrics[figure + '_ci_low']:.3g}, {e.metrics[figure + '_ci_high']:.3g}]"
            if figure + "_ci_low" in e.metrics and figure + "_ci_high" in e.metrics
            else ""
        )
        for figure in FAIRNESS_FIGURES
        if figure in e.metrics
    )
    fresh = "" if e.fresh else ", stale"
    return f"{e.code}: fairness {e.outcome}: {figures} (evidence {e.id}{fresh})"
