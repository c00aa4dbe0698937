"""Finding what a user named, inside a write transaction, with one-line errors when it is missing."""

from __future__ import annotations

from mltrl.domain.model import ComponentState, Status
from mltrl.errors import NotFound, RuleViolation
from mltrl.service import inputs
from mltrl.store import queries
from mltrl.store.reader import Reader
from mltrl.store.records import ComponentRecord, ProjectRecord


def project(r: Reader, key: str, *, lock: bool = False) -> ProjectRecord:
    found = queries.project(r, inputs.project_key(key), lock=lock)
    if found is None:
        raise NotFound(f"no project {key!r} in the registry (see `mltrl project list`)")
    return found


def component(r: Reader, ref: str) -> ComponentRecord:
    key, code = inputs.parse_ref(ref)
    found = queries.component(r, key, code)
    if found is None:
        project(r, key)  # says so if the project itself is unknown
        raise NotFound(f"no component {code!r} in project {key!r} (see `mltrl component list {key}`)")
    return found


def changeable(r: Reader, ref: str, what: str) -> ComponentRecord:
    """The component, unless it is retired: a retired component's record is closed to ``what``."""
    found = component(r, ref)
    if found.status == Status.RETIRED:
        raise RuleViolation(f"{found.ref} is retired; it takes no more {what}")
    return found


def state_of(record: ComponentRecord) -> ComponentState:
    return ComponentState(
        level=record.level,
        entry_level=record.entry_level,
        status=Status(record.status),
        seq=record.seq,
        last_at=record.last_at,
    )
