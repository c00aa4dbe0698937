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


def describe(event: EventRecord) -> str:
    """One human line per event, as the CLI timeline shows it."""
    kind = event.kind
    if kind == "initiate":
        text = f"initiated at level {event.to_level}"
    elif kind == "fork":
        origin = (event.data or {}).get("from", "its parent project")
        text = f"forked from {origin} at level {event.to_level}"
    elif kind == "graduate":
        text = f"graduated {event.from_level} -> {event.to_level} (approved by {event.approver})"
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
