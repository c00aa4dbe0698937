"""Assemble a TRL Card from the registry (levels, owners, requirements, evidence, data, reviews) and
the hand-written sections, so the card is always as true as the registry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from mltrl.analytics.targets import target_statuses
from mltrl.cards import storage
from mltrl.cards.model import (
    Card,
    CustomSection,
    DataSet,
    Metric,
    Requirement,
    Revision,
    Summary,
    TestStatus,
)
from mltrl.catalog import Catalog, load_catalog
from mltrl.domain.model import phase_of
from mltrl.errors import NotFound
from mltrl.gates import default_gate, evaluate_gate
from mltrl.store import (
    dataset_queries,
    evidence_queries,
    people_queries,
    queries,
    requirement_queries,
    review_queries,
)
from mltrl.store.provenance_queries import provenance
from mltrl.store.reader import Reader, as_utc
from mltrl.views.cadence import schedule
from mltrl.views.status import project_status

TOP_REQUIREMENTS = 5
MAX_METRICS = 20


def sections(r: Reader, project_key: str, scope: str) -> dict[str, str]:
    rows = r.all(
        """SELECT s.section, s.text FROM card_sections s JOIN projects p ON p.id = s.project_id
           WHERE p.key = :key AND s.scope = :scope""",
        key=project_key,
        scope=scope,
    )
    return {row["section"]: row["text"] for row in rows}


def revisions(r: Reader, project_key: str, scope: str) -> list[Revision]:
    rows = r.all(
        """SELECT v.number, v.level, v.created_at, v.reason FROM card_revisions v
           JOIN projects p ON p.id = v.project_id
           WHERE p.key = :key AND v.scope = :scope ORDER BY v.number""",
        key=project_key,
        scope=scope,
    )
    return [
        Revision(
            number=row["number"],
            level=row["level"],
            created_at=as_utc(row["created_at"]).isoformat(),
            reason=row["reason"],
        )
        for row in rows
    ]


def revision_content(r: Reader, project_key: str, scope: str, number: int) -> dict[str, Any]:
    """A frozen revision's card, as it was frozen (rebuilt from the patches it is stored as)."""
    project = queries.project(r, project_key)
    stored = None if project is None else storage.load(r, project.id, scope, int(number))
    if stored is None:
        where = f"{project_key}/{scope}" if scope else project_key
        raise NotFound(f"no card revision {number} of {where} (see `mltrl card revisions`)")
    return stored.card


