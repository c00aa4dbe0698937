"""The next revision of a project's card, derived from the one before: a move costs what it changed.

Every level move freezes its project's card. Assembling that card whole visits every component of
the project, so in a project of 1,000 components a move cost ten times what it cost in one of 10.
A card is its members' parts joined in member order (:mod:`mltrl.cards.parts`) plus what the
project holds itself, so the next revision is the latest one with the parts of the components
that changed replaced, and the project-wide fields that can change without a project-wide
event (system level, requirements, data sets, couplings, due reviews ...) read again, each with a
query whose cost follows what it lists; the rest (hand-written sections, policy notes) carried over.

``card_members`` keeps, for the latest revision, the length of each component's run in each
per-component list, so a run is found by summing the lengths before it (in SQL) and replaced with
a slice. A component changed when the event log has an event of it since that revision (every
write appends one, in the same transaction). Anything a part may depend on beyond its own
component — a project-wide event (requirements, traits, data sets), a data set's event in any
project, a component added or retired, another policy — sends the freeze back to the whole
assembly, which then rewrites ``card_members``: a derived revision is always the card the whole
assembly gives (``MLTRL_VERIFY_CARDS=1`` checks each one against it; the test suite runs so).
"""

from __future__ import annotations

import bisect
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mltrl.cards.assemble import (
    MAX_METRICS,
    dataset_facts,
    datasets,
    recurring_line,
    top_requirements,
)
from mltrl.cards.model import Revision
from mltrl.cards.parts import PART_FIELDS, MemberPart, latest_metrics, member_parts
from mltrl.catalog import Catalog
from mltrl.domain.model import phase_of
from mltrl.domain.rollup import code_sort_key
from mltrl.store import dataset_queries, evidence_queries, queries
from mltrl.store.coupling_queries import external_couplings
from mltrl.store.provenance_queries import provenance
from mltrl.store.reader import Reader, as_utc
from mltrl.store.records import ComponentRecord, ProjectRecord

#: card_members' length columns, one per entry of PART_FIELDS.
COUNTS = ("n_codes", "n_how", "n_versions", "n_group", "n_handoffs", "n_testing", "n_ethics")
_NOT_LIVE = "('retired', 'entering')"
VERIFY = "MLTRL_VERIFY_CARDS"


@dataclass
class Latest:
    """The project card's latest revision as a derivation starts from it."""

    card: dict[str, Any]
    number: int
    #: Where its chain of stored patches stands (:class:`mltrl.cards.storage.Stored`).
    chain_start: int
    patched: int
    size: int
    token: str
    #: The revision as the next one lists it among its previous revisions, when this process froze
    #: it (else read: :func:`revisions_after`).
    listed: dict[str, Any] | None = None


@dataclass
class Derived:
    card: dict[str, Any]
    #: The patch from the latest revision to ``card`` (:mod:`mltrl.cards.delta`'s format).
    patch: dict[str, Any]
    size: int
    parts: list[MemberPart] = field(default_factory=list)


#: What a project card's freeze starts from, in one row whatever is stored: the latest revision's
#: number, the latest event's id, and the project's card_state row (its columns NULL if none).
HEAD = """SELECT (SELECT MAX(number) FROM card_revisions WHERE project_id = :p AND scope = '') AS latest,
                 (SELECT MAX(id) FROM events) AS seen,
                 s.project_id AS state_of, s.number, s.seen_event, s.policy, s.size, s.token
          FROM (SELECT 1 AS one) o LEFT JOIN card_state s ON s.project_id = :p"""


def plan(
    r: Reader, project_id: int, policy: str, latest_number: int | None, state: dict[str, Any] | None
) -> tuple[dict, set[int]] | None:  # type: ignore[type-arg]
    """The card_state row and the components changed since it, or None when only a whole assembly
    can say what the next revision holds. ``state``: the project's card_state row, or None."""
    if state is None or state["number"] != latest_number or state["policy"] != policy:
        return None
    dirty: set[int] = set()
    # A composite's gate looks at its parts' levels (L<n>.parts-ready): a part's parent changed too.
    for row in r.tuples(
        """SELECT e.project_id, e.component_id, e.kind, c.parent_id FROM events e
           LEFT JOIN components c ON c.id = e.component_id
           WHERE e.id > :seen AND (e.project_id = :p OR e.kind LIKE :data_sets)""",
        seen=state["seen_event"],
        p=project_id,
        data_sets="dataset.%",
    ):
        pid, cid, kind, parent = row
        if pid != project_id:
            return None  # a data set changed: what it shows and the gates of who uses it
        if cid is None:
            # Anything but another freeze is the project's own: requirements, traits, data sets,
            # card sections (gates read them too) ...
            if kind != "card.freeze":
                return None
            continue
        dirty.add(cid)
        if parent is not None:
            dirty.add(parent)
    return state, dirty


