"""Use-cases for TRL Cards: edit the hand-written sections, freeze revisions."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import insert, update

from mltrl.cards import storage
from mltrl.cards.assemble import assemble_with_parts
from mltrl.cards.sections import section_id
from mltrl.catalog import Catalog
from mltrl.service import inputs, lookup
from mltrl.service._store import Unit
from mltrl.service.project_cards import project_revision
from mltrl.store import schema
from mltrl.store.records import ComponentRecord, ProjectRecord


def edit(
    unit: Unit, project_key: str, scope: str, sections: dict[str, str], extra: tuple[str, ...] = ()
) -> list[str]:
    """Set hand-written sections; ``extra``: the section ids the organisation's policy adds."""
    project = lookup.project(unit.reader, project_key)
    if scope:
        lookup.component(unit.reader, f"{project.key}/{scope}")
    cleaned = {
        section_id(k, extra): inputs.text(v, f"card section {k}", limit=50000) for k, v in sections.items()
    }
    when = inputs.now()
    table = schema.card_sections
    for section, text in cleaned.items():
        values = {"text": text, "updated_at": when, "updated_by": unit.actor}
        changed = unit.conn.execute(
            update(table)
            .where(table.c.project_id == project.id, table.c.scope == scope, table.c.section == section)
            .values(**values)
        ).rowcount
        if not changed:
            unit.conn.execute(
                insert(table).values(project_id=project.id, scope=scope, section=section, **values)
            )
    unit.append_event(
        project_id=project.id, kind="card.edit", at=when, data={"scope": scope, "sections": sorted(cleaned)}
    )
    return sorted(cleaned)


_INSERT_REVISION = (
    "INSERT INTO card_revisions (project_id, scope, number, level, reason, content, created_at, created_by) "
    "VALUES (:project_id, :scope, :number, :level, :reason, :content, :created_at, :created_by)"
)


def freeze(
    unit: Unit, catalog: Catalog, project_key: str, scope: str, reason: str, *, at: datetime | None = None
) -> int:
    """Freeze the card as it stands now as the next revision; return its number."""
    project = _locked_project(unit, project_key)
    number = _freeze(unit, catalog, project, scope, reason, at)
    # The parts a component card computes serve the project card frozen right after it in a
    # level change (freeze_level_change); kept beyond that, later writes of this transaction
    # could leave them stale.
    unit.card_parts.clear()
    return number


def freeze_level_change(
    unit: Unit, catalog: Catalog, component: ComponentRecord, reason: str, at: datetime
) -> None:
    """Freeze the component's card and its project's card after its level changed, dated with the
    change (the project read and locked once for both)."""
    project = _locked_project(unit, component.project_key)
    _freeze(unit, catalog, project, component.code, reason, at, component=component)
    _freeze(unit, catalog, project, "", f"{component.code}: {reason}", at)


def _locked_project(unit: Unit, project_key: str) -> ProjectRecord:
    # Revisions are numbered per project and scope, and every component's level change freezes its
    # project's card: holding the project row while the card is assembled and numbered makes
    # concurrent freezes (two components graduating at once) take turns, so each gets the next
    # number and a card that includes what the ones before it changed.
    return lookup.project(unit.reader, project_key, lock=True)


def _freeze(
    unit: Unit,
    catalog: Catalog,
    project: ProjectRecord,
    scope: str,
    reason: str,
    at: datetime | None,
    *,
    component: ComponentRecord | None = None,
) -> int:
    if unit.batch is not None:
        unit.batch.flush()  # the card reads what this transaction wrote
    when = at or inputs.now()
    reason = inputs.text(reason, "reason", limit=2000)
    if scope:
        # The latest revision whole: the next one is stored as what changed since.
        previous = storage.load_latest(unit.reader, project.id, scope)
        number = 1 if previous is None else previous.number + 1
        # Memoized: the assembly only reads, and its gate and its ethics part ask for the same reviews.
        card, parts = assemble_with_parts(
            unit.reader.memoized(), catalog, project.key, scope, at=at, project=project, component=component
        )
        unit.card_parts.update((p.component.id, p) for p in parts)
        level = card.summary.level
        # Stored as what changed since the revision before (mltrl.cards.storage); read back as JSON.
        content = storage.to_store(previous, json.loads(json.dumps(card.model_dump())))
    else:
        content, level, number = project_revision(unit, catalog, project, at=at, when=when, reason=reason)
    # Plain SQL through the reader: SQLAlchemy Core spends ~70 µs building each statement, a tenth
    # of a move's time on SQLite.
    unit.reader.execute(
        _INSERT_REVISION,
        {
            "project_id": project.id,
            "scope": scope,
            "number": number,
            "level": level,
            "reason": reason,
            "content": content,
            "created_at": when,
            "created_by": unit.actor,
        },
    )
    unit.append_event(
        project_id=project.id,
        kind="card.freeze",
        at=when,
        data={"scope": scope, "revision": number, "level": level},
    )
    return number