def assemble(
    r: Reader, catalog: Catalog, project_key: str, scope: str = "", *, at: datetime | None = None
) -> Card:
    project = queries.project(r, project_key)
    if project is None:
        raise NotFound(f"no project {project_key!r}")
    if scope:
        # A component's card needs its own part of the project only: reading the whole project
        # here would make every level move cost the size of its project.
        component = queries.component(r, project.key, scope)
        if component is None:
            raise NotFound(f"no component {scope!r} in project {project.key!r}")
        members = [component, *queries.children(r, project.key, scope)]
        level, held_back, held_back_names = component.level, [], []
        name, identifier = f"{component.name} ({project.name})", component.ref
        nodes = _member_nodes(r, catalog, project.key, members)
        origins = provenance(r, project.key, [c.id for c in members])
    else:
        status = project_status(r, project, review_every_days=catalog.settings.review_every_days)
        members = [c for c in queries.components(r, project.key) if c.status != "retired"]
        level, held_back, held_back_names = (
            status.system_level,
            status.held_back_by,
            status.held_back_by_names,
        )
        name, identifier = project.name, project.key
        nodes = list(_nodes(status, {c.code for c in members}))
        origins = {n.component.id: n.provenance for n in nodes if n.provenance is not None}
    text = sections(r, project.key, scope)
    requirements = _requirements(r, project.key, members, scoped=bool(scope))
    evidence = [e for c in members for e in evidence_queries.evidence(r, component_id=c.id)]
    summary = Summary(
        technology_name=name,
        technology_id=identifier,
        level=level,
        phase=None if level is None else phase_of(level),
        held_back_by=held_back,
        rd_owner=project.rd_owner,
        rd_reviewer=text.get("rd-reviewer") or None,
        product_owner=project.product_owner,
        product_reviewer=text.get("product-reviewer") or None,
        component_codes=[c.code for c in members],
        # Each coupling once, whichever side recorded it.
        coupled_components=sorted(
            {
                " <-> ".join(sorted((c.ref, f"{k.project_key}/{k.code}")))
                for c in members
                for k in queries.couplings(r, c.id)
            }
        ),
        links={
            key: text[key]
            for key in ("project-page", "code", "requirements-link", "ethics-link")
            if text.get(key)
        },
        previous_revisions=revisions(r, project.key, scope),
        held_back_by_names=held_back_names,
        how_reached=[f"{c.code}: {origins[c.id].describe}" for c in members if c.id in origins],
        versions=[
            f"{c.code} {kind} {version}"
            for c in members
            for kind, version in sorted(evidence_queries.current_versions(r, c.id).items())
        ],
        generated_at=(at or datetime.now(UTC)).isoformat(),
        recurring_reviews=_recurring_reviews(nodes),
        targets=_targets(nodes),
        working_group=[
            f"{c.code}: {m['person']} ({m['role']}, L{m['joined_level']}-"
            + (f"L{m['left_level']})" if m["left_at"] else "now)")
            for c in members
            for m in people_queries.working_group(r, c.id)
        ],
        handoffs=[
            f"{c.code}: {h['from'] or 'R&D'} -> {h['to']} at level {h['level']} ({h['at'][:10]})"
            for c in members
            for h in people_queries.handoffs(r, c.id)
        ],
    )
    return Card(
        project=project.key,
        scope=scope,
        summary=summary,
        tldr=text.get("tldr", ""),
        top_requirements=requirements,
        model_details=text.get("model-details", ""),
        intended_use=text.get("intended-use", ""),
        unacceptable_uses=text.get("unacceptable-uses", ""),
        testing_status=_testing(r, catalog, members),
        data_considerations=text.get("data-considerations", ""),
        datasets=_datasets(r, members),
        ethics=text.get("ethics", ""),
        ethics_reviews=_ethics_reviews(r, members),
        ethics_facts=_ethics_facts(r, members, evidence),
        metrics=text.get("metrics", ""),
        metric_results=_metrics(evidence),
        caveats=text.get("caveats", ""),
        assumptions=text.get("assumptions", ""),
        custom_sections=[
            CustomSection(id=s.id, title=s.title, text=text.get(s.id, ""), required=s.required)
            for s in catalog.card_sections
        ],
        policy_notes=policy_notes(catalog),
    )


def _nodes(status: Any, codes: set[str]) -> Iterator[Any]:
    """The status nodes of the card's members, anywhere in the tree."""
    stack = list(status.roots)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.component.code in codes:
            yield node


def _member_nodes(r: Reader, catalog: Catalog, project_key: str, members: list[Any]) -> list[Any]:
    """The review due and the targets of each member, as :func:`project_status` finds them."""
    now = datetime.now(UTC)
    dues: dict[str, Any] = {}
    if any(c.level == 9 and c.status == "active" for c in members):
        every = catalog.settings.review_every_days
        dues = {d.ref: d for d in schedule(r, every, now, project_key)}
    return [
        SimpleNamespace(
            component=c,
            review_due=dues.get(c.ref),
            targets=target_statuses(r, now, component_id=c.id),
        )
        for c in members
    ]


def _targets(nodes: list[Any]) -> list[str]:
    return sorted(f"{n.component.code}: {t.describe}" for n in nodes for t in n.targets)


def _recurring_reviews(nodes: list[Any]) -> list[str]:
    out = []
    for node in nodes:
        due = node.review_due
        if due is not None:
            when = due.due_at.date().isoformat()
            state = f"OVERDUE since {when}" if due.overdue else f"next on {when}"
            out.append(f"{node.component.code}: reviewed every {due.every_days} days, {state}")
    return sorted(out)


def policy_notes(catalog: Catalog) -> list[str]:
    """Where the organisation's policy relaxes or adds to what MLTRL makes mandatory."""
    shipped = {c.id: c.waivable for level in load_catalog(None).levels for c in level.criteria}
    notes = []
    for level in catalog.levels:
        for c in level.criteria:
            if c.id in shipped and shipped[c.id] != c.waivable:
                verb = "lets panels waive" if c.waivable else "makes mandatory"
                notes.append(f"this organisation's policy {verb} {c.id}")
            elif c.id not in shipped and not c.waivable:
                notes.append(f"this organisation's policy adds mandatory criterion {c.id}")
    mandatory = {cid for cid, waivable in shipped.items() if not waivable}
    present = {c.id for level in catalog.levels for c in level.criteria}
    notes += [
        f"this organisation's policy removes mandatory criterion {cid}" for cid in sorted(mandatory - present)
    ]
    ours, default = catalog.settings, load_catalog(None).settings
    free, shipped_free = ours.entry_without_review_up_to, default.entry_without_review_up_to
    if free > shipped_free:
        notes.append(
            f"this organisation's policy lets a component enter up to level {free} with a reason alone, "
            f"without an entry review (shipped: {shipped_free})"
        )
    if not ours.separation_of_duties:
        notes.append("this organisation's policy lets the owner of the work be its only approver")
    return notes