def derive(
    r: Reader,
    catalog: Catalog,
    project: ProjectRecord,
    latest: Latest,
    dirty: set[int],
    *,
    at: datetime | None,
    known: dict[int, MemberPart] | None = None,
) -> Derived | None:
    """The next revision of the project's card from ``latest``, or None (assemble it whole).

    ``known``: parts this write already computed (for the component card it froze first)."""
    known = known or {}
    among, ids = r.in_ids("component_id", dirty)
    members = {
        row["component_id"]: row
        for row in r.all(
            f"""SELECT * FROM card_members WHERE project_id = :p AND volatile
                UNION SELECT * FROM card_members WHERE project_id = :p AND {among}""",
            p=project.id,
            **ids,
        )
    }
    if not dirty <= set(members):
        return None  # a new component
    # A part this write just computed holds its component's record as it stands in this
    # transaction (the component card's freeze ran on it a moment ago): only the others are read.
    records = {cid: known[cid].component for cid in members if cid in known}
    records |= queries.components_by_id(r, sorted(set(members) - set(records)))
    if any(c.status == "retired" for c in records.values()):
        return None  # one leaves the card
    parts = {cid: known[cid] for cid in members if cid in known}
    if len(parts) < len(members):
        origins = provenance(r, project.key, sorted(set(members) - set(parts)))
        missing = [records[cid] for cid in members if cid not in parts]
        fresh = member_parts(r, catalog, missing, origins, project.traits)  # type: ignore[arg-type]
        parts |= {p.component.id: p for p in fresh}
    offsets = {cid: _offsets(r, project.id, cid) for cid in members}
    # The changed members' rows as the new revision has them: the fields read below use them.
    for row in member_rows(project.id, list(parts.values())):
        r.execute(UPDATE_MEMBER, row)

    card = dict(latest.card)
    summary = card["summary"] = dict(card["summary"])
    patch_summary: dict[str, Any] = {}
    patch: dict[str, Any] = {}
    size = latest.size
    for i, (section, name) in enumerate(PART_FIELDS):
        holder, changes = (summary, patch_summary) if section else (card, patch)
        before = holder[name]
        after = list(before)
        low, high, grown = None, None, 0
        for cid in sorted(members, reverse=True):  # from the end: earlier runs keep their place
            start = offsets[cid][i]
            stop = start + members[cid][COUNTS[i]]
            items = [_json(x) for x in parts[cid].lists[i]]
            if after[start:stop] == items:
                continue
            after[start:stop] = items
            grown += len(items) - (stop - start)
            low = start if low is None else min(low, start)
            high = stop if high is None else max(high, stop)
        if low is not None:
            assert high is not None
            items = after[low : high + grown]
            holder[name] = after
            changes[name] = {"s": [low, high, items]}
            size += len(json.dumps(items)) - len(json.dumps(before[low:high]))
    try:
        whole = _project_fields(r, catalog, project, latest, members, records, at=at)
    except _Disagrees:
        return None
    for section, fields in whole.items():
        holder, changes = (summary, patch_summary) if section else (card, patch)
        for name, value in fields.items():
            before = holder[name]
            if name == "previous_revisions":  # one more at the end, always
                change = {"s": [len(before), len(before), value[len(before) :]]}
            elif _same(name, before, value):
                continue
            else:
                change = list_patch(before, value) if isinstance(value, list) else {"v": value}
            if "s" in change:
                start, stop, items = change["s"]
                size += len(json.dumps(items)) - len(json.dumps(before[start:stop]))
            else:
                size += len(json.dumps(value)) - len(json.dumps(before))
            holder[name] = value
            changes[name] = change
    if patch_summary:
        patch["summary"] = {"k": patch_summary}
    # The patch's keys in the card's order, as delta.encode would give them.
    ordered = {k: patch[k] for k in card if k in patch}
    if "summary" in ordered:
        ordered["summary"] = {"k": {k: patch_summary[k] for k in summary if k in patch_summary}}
    return Derived(card, {"k": ordered}, size, list(parts.values()))


