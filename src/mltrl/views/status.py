"""``status``: a project's components as a tree, each with level and phase, and the system TRL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mltrl.analytics.targets import TargetStatus, target_statuses
from mltrl.domain.model import ComponentKind, Part, Status, phase_of
from mltrl.domain.rollup import code_sort_key, roll_up
from mltrl.store import alert_queries, evidence_queries, queries
from mltrl.store.coupling_queries import external_couplings
from mltrl.store.provenance_queries import Provenance, provenance
from mltrl.store.reader import Reader
from mltrl.store.records import ComponentRecord, ProjectRecord
from mltrl.views.cadence import ReviewDue, schedule


@dataclass
class StatusNode:
    component: ComponentRecord
    effective_level: int | None  # None for a retired component: it no longer counts
    stale_evidence: list[str] = field(default_factory=list)  # criteria backed only by outdated evidence
    open_alerts: int = 0  # monitoring alerts nobody has acknowledged yet
    provenance: Provenance | None = None  # how it came to its level
    review_due: ReviewDue | None = None  # deployed: when its recurring review is due
    targets: list[TargetStatus] = field(default_factory=list)  # "reach level N by date"
    children: list[StatusNode] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        """Short marks for levels that no review here passed: imported history, entry without review."""
        p, out = self.provenance, []
        if p is None:
            return out
        if p.start_kind == "propose" and p.entry_review is None:
            out.append(f"waits for its entry review into L{p.start_level}")
        elif p.start_kind == "propose":
            out.append(f"entered at L{p.start_level} by entry review {p.entry_review}")
        elif p.start_kind == "initiate" and p.start_level > 0:
            out.append(f"entered at L{p.start_level} with a reason")
        if p.imported_up_to is not None:
            out.append(f"imported history to L{p.imported_up_to}")
        if self.review_due is not None:
            due = self.review_due.due_at.date().isoformat()
            out.append(f"review OVERDUE since {due}" if self.review_due.overdue else f"next review {due}")
        out += [f"target {t.describe}" for t in self.targets if t.state not in ("met", "met late")]
        return out

    def to_json(self) -> dict[str, Any]:
        c = self.component
        return {
            "code": c.code,
            "name": c.name,
            "kind": c.kind,
            "level": c.level,
            "phase": phase_of(c.level),
            "effective_level": self.effective_level,
            "entry_level": c.entry_level,
            "status": c.status,
            "forked_from": c.forked_from,
            "stale_evidence": self.stale_evidence,
            "open_alerts": self.open_alerts,
            "provenance": self.provenance.to_json() if self.provenance else None,
            "review_due": self.review_due.to_json() if self.review_due else None,
            "targets": [t.to_json() for t in self.targets],
            "children": [child.to_json() for child in self.children],
        }


@dataclass
class ProjectStatus:
    project: ProjectRecord
    roots: list[StatusNode]
    system_level: int | None
    held_back_by: list[str]  # codes of the components whose level sets the system TRL
    #: Holder code (or KEY/CODE, for a coupled component of another project) -> its name.
    holder_names: dict[str, str] = field(default_factory=dict)

    @property
    def held_back_by_names(self) -> list[str]:
        return [f"{code} {self.holder_names.get(code, '')}".strip() for code in self.held_back_by]

    @property
    def system_phase(self) -> str | None:
        return None if self.system_level is None else phase_of(self.system_level)

    def _repr_html_(self) -> str:
        from mltrl.views.notebook import status_html

        return status_html(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "project": self.project.to_json(),
            "system_level": self.system_level,
            "system_phase": self.system_phase,
            "held_back_by": self.held_back_by,
            "held_back_by_names": [
                f"{code} {self.holder_names.get(code, '')}".strip() for code in self.held_back_by
            ],
            "components": [node.to_json() for node in self.roots],
        }


def project_status(
    r: Reader, project: ProjectRecord, *, review_every_days: int | Callable[[], int] = 90
) -> ProjectStatus:
    """The project's tree and system TRL. ``review_every_days`` is the policy's cadence of level-9
    reviews, or a function giving it (called only when the project has a deployed component)."""
    records = queries.components(r, project.key)
    parts = [
        Part(
            code=c.code,
            level=c.level,
            status=Status(c.status),
            kind=ComponentKind(c.kind),
            parent=c.parent_code,
        )
        for c in records
    ]
    # A component of another project that one of ours is coupled to holds our system back like a
    # part of the component it is coupled to (the paper: couplings across projects are tracked).
    outside = external_couplings(r, project.key)
    parts += [
        Part(
            code=k.other_ref,
            level=k.other_level,
            status=Status(k.other_status),
            kind=ComponentKind.COMPOSITE,
            parent=k.local_code,
        )
        for k in outside
    ]
    rollup = roll_up(parts)
    stale = evidence_queries.stale_criteria(r, project.key)
    alarms = alert_queries.open_counts(r, project.key)
    origins = provenance(r, project.key)
    dues: dict[str, ReviewDue] = {}
    if any(c.level == 9 and c.status == "active" for c in records):
        every = review_every_days() if callable(review_every_days) else review_every_days
        dues = {d.ref: d for d in schedule(r, every, datetime.now(UTC), project.key)}
    aims: dict[str, list[TargetStatus]] = {}
    for aim in target_statuses(r, datetime.now(UTC), project_key=project.key):  # cheap when none
        aims.setdefault(aim.target.ref, []).append(aim)
    nodes = {
        c.code: StatusNode(
            c,
            rollup.effective.get(c.code),
            stale.get(c.code, []),
            alarms.get(c.code, 0),
            origins.get(c.id),
            dues.get(c.ref),
            aims.get(c.ref, []),
        )
        for c in records
    }
    roots: list[StatusNode] = []
    for record in sorted(records, key=lambda c: code_sort_key(c.code)):
        node = nodes[record.code]
        parent = nodes.get(record.parent_code) if record.parent_code else None
        (parent.children if parent is not None else roots).append(node)
    return ProjectStatus(
        project=project,
        roots=roots,
        system_level=rollup.system_level,
        held_back_by=rollup.holders,
        holder_names={
            **{k.other_ref: k.other_name for k in outside},
            **{c.code: c.name for c in records},
        },
    )
