"""``review show``: a review with its template, what was recorded, what blocks it, and the level's context.

The context is what MLTRL asks each gate to look at: the research requirements
and their V&V at level 2, whether real data is linked at level 4, whether
every level-2 V&V step passed or was waived and product requirements exist at
level 5, and the deployment setting at level 6.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mltrl import sshsig
from mltrl.catalog import Catalog
from mltrl.domain.review import (
    Blocker,
    Template,
    blocker_items,
    blockers,
    quorum_items,
)
from mltrl.errors import MltrlError, NotFound
from mltrl.gates import evidence_blocker_items
from mltrl.store import alert_queries, dataset_queries, queries, requirement_queries, review_queries
from mltrl.store.reader import Reader
from mltrl.store.records import ReviewRecord
from mltrl.views import attestation

DEPLOYMENT_POINTS = ("deployment-audience", "deployment-hosting", "deployment-processing")
DONE = ("passed",)  # level 5 asks for every level-2 V&V step complete: a waived step was not done


@dataclass
class ReviewView:
    record: ReviewRecord
    template: Template
    owner: str | None
    details: dict[str, list[dict[str, Any]]]
    blockers: list[str]  # what stands between this review and a graduation (empty once decided)
    context: dict[str, Any]
    passed: bool = False  # the gate held when it was decided (graduate, keep, or passed-and-paused)
    #: ``blockers`` as structured items: kind, subject, message (the same sentences, in order).
    blocker_items: list[Blocker] = field(default_factory=list)

    def _repr_html_(self) -> str:
        from mltrl.views.notebook import review_html

        return review_html(self)

    @property
    def entry(self) -> bool:
        """An entry review: the gate into ``level + 1`` for a component waiting to enter there."""
        return self.template.entry

    @property
    def outcome(self) -> str:
        """What the review came to, in words: open, superseded, or its decision and what it did."""
        r = self.record
        if r.status != "decided":
            return r.status
        decision = r.decision
        if decision == "graduate":
            return f"entered at level {r.level + 1}" if self.entry else f"graduated to level {r.level + 1}"
        if decision == "pause":
            return "passed, paused" if self.passed else "paused"
        if decision == "stay":
            return f"decided, stays at level {r.level}"
        if decision == "switchback":
            return f"switched back to level {r.to_level}"
        return "tasks required"

    def to_json(self) -> dict[str, Any]:
        return {
            **self.record.to_json(),
            "entry": self.entry,
            "outcome": self.outcome,
            "passed": self.passed,
            "owner": self.owner,
            "template": self.template.to_json(),
            **self.details,
            "blockers": self.blockers,
            "blocker_items": [b.to_json() for b in self.blocker_items],
            "context": self.context,
        }


def review_view(r: Reader, review_id: int, catalog: Catalog, signers: Path | None = None) -> ReviewView:
    """The review as ``review show`` prints it; ``signers``: the allowed-signers file SSH signatures
    are checked against (docs/trust.md)."""
    record = review_queries.review(r, review_id)
    if record is None:
        raise NotFound(f"no review {review_id} (see `mltrl review list`)")
    component = queries.component(r, record.project_key, record.code)
    project = queries.project(r, record.project_key)
    assert component is not None and project is not None
    owner = component.owner or project.rd_owner
    details = review_queries.details(r, review_id)  # read once: the state and the gate fold the same rows
    state = review_queries.state(r, record, owner, details)
    still_open = record.status == "open"
    checks = attestation.signature_checks(r, record, details)
    stale = [Blocker("signature", person, reason) for person, reason in attestation.stale_approvals(checks)]
    items = (
        # An open review is the latest at its level: the one its gate's review criteria read.
        _readiness(state)
        + evidence_blocker_items(r, catalog, component, record.level, (record, details))
        + stale
        if still_open
        else []
    )
    for row in details["signatures"]:
        _explain_signature(row, checks.get(row["person"], {}), record.id, signers)
    return ReviewView(
        record=record,
        template=state.template,
        owner=owner,
        details=details,
        blockers=[b.message for b in items],
        context=level_context(r, record, component.id),
        passed=_passed(r, record),
        blocker_items=items,
    )


def _explain_signature(
    row: dict[str, Any], check: dict[str, Any], review_id: int, signers: Path | None
) -> None:
    """Add to a signature row whether it still matches the review, and whether its SSH signature holds."""
    matches = check.get("matches")
    row["matches"] = matches
    row["changes"] = check.get("changes", [])
    row["status"] = (
        "signed before digests were kept"
        if matches is None
        else "matches"
        if matches and check.get("intact", True)
        else "signed on different evidence"
        if check.get("intact", True)
        else "the signed record was altered"
    )
    armored = row.pop("ssh_signature", None)
    if armored is None:
        row["ssh"] = None
        return
    statement = attestation.statement(review_id, row["person"], row["verdict"], row["digest"])
    try:
        key = sshsig.verify(signers, row["person"], statement, armored)
        row["ssh"] = {"key": key, "verified": True, "problem": None}
    except MltrlError as exc:
        row["ssh"] = {"key": row["ssh_key"], "verified": False, "problem": exc.message}


def _readiness(state: Any) -> list[Blocker]:
    """What stands between the review and passing its gate (graduating; at level 9, 'keep'): the
    quorum, then the blockers, in the words and order of ``check_decision(state, GRADUATE)``."""
    quorum = quorum_items(state)
    said = {b.message for b in quorum}
    return quorum + [b for b in blocker_items(state) if b.message not in said]


def _passed(r: Reader, record: ReviewRecord) -> bool:
    if record.status != "decided":
        return False
    for event in queries.events(r, component_id=record.component_id):
        data = event.data or {}
        if event.kind == "review.decide" and data.get("review") == record.id:
            return bool(data.get("passed", record.decision == "graduate"))
    return False


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


__all__ = ["Blocker", "ReviewView", "blockers", "level_context", "review_view"]