def _project_fields(
    r: Reader,
    catalog: Catalog,
    project: ProjectRecord,
    latest: Latest,
    changed: dict[int, dict[str, Any]],
    records: dict[int, ComponentRecord],
    *,
    at: datetime | None,
) -> dict[str | None, dict[str, Any]]:
    """The fields read again at every revision, each with a query that lists only what it shows.

    Not here, kept as the latest revision has them: what the card's hand-written sections say and
    what the policy adds (custom sections, policy notes). A section is only written by ``card
    edit``, whose project-wide event sends the freeze to the whole assembly (:func:`plan`), as
    another policy does; the project's owners and traits change by project-wide events too."""
    now = datetime.now(UTC)
    level, held, names = _system_level(r, project, latest.card["summary"], changed, records)
    links = [
        (link.component.split("/", 1)[1], link) for _, link in dataset_queries.links_in_project(r, project.id)
    ]
    previous = latest.card["summary"]["previous_revisions"]
    newest = [latest.listed] if latest.listed else revisions_after(r, project.id, latest.number - 1)
    return {
        "summary": {
            "level": level,
            "phase": None if level is None else phase_of(level),
            "held_back_by": held,
            "coupled_components": coupled_in_project(r, project.id),
            "previous_revisions": [*previous, *newest],
            "held_back_by_names": names,
            "generated_at": (at or now).isoformat(),
            "recurring_reviews": _recurring_reviews(r, catalog, project, now),
            "targets": _targets(r, project, now),
        },
        None: {
            "top_requirements": [_json(q) for q in top_requirements(r, project.key, [], scoped=False)],
            "datasets": [_json(d) for d in datasets(r, links)],
            "ethics_facts": dataset_facts(r, links)
            + [
                line
                for _, line in sorted(
                    r.tuples(
                        "SELECT code, fairness FROM card_members "
                        "WHERE project_id = :p AND fairness IS NOT NULL",
                        p=project.id,
                    )
                )
            ],
            "metric_results": _metric_window(r, project.id),
        },
    }


def _system_level(
    r: Reader,
    project: ProjectRecord,
    before: dict[str, Any],
    changed: dict[int, dict[str, Any]],
    records: dict[int, ComponentRecord],
) -> tuple[int | None, list[str], list[str]]:
    """The system TRL and the parts holding it back (:func:`mltrl.domain.rollup.roll_up`): the
    lowest level of a live part, and the live parts at it."""
    outside = [k for k in external_couplings(r, project.key) if k.other_status not in ("retired", "entering")]
    lowest = r.scalar(
        f"SELECT MIN(level) FROM components WHERE project_id = :p AND status NOT IN {_NOT_LIVE}", p=project.id
    )
    levels = [x for x in (lowest, *(k.other_level for k in outside)) if x is not None]
    system = min(levels) if levels else None
    if system is None or outside or system != before["level"]:
        rows = r.tuples(
            f"""SELECT code, name FROM components WHERE project_id = :p AND level = :level
                AND status NOT IN {_NOT_LIVE}""",
            p=project.id,
            level=system,
        )
        named = {code: name for code, name in rows} | {
            k.other_ref: k.other_name for k in outside if k.other_level == system
        }
        held = sorted(named, key=code_sort_key)
        return system, held, [f"{code} {named[code]}".strip() for code in held]
    held, names = list(before["held_back_by"]), list(before["held_back_by_names"])
    for cid, row in changed.items():
        c = records[cid]
        was = row["status"] not in ("retired", "entering") and row["level"] == system
        now = c.status not in ("retired", "entering") and c.level == system
        place = bisect.bisect_left(held, code_sort_key(c.code), key=code_sort_key)
        there = place < len(held) and held[place] == c.code
        if there and not now:
            del held[place], names[place]
        elif now and not there:
            held.insert(place, c.code)
            names.insert(place, f"{c.code} {c.name}".strip())
        elif now:
            names[place] = f"{c.code} {c.name}".strip()
        if was != there:
            raise _Disagrees  # card_members is not what the latest card shows: assemble it whole
    return system, held, names


class _Disagrees(Exception):
    pass


def list_patch(before: list[Any], after: list[Any]) -> dict[str, Any]:
    """The ``{"s": ...}`` patch from ``before`` to ``after``: their common head and tail found by
    halving with slice comparisons (in C), not item by item in Python."""
    limit = min(len(before), len(after))
    low, high = 0, limit  # the common head is at least low and at most high items long
    while low < high:
        mid = (low + high + 1) // 2
        if before[:mid] == after[:mid]:
            low = mid
        else:
            high = mid - 1
    head = low
    low, high = 0, limit - head
    while low < high:
        mid = (low + high + 1) // 2
        if before[len(before) - mid :] == after[len(after) - mid :]:
            low = mid
        else:
            high = mid - 1
    tail = low
    return {"s": [head, len(before) - tail, after[head : len(after) - tail]]}


#: Fields that hold text only, where Python's == is the JSON's equality.
_TEXT_ONLY = {
    "held_back_by",
    "held_back_by_names",
    "coupled_components",
    "links",
    "recurring_reviews",
    "targets",
    "ethics_facts",
    "policy_notes",
}


def _same(name: str, a: Any, b: Any) -> bool:
    # Python's == says 1 == 1.0 == True; the card's JSON does not.
    if type(a) is not type(b) or a != b:
        return False
    return name in _TEXT_ONLY or not isinstance(a, list | dict) or json.dumps(a) == json.dumps(b)