def _requirements(r: Reader, project_key: str, members: list[Any], *, scoped: bool) -> list[Requirement]:
    if scoped:
        found = {q.id: q for c in members for q in requirement_queries.for_component(r, c.id)}
        chosen = list(found.values())
    else:
        chosen = requirement_queries.requirements(r, project_key)
    ranked = sorted(chosen, key=lambda q: (-q.risk, q.code))[:TOP_REQUIREMENTS]
    return [
        Requirement(
            id=q.code,
            kind=q.kind,
            statement=q.statement,
            risk=q.risk,
            vv=f"{sum(s.status in ('passed', 'waived') for s in q.steps)}/{len(q.steps)}",
        )
        for q in ranked
    ]


def _testing(r: Reader, catalog: Catalog, members: list[Any]) -> list[TestStatus]:
    """The evidence behind each component's claimed level: met, unmet, stale or waived."""
    out = []
    for component in members:
        gate = default_gate(component)
        if gate is None or component.status == "retired":
            continue
        for c in evaluate_gate(r, catalog, component, gate).criteria:
            if c.kind == "evidence":
                out.append(
                    TestStatus(criterion=f"{component.code}: {c.id}", status=c.status, detail=c.reason)
                )
    return out


def _datasets(r: Reader, members: list[Any]) -> list[DataSet]:
    uses: dict[str, list[str]] = {}
    for c in members:
        for link in dataset_queries.links_of_component(r, c.id):
            uses.setdefault(link.dataset_key, []).append(
                f"{c.code} {link.role}" + (f" v{link.version}" if link.version else "")
            )
    out = []
    for key, used in sorted(uses.items()):
        d = dataset_queries.datasets(r, key=key)[0]
        out.append(
            DataSet(
                key=d.key,
                name=d.name,
                kind=d.kind,
                versions=[v.version for v in d.versions],
                used_as=used,
                sensitive=d.sensitive,
            )
        )
    return out


def _ethics_reviews(r: Reader, members: list[Any]) -> list[str]:
    """For each component, the latest review whose ethics checklist was answered in full."""
    out = []
    for c in members:
        for review in reversed(review_queries.reviews(r, component_id=c.id)):
            answered = len(review_queries.details(r, review.id)["ethics"])
            if answered and answered >= len(review.template["ethics"]):
                out.append(
                    f"{c.code}: checklist completed in review {review.id} (level {review.level}, "
                    f"{review.opened_at.date().isoformat()})"
                )
                break
    return out


#: The figure every fairness check writes (``mltrl.checks.FairnessCheck``).
FAIRNESS_FIGURES = ("demographic_parity_difference", "equalized_odds_difference")


def _ethics_facts(r: Reader, members: list[Any], evidence: list[Any]) -> list[str]:
    """Facts for the ethics section: the groups each data set holds, as counted from the data, and
    each component's latest fairness result with its intervals."""
    out = []
    keys = sorted({link.dataset_key for c in members for link in dataset_queries.links_of_component(r, c.id)})
    for key in keys:
        for entry in dataset_queries.datasets(r, key=key)[0].demographics:
            rows = max(entry["rows"], 1)
            groups = ", ".join(f"{g} {n / rows:.0%}" for g, n in entry["groups"].items())
            out.append(f"data set {key}, {entry['column']}: {groups} of {entry['rows']} rows")
    latest: dict[str, Any] = {}
    for e in evidence:
        if any(figure in e.metrics for figure in FAIRNESS_FIGURES):
            latest[e.code] = e
    for code, e in sorted(latest.items()):
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
        out.append(f"{code}: fairness {e.outcome}: {figures} (evidence {e.id}{fresh})")
    return out


def _metrics(evidence: list[Any]) -> list[Metric]:
    latest: dict[str, Metric] = {}
    for e in evidence:  # ordered by id: later evidence replaces earlier values of the same metric
        for name, value in e.metrics.items():
            label = f"{e.code} {name}" if e.code else name
            latest[label] = Metric(name=label, value=value, evidence=e.id, fresh=e.fresh)
    return list(latest.values())[-MAX_METRICS:]
