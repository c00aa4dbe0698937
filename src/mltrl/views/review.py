"""``review show``: a review with its template, what was recorded, what blocks it, and the level's context.

The context is what MLTRL asks each gate to look at: the research requirements
and their V&V at level 2, whether real data is linked at level 4, whether
every level-2 V&V step passed or was waived and product requirements exist at
level 5, and the deployment setting at level 6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mltrl.catalog import Catalog
from mltrl.domain.review import Decision, Template, blockers, check_decision
from mltrl.errors import NotFound
from mltrl.gates import evidence_blockers
from mltrl.store import alert_queries, dataset_queries, queries, requirement_queries, review_queries
from mltrl.store.reader import Reader
from mltrl.store.records import ReviewRecord

DEPLOYMENT_POINTS = ("deployment-audience", "deployment-hosting", "deployment-processing")
DONE = ("passed", "waived")


@dataclass
class ReviewView:
    record: ReviewRecord
    template: Template
    owner: str | None
    details: dict[str, list[dict[str, Any]]]
    blockers: list[str]  # what stands between this review and a graduation (empty once decided)
    context: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.record.to_json(),
            "owner": self.owner,
            "template": self.template.to_json(),
            **self.details,
            "blockers": self.blockers,
            "context": self.context,
        }


def review_view(r: Reader, review_id: int, catalog: Catalog) -> ReviewView:
    record = review_queries.review(r, review_id)
    if record is None:
        raise NotFound(f"no review {review_id} (see `mltrl review list`)")
    component = queries.component(r, record.project_key, record.code)
    project = queries.project(r, record.project_key)
    assert component is not None and project is not None
    owner = component.owner or project.rd_owner
    state = review_queries.state(r, record, owner)
    still_open = record.status == "open"
    return ReviewView(
        record=record,
        template=state.template,
        owner=owner,
        details=review_queries.details(r, review_id),
        blockers=(
            check_decision(state, Decision.GRADUATE)
            + evidence_blockers(r, catalog, record.project_key, record.code, record.level)
        )
        if still_open
        else [],
        context=level_context(r, record, component.id),
    )


def level_context(r: Reader, record: ReviewRecord, component_id: int) -> dict[str, Any]:
    linked_data = dataset_queries.links_of_component(r, component_id)
    context: dict[str, Any] = {
        "requirements": [_requirement(q) for q in requirement_queries.for_component(r, component_id)],
        "datasets": [link.to_json() for link in linked_data],
        # monitoring alerts brought before this review (mltrl monitor review / check --open-review)
        "alerts": alert_queries.for_review(r, record.id),
    }
    all_requirements = requirement_queries.requirements(r, record.project_key)
    research = [q for q in all_requirements if q.kind == "research"]
    if record.level == 2:
        context["research_requirements"] = [_requirement(q) for q in research]
    if record.level == 4:
        context["real_data_linked"] = any(link.dataset_kind == "real" for link in linked_data)
    if record.level == 5:
        open_steps = [
            f"{q.code} step {s.number} ({s.status})"
            for q in research
            for s in q.steps
            if s.status not in DONE
        ]
        context["research_vv_complete"] = bool(research) and not open_steps
        context["research_vv_open"] = open_steps
        context["product_requirements"] = [q.code for q in all_requirements if q.kind == "product"]
    if record.level == 6:
        choices = {
            row["point_id"]: row["option_id"] for row in review_queries.details(r, record.id)["choices"]
        }
        context["deployment_setting"] = {p: choices.get(p) for p in DEPLOYMENT_POINTS}
    return context


def _requirement(q: Any) -> dict[str, Any]:
    return {
        "id": q.code,
        "kind": q.kind,
        "statement": q.statement,
        "risk": q.risk,
        "vv": [f"{s.number}. {s.kind} by {s.method}: {s.status}" for s in q.steps],
    }


__all__ = ["ReviewView", "blockers", "level_context", "review_view"]
