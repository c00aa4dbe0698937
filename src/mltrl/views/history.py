"""``history``: the timeline of a project's or a component's events, oldest first."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from mltrl.errors import BadInput
from mltrl.store import queries
from mltrl.store.reader import Reader
from mltrl.store.records import ComponentRecord, EventRecord, ProjectRecord

#: Every kind of event the registry writes; ``--kind`` takes these or a family before the dot.
KINDS = (
    "initiate",
    "propose",
    "enter",
    "fork",
    "graduate",
    "import",
    "switchback",
    "pause",
    "resume",
    "retire",
    "project.create",
    "project.forked",
    "project.traits",
    "component.couple",
    "component.handoff",
    "component.cadence",
    "version.register",
    "review.open",
    "review.member",
    "review.result",
    "review.ethics",
    "review.choice",
    "review.sign",
    "review.decide",
    "review.supersede",
    "requirement.add",
    "requirement.link",
    "vv.add",
    "vv.set",
    "dataset.add",
    "dataset.version",
    "dataset.link",
    "dataset.datasheet",
    "dataset.demographics",
    "evidence.record",
    "card.edit",
    "card.freeze",
    "group.join",
    "group.leave",
    "target.add",
    "target.remove",
    "relation.add",
    "relation.remove",
    "alert.raise",
    "alert.review",
    "alert.acknowledge",
    "monitor.reference",
    "monitor.window",
    "monitor.predictions",
    "monitor.actuals",
    "monitor.prune",
)
FAMILIES = tuple(dict.fromkeys(kind.split(".")[0] for kind in KINDS if "." in kind))
_DURATION = re.compile(r"([0-9]{1,5})([dh])")


@dataclass(frozen=True)
class Filters:
    """What ``history`` keeps: a time span (inclusive), kinds or families, the most recent N."""

    since: datetime | None = None
    until: datetime | None = None
    kinds: Sequence[str] = field(default_factory=tuple)
    limit: int | None = None
    lifecycle_only: bool = False


def filters(
    *,
    since: str | None = None,
    until: str | None = None,
    kinds: Sequence[str] = (),
    limit: int | None = None,
    lifecycle_only: bool = False,
    now: datetime | None = None,
) -> Filters:
    """The filters as typed on the command line, checked; a bad one is a one-line error naming it."""
    for kind in kinds:
        if kind not in KINDS and kind not in FAMILIES:
            raise BadInput(
                f"--kind {kind!r} is not a kind of event; kinds: {', '.join(KINDS)}; "
                f"or a family: {', '.join(FAMILIES)}"
            )
    if limit is not None and limit < 1:
        raise BadInput(f"--limit {limit}: give a number of events, 1 or more")
    moment = now or datetime.now(UTC)
    start = None if since is None else time_bound(since, "--since", moment)
    end = None if until is None else time_bound(until, "--until", moment, end=True)
    if start is not None and end is not None and start > end:
        raise BadInput(f"--since {since} is after --until {until}")
    return Filters(start, end, tuple(dict.fromkeys(kinds)), limit, lifecycle_only)


def time_bound(text: str, flag: str, now: datetime, *, end: bool = False) -> datetime:
    """``2026-03-01`` (a whole day: its start, or its end for ``--until``), an ISO 8601 time (naive is
    UTC), or a span back from now: ``7d``, ``12h``."""
    duration = _DURATION.fullmatch(text)
    if duration:
        amount, unit = int(duration.group(1)), duration.group(2)
        return now - (timedelta(days=amount) if unit == "d" else timedelta(hours=amount))
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            day = datetime.fromisoformat(text).date()
            return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(
            f"{flag} {text!r}: give a date (2026-03-01), a time (2026-03-01T09:30Z) or a span back "
            "from now (7d, 12h)"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def project_history(
    r: Reader, project: ProjectRecord, chosen: Filters | None = None, *, lifecycle_only: bool = False
) -> list[EventRecord]:
    return _events(r, chosen or Filters(lifecycle_only=lifecycle_only), project_key=project.key)


def component_history(
    r: Reader, component: ComponentRecord, chosen: Filters | None = None, *, lifecycle_only: bool = False
) -> list[EventRecord]:
    return _events(r, chosen or Filters(lifecycle_only=lifecycle_only), component_id=component.id)


def _events(r: Reader, chosen: Filters, **where: Any) -> list[EventRecord]:
    return queries.events(
        r,
        lifecycle_only=chosen.lifecycle_only,
        since=chosen.since,
        until=chosen.until,
        kinds=chosen.kinds,
        limit=chosen.limit,
        **where,
    )


def _review_source(event: EventRecord) -> str:
    source = str((event.data or {}).get("approval", ""))
    return f"review {source.split(':', 1)[1]}" if source.startswith("review:") else "review"


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def _review_open(d: dict[str, Any]) -> str:
    if d.get("entry"):
        return f"entry review {d.get('review')} opened: the gate into level {int(d.get('level', 0)) + 1}"
    return f"review {d.get('review')} opened at the level-{d.get('level')} gate"


def _review_sign(d: dict[str, Any]) -> str:
    if d.get("verdict") == "approve":
        return f"review {d.get('review')}: {d.get('person')} approved"
    tasks = _count(len(d.get("tasks") or []), "task")
    return f"review {d.get('review')}: {d.get('person')} requested changes ({tasks})"


def _review_decide(d: dict[str, Any]) -> str:
    text = f"review {d.get('review')} decided: {d.get('decision')}"
    if d.get("to_level") is not None:
        text += f" to level {d['to_level']}"
    if d.get("tasks"):
        text += f" ({_count(len(d['tasks']), 'task')})"
    return text


def _choice(d: dict[str, Any]) -> str:
    on = f" on {d['date']}" if d.get("date") else ""
    return f"review {d.get('review')}: {d.get('point')} = {d.get('option')}{on}"


def _evidence(d: dict[str, Any]) -> str:
    backs = f" for {d['criterion']}" if d.get("criterion") else ""
    return f"evidence {d.get('evidence')} recorded: {d.get('kind')}, {d.get('outcome')}{backs}"


def _dataset_link(d: dict[str, Any]) -> str:
    pinned = f" (version {d['version']})" if d.get("version") else ""
    return f"data set {d.get('dataset')} linked as {d.get('role')}{pinned}"


def _alert_review(d: dict[str, Any]) -> str:
    return f"alert {d.get('alert')} {'opened' if d.get('opened') else 'joined'} review {d.get('review')}"


# The events around the lifecycle, described from their data: who did what, to which review.
_DESCRIBE: dict[str, Callable[[dict[str, Any]], str]] = {
    "review.open": _review_open,
    "review.member": lambda d: f"review {d.get('review')}: {d.get('person')} joins as {d.get('role')}",
    "review.result": lambda d: f"review {d.get('review')}: {d.get('criterion')} {d.get('result')}",
    "review.ethics": lambda d: (
        f"review {d.get('review')}: {_count(len(d.get('questions') or []), 'ethics answer')}"
    ),
    "review.choice": _choice,
    "review.sign": _review_sign,
    "review.decide": _review_decide,
    "review.supersede": lambda d: f"review {d.get('review')} (level {d.get('level')}) closed unfinished",
    "version.register": lambda d: f"{d.get('kind')} version {d.get('version')} registered",
    "component.couple": lambda d: f"coupled with {d.get('with')}",
    "component.handoff": lambda d: (
        f"handed off from {d.get('from')} to {d.get('to')} at level {d.get('level')}"
    ),
    "component.cadence": lambda d: f"reviewed every {d.get('days')} days while deployed",
    "project.forked": lambda d: f"forked into project {d.get('into')}",
    "project.traits": lambda d: f"traits now {', '.join(d.get('traits') or []) or 'none'}",
    "requirement.add": lambda d: f"requirement {d.get('requirement')} added",
    "requirement.link": lambda d: f"requirement {d.get('requirement')} linked to {d.get('with')}",
    "vv.add": lambda d: f"requirement {d.get('requirement')}: {d.get('kind')} step {d.get('step')} added",
    "vv.set": lambda d: f"requirement {d.get('requirement')} step {d.get('step')}: {d.get('status')}",
    "dataset.add": lambda d: f"data set {d.get('dataset')} registered ({d.get('kind')})",
    "dataset.version": lambda d: f"data set {d.get('dataset')} version {d.get('version')}",
    "dataset.link": _dataset_link,
    "dataset.datasheet": lambda d: (
        f"data set {d.get('dataset')}: datasheet {', '.join(d.get('sections') or [])} edited"
    ),
    "dataset.demographics": lambda d: (
        f"data set {d.get('dataset')}: groups of {', '.join(d.get('columns') or [])} counted"
    ),
    "evidence.record": _evidence,
    "card.edit": lambda d: f"card sections edited: {', '.join(d.get('sections') or [])}",
    "card.freeze": lambda d: f"card revision {d.get('revision')} frozen at level {d.get('level')}",
    "group.join": lambda d: f"{d.get('person')} joins the working group as {d.get('role')}",
    "group.leave": lambda d: f"{d.get('person')} leaves the working group ({d.get('role')})",
    "target.add": lambda d: f"target {d.get('target')}: level {d.get('level')} by {d.get('due')}",
    "target.remove": lambda d: f"target {d.get('target')} (level {d.get('level')}) withdrawn",
    "relation.add": lambda d: (
        f"metamorphic relation {d.get('relation')} codified ({d.get('kind')}, {d.get('perturbation')})"
    ),
    "relation.remove": lambda d: f"metamorphic relation {d.get('relation')} removed",
    "alert.raise": lambda d: f"alert {d.get('alert')} raised ({d.get('kind')})",
    "alert.review": _alert_review,
    "alert.acknowledge": lambda d: f"alert {d.get('alert')} acknowledged",
    "monitor.reference": lambda d: f"reference profile {d.get('name')} ({d.get('rows')} rows)",
    "monitor.window": lambda d: f"window {d.get('name')} profiled ({d.get('rows')} rows in all)",
    "monitor.predictions": lambda d: f"{d.get('rows')} predictions logged in window {d.get('window')}",
    "monitor.actuals": lambda d: f"{d.get('matched')} actuals joined to their predictions",
    "monitor.prune": lambda d: (
        f"pruned {d.get('profiles')} window profile(s) and {d.get('alerts')} acknowledged alert(s)"
    ),
}


def describe(event: EventRecord) -> str:
    """One human line per event, as the CLI timeline shows it: who and what, with its reason."""
    kind = event.kind
    if kind == "initiate":
        text = f"initiated at level {event.to_level}"
    elif kind == "fork":
        origin = (event.data or {}).get("from", "its parent project")
        text = f"forked from {origin} at level {event.to_level}"
    elif kind == "propose":
        text = f"proposed to enter at level {event.to_level}; waits for its entry review"
    elif kind == "enter":
        text = (
            f"entered at level {event.to_level} after {_review_source(event)} (approved by {event.approver})"
        )
    elif kind == "graduate":
        text = (
            f"graduated {event.from_level} -> {event.to_level} after {_review_source(event)} "
            f"(approved by {event.approver})"
        )
    elif kind == "import":
        text = (
            f"IMPORTED history: graduated {event.from_level} -> {event.to_level} before the registry, "
            f"not reviewed here (approved back then by {event.approver})"
        )
    elif kind == "switchback":
        text = f"{event.switchback_kind} switchback {event.from_level} -> {event.to_level}"
    elif kind in ("pause", "resume", "retire"):
        text = {"pause": "paused", "resume": "resumed", "retire": "retired"}[
            kind
        ] + f" at level {event.to_level}"
    elif kind == "project.create":
        text = "project created"
    elif kind in _DESCRIBE:
        text = _DESCRIBE[kind](event.data or {})
    else:
        text = kind
    return f"{text}: {event.reason}" if event.reason else text
