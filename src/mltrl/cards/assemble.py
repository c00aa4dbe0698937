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
    Requirement,
    Revision,
    Summary,
)
from mltrl.cards.parts import PART_FIELDS, MemberPart, member_parts
from mltrl.catalog import Catalog, load_catalog
from mltrl.domain.model import phase_of
from mltrl.errors import NotFound
from mltrl.store import (
    dataset_queries,
    queries,
    requirement_queries,
)
from mltrl.store.provenance_queries import provenance
from mltrl.store.reader import Reader, as_utc
from mltrl.store.records import ComponentRecord, ProjectRecord
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
    return assemble_with_parts(r, catalog, project_key, scope, at=at)[0]


def assemble_with_parts(
    r: Reader,
    catalog: Catalog,
    project_key: str,
    scope: str = "",
    *,
    at: datetime | None = None,
    project: ProjectRecord | None = None,
    component: ComponentRecord | None = None,
) -> tuple[Card, list[MemberPart]]:
    """The card, and each member's part of it (in member order); ``project`` and ``component`` (the
    scope's record): the records, when the caller has them as they stand in this transaction."""
    project = project or queries.project(r, project_key)
    if project is None:
        raise NotFound(f"no project {project_key!r}")
    if scope:
        # A component's card needs its own part of the project only: reading the whole project
        # here would make every level move cost the size of its project.
        component = component or queries.component(r, project.key, scope)
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
    parts = member_parts(r, catalog, members, origins, project.traits)  # type: ignore[arg-type]
    card = combine(
        r,
        catalog,
        project,
        scope,
        parts,
        level=level,
        held_back=held_back,
        held_back_names=held_back_names,
        name=name,
        identifier=identifier,
        nodes=nodes,
        at=at,
    )
    return card, parts


def combine(
    r: Reader,
    catalog: Catalog,
    project: Any,
    scope: str,
    parts: list[MemberPart],
    *,
    level: int | None,
    held_back: list[str],
    held_back_names: list[str],
    name: str,
    identifier: str,
    nodes: list[Any],
    at: datetime | None,
) -> Card:
    """The card from its members' parts (in member order) and what the project itself holds."""
    members = [p.component for p in parts]
    lists = [[item for p in parts for item in p.lists[i]] for i in range(len(PART_FIELDS))]
    codes, how_reached, versions, working_group, handoffs, testing, ethics_reviews = lists
    text = sections(r, project.key, scope)
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
        component_codes=codes,
        coupled_components=coupled_components(r, members),
        links=card_links(text),
        previous_revisions=revisions(r, project.key, scope),
        held_back_by_names=held_back_names,
        how_reached=how_reached,
        versions=versions,
        generated_at=(at or datetime.now(UTC)).isoformat(),
        recurring_reviews=_recurring_reviews(nodes),
        targets=_targets(nodes),
        working_group=working_group,
        handoffs=handoffs,
    )
    links = dataset_links(r, members)
    return Card(
        project=project.key,
        scope=scope,
        summary=summary,
        tldr=text.get("tldr", ""),
        top_requirements=top_requirements(r, project.key, members, scoped=bool(scope)),
        model_details=text.get("model-details", ""),
        intended_use=text.get("intended-use", ""),
        unacceptable_uses=text.get("unacceptable-uses", ""),
        testing_status=testing,
        data_considerations=text.get("data-considerations", ""),
        datasets=datasets(r, links),
        ethics=text.get("ethics", ""),
        ethics_reviews=ethics_reviews,
        ethics_facts=dataset_facts(r, links)
        + [p.fairness for p in sorted(parts, key=lambda p: p.component.code) if p.fairness],
        metrics=text.get("metrics", ""),
        metric_results=[m for p in parts for m in p.metrics][-MAX_METRICS:],
        caveats=text.get("caveats", ""),
        assumptions=text.get("assumptions", ""),
        custom_sections=[
            CustomSection(id=s.id, title=s.title, text=text.get(s.id, ""), required=s.required)
            for s in catalog.card_sections
        ],
        policy_notes=policy_notes(catalog),
    )


def dataset_links(r: Reader, members: list[Any]) -> list[tuple[str, Any]]:
    """(member code, link) for each data set link of the members, in member order."""
    code = {c.id: c.code for c in members}
    order = {c.id: i for i, c in enumerate(members)}
    found = dataset_queries.links_of_components(r, list(code))
    return [(code[cid], link) for cid, link in sorted(found, key=lambda x: order[x[0]])]


def datasets(r: Reader, links: list[tuple[str, Any]]) -> list[DataSet]:
    uses: dict[str, list[str]] = {}
    for code, link in links:
        uses.setdefault(link.dataset_key, []).append(
            f"{code} {link.role}" + (f" v{link.version}" if link.version else "")
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


def dataset_facts(r: Reader, links: list[tuple[str, Any]]) -> list[str]:
    """Who is in the data: the groups each linked data set holds, as counted from the data."""
    out = []
    for key in sorted({link.dataset_key for _, link in links}):
        for entry in dataset_queries.datasets(r, key=key)[0].demographics:
            rows = max(entry["rows"], 1)
            groups = ", ".join(f"{g} {n / rows:.0%}" for g, n in entry["groups"].items())
            out.append(f"data set {key}, {entry['column']}: {groups} of {entry['rows']} rows")
    return out


def coupled_components(r: Reader, members: list[Any]) -> list[str]:
    """Each coupling of the members once, whichever side recorded it."""
    ids = [c.id for c in members]
    mine, mine_ids = r.in_ids("k.component_id", ids)
    theirs, _ = r.in_ids("k.other_id", ids)  # the same list: the same parameter
    rows = r.tuples(  # one read for all members, whichever side of each coupling they are
        f"""SELECT pa.key || '/' || a.code, pb.key || '/' || b.code FROM couplings k
            JOIN components a ON a.id = k.component_id JOIN projects pa ON pa.id = a.project_id
            JOIN components b ON b.id = k.other_id JOIN projects pb ON pb.id = b.project_id
            WHERE {mine} OR {theirs}""",
        **mine_ids,
    )
    return sorted({" <-> ".join(sorted(pair)) for pair in rows})


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
    return sorted(recurring_line(n.component.code, n.review_due) for n in nodes if n.review_due is not None)


def recurring_line(code: str, due: Any) -> str:
    """A deployed component's line under "recurring reviews": its cadence and the next review."""
    when = due.due_at.date().isoformat()
    state = f"OVERDUE since {when}" if due.overdue else f"next on {when}"
    return f"{code}: reviewed every {due.every_days} days, {state}"


def card_links(text: dict[str, str]) -> dict[str, str]:
    """The links a card's sections give, in the card's order."""
    return {
        key: text[key]
        for key in ("project-page", "code", "requirements-link", "ethics-link")
        if text.get(key)
    }


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


def top_requirements(r: Reader, project_key: str, members: list[Any], *, scoped: bool) -> list[Requirement]:
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
