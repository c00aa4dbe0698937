"""``history``: the timeline of a project's or a component's events, oldest first."""

from __future__ import annotations

from mltrl.store import queries
from mltrl.store.reader import Reader
from mltrl.store.records import ComponentRecord, EventRecord, ProjectRecord


def project_history(r: Reader, project: ProjectRecord, *, lifecycle_only: bool = False) -> list[EventRecord]:
    return queries.events(r, project_key=project.key, lifecycle_only=lifecycle_only)


def component_history(
    r: Reader, component: ComponentRecord, *, lifecycle_only: bool = False
) -> list[EventRecord]:
    return queries.events(r, component_id=component.id, lifecycle_only=lifecycle_only)


def _review_source(event: EventRecord) -> str:
    source = str((event.data or {}).get("approval", ""))
    return f"review {source.split(':', 1)[1]}" if source.startswith("review:") else "review"


def describe(event: EventRecord) -> str:
    """One human line per event, as the CLI timeline shows it."""
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
    elif kind == "review.supersede":
        data = event.data or {}
        text = f"review {data.get('review')} (level {data.get('level')}) closed unfinished"
    elif kind == "switchback":
        text = f"{event.switchback_kind} switchback {event.from_level} -> {event.to_level}"
    elif kind in ("pause", "resume", "retire"):
        text = {"pause": "paused", "resume": "resumed", "retire": "retired"}[
            kind
        ] + f" at level {event.to_level}"
    elif kind == "version.register":
        data = event.data or {}
        text = f"{data.get('kind')} version {data.get('version')} registered"
    elif kind == "component.couple":
        text = f"coupled with {(event.data or {}).get('with')}"
    elif kind == "project.create":
        text = "project created"
    elif kind == "project.forked":
        text = f"forked into project {(event.data or {}).get('into')}"
    else:
        text = kind
    return f"{text}: {event.reason}" if event.reason else text