def coupled_in_project(r: Reader, project_id: int) -> list[str]:
    """Each coupling of a live component of the project once, whichever side recorded it."""
    rows = r.tuples(
        """SELECT pa.key || '/' || a.code, pb.key || '/' || b.code FROM couplings k
           JOIN components a ON a.id = k.component_id JOIN projects pa ON pa.id = a.project_id
           JOIN components b ON b.id = k.other_id JOIN projects pb ON pb.id = b.project_id
           WHERE (a.project_id = :p AND a.status != 'retired')
              OR (b.project_id = :p AND b.status != 'retired')""",
        p=project_id,
    )
    return sorted({" <-> ".join(sorted(pair)) for pair in rows})


def revisions_after(r: Reader, project_id: int, number: int) -> list[dict[str, Any]]:
    """The project card's revisions after ``number``, as a card lists its previous revisions."""
    rows = r.all(
        """SELECT number, level, created_at, reason FROM card_revisions
           WHERE project_id = :p AND scope = '' AND number > :n ORDER BY number""",
        p=project_id,
        n=number,
    )
    return [listed(row["number"], row["level"], row["created_at"], row["reason"]) for row in rows]


def listed(number: int, level: int | None, created_at: datetime | str, reason: str) -> dict[str, Any]:
    """A revision as a later card lists it among its previous revisions."""
    when = as_utc(created_at)
    assert when is not None
    return _json(Revision(number=number, level=level, created_at=when.isoformat(), reason=reason))


def _recurring_reviews(r: Reader, catalog: Catalog, project: ProjectRecord, now: datetime) -> list[str]:
    from mltrl.views.cadence import schedule

    dues = schedule(r, catalog.settings.review_every_days, now, project.key)
    return sorted(recurring_line(due.ref.split("/", 1)[1], due) for due in dues)


def _targets(r: Reader, project: ProjectRecord, now: datetime) -> list[str]:
    from mltrl.analytics.targets import target_statuses

    aims = target_statuses(r, now, project_key=project.key)
    if not aims:
        return []
    retired = {
        row[0]
        for row in r.tuples(
            "SELECT code FROM components WHERE project_id = :p AND status = 'retired'", p=project.id
        )
    }
    return sorted(
        f"{t.target.ref.split('/', 1)[1]}: {t.describe}"
        for t in aims
        if t.target.ref.split("/", 1)[1] not in retired
    )


def _metric_window(r: Reader, project_id: int) -> list[dict[str, Any]]:
    """The last MAX_METRICS metrics of the members in member order (each member has at least one
    in its run when n_metrics > 0, so no more than MAX_METRICS members are read)."""
    owners = r.tuples(
        f"""SELECT component_id FROM card_members WHERE project_id = :p AND n_metrics > 0
            ORDER BY component_id DESC LIMIT {MAX_METRICS}""",
        p=project_id,
    )
    metrics = [
        m
        for (cid,) in reversed(owners)
        for m in latest_metrics(evidence_queries.evidence(r, component_id=cid))
    ]
    return [_json(m) for m in metrics[-MAX_METRICS:]]


def _offsets(r: Reader, project_id: int, component_id: int) -> list[int]:
    """Where the component's runs start: the lengths of the runs of the members before it."""
    sums = ", ".join(f"COALESCE(SUM({c}), 0)" for c in COUNTS)
    row = r.tuples(
        f"SELECT {sums} FROM card_members WHERE project_id = :p AND component_id < :c",
        p=project_id,
        c=component_id,
    )[0]
    return [int(x) for x in row]


UPDATE_MEMBER = (
    "UPDATE card_members SET code = :code, level = :level, status = :status, "
    + ", ".join(f"{c} = :{c}" for c in (*COUNTS, "n_metrics", "fairness", "volatile"))
    + " WHERE component_id = :component_id AND project_id = :project_id"
)


def member_rows(project_id: int, parts: list[MemberPart]) -> list[dict[str, Any]]:
    return [
        {
            "component_id": p.component.id,
            "project_id": project_id,
            "code": p.component.code,
            "level": p.component.level,
            "status": p.component.status,
            **{name: len(p.lists[i]) for i, name in enumerate(COUNTS)},
            "n_metrics": len(p.metrics),
            "fairness": p.fairness,
            "volatile": p.volatile,
        }
        for p in parts
    ]


def new_token() -> str:
    return secrets.token_hex(16)


def verifying() -> bool:
    return os.environ.get(VERIFY, "") not in ("", "0")


def _json(value: Any) -> Any:
    """As the card's JSON holds it (what a frozen revision is read back as)."""
    if hasattr(value, "model_dump"):
        return json.loads(json.dumps(value.model_dump()))
    return value
