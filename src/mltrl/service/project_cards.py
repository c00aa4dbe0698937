"""Freezing a project's card at a level move: derived from the latest revision when it can be
(:mod:`mltrl.cards.incremental`), assembled whole otherwise, and stored as a patch either way."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert

from mltrl.cards import incremental, storage
from mltrl.cards.assemble import assemble_with_parts
from mltrl.cards.incremental import Latest
from mltrl.catalog import Catalog
from mltrl.errors import StoreError
from mltrl.service._store import Unit
from mltrl.store import schema
from mltrl.store.records import ProjectRecord

_POLICY_KEYS: dict[int, tuple[Catalog, str]] = {}

#: How this process froze project cards: "derived" from the latest revision, or assembled "whole".
FREEZES: Counter[str] = Counter()


def policy_key(catalog: Catalog) -> str:
    """A digest of the catalogue with its policy: a card derived under another one is assembled whole."""
    known = _POLICY_KEYS.get(id(catalog))
    if known is None or known[0] is not catalog:
        digest = hashlib.sha256(catalog.model_dump_json().encode()).hexdigest()
        known = _POLICY_KEYS[id(catalog)] = (catalog, digest)
    return known[1]


def project_revision(
    unit: Unit, catalog: Catalog, project: ProjectRecord, *, at: datetime | None, when: datetime, reason: str
) -> tuple[Any, int | None, int]:
    """What to store as the project card's next revision (a patch, or the card), its level and its
    number; ``when`` and ``reason``: the revision's, as the one after it will list it."""
    r = unit.reader
    # The parts the component card's freeze just computed, right before this one, and only those.
    known = dict(unit.card_parts)
    unit.card_parts.clear()
    policy = policy_key(catalog)
    head = r.one(incremental.HEAD, p=project.id)
    assert head is not None  # (one row always)
    latest, seen = head["latest"], head["seen"] or 0
    state = None if head.pop("state_of") is None else head
    planned = None if latest is None else incremental.plan(r, project.id, policy, latest, state)
    if planned is not None:
        state, dirty = planned
        start = _latest(unit, project.id, latest, state)  # type: ignore[arg-type]
        derived = incremental.derive(r, catalog, project, start, dirty, at=at, known=known)
        if derived is not None:
            FREEZES["derived"] += 1
            if incremental.verifying():
                _verify(unit, catalog, project, derived.card, at=at)
            patch_bytes = len(json.dumps(derived.patch))
            if start.patched + patch_bytes > storage.CHAIN * derived.size:
                content, chain_start, patched = derived.card, start.number + 1, 0
            else:
                content = {storage.PATCH: derived.patch, storage.BASE: start.chain_start}
                chain_start, patched = start.chain_start, start.patched + patch_bytes
            token = incremental.new_token()
            r.execute(
                "UPDATE card_state SET number = :n, seen_event = :seen, size = :size, token = :token "
                "WHERE project_id = :p",
                {"n": start.number + 1, "seen": seen, "size": derived.size, "token": token, "p": project.id},
            )
            level = derived.card["summary"]["level"]
            listed = incremental.listed(start.number + 1, level, when, reason)
            _remember(
                unit,
                project.id,
                Latest(derived.card, start.number + 1, chain_start, patched, derived.size, token, listed),
            )
            return content, level, start.number + 1
    FREEZES["whole"] += 1
    card, parts = assemble_with_parts(r, catalog, project.key, at=at)
    data = json.loads(json.dumps(card.model_dump()))
    previous = None if latest is None else storage.load(r, project.id, "", latest)
    content = storage.to_store(previous, data)
    number = (latest or 0) + 1
    if storage.PATCH in content:
        assert previous is not None
        chain_start = previous.chain_start
        patched = previous.patched + len(json.dumps(content[storage.PATCH]))
    else:
        chain_start, patched = number, 0
    size, token = len(json.dumps(data)), incremental.new_token()
    unit.conn.execute(delete(schema.card_members).where(schema.card_members.c.project_id == project.id))
    rows = incremental.member_rows(project.id, parts)
    if rows:
        unit.conn.execute(insert(schema.card_members), rows)
    unit.conn.execute(delete(schema.card_state).where(schema.card_state.c.project_id == project.id))
    unit.conn.execute(
        insert(schema.card_state).values(
            project_id=project.id, number=number, seen_event=seen, policy=policy, size=size, token=token
        )
    )
    listed = incremental.listed(number, card.summary.level, when, reason)
    _remember(unit, project.id, Latest(data, number, chain_start, patched, size, token, listed))
    return content, card.summary.level, number


def _latest(unit: Unit, project_id: int, number: int, state: dict[str, Any]) -> Latest:
    """The latest revision: kept in memory from this process's last freeze when card_state still
    names it (its token changes with every revision, and a rolled-back one never lands), else read."""
    cached = unit.card_cache.get(project_id) if unit.card_cache is not None else None
    if cached is not None and cached.token == state["token"] and cached.number == number:
        return cached
    stored = storage.load(unit.reader, project_id, "", number)
    if stored is None:
        raise StoreError(f"card revision {number} of project {project_id} is missing; run `mltrl doctor`")
    return Latest(stored.card, number, stored.chain_start, stored.patched, state["size"], state["token"])


def _remember(unit: Unit, project_id: int, latest: Latest) -> None:
    if unit.card_cache is not None:
        unit.card_cache[project_id] = latest


def _verify(
    unit: Unit, catalog: Catalog, project: ProjectRecord, derived: dict[str, Any], *, at: datetime | None
) -> None:
    """``MLTRL_VERIFY_CARDS=1``: the derived card must be exactly the one assembled whole."""
    card, _ = assemble_with_parts(unit.reader, catalog, project.key, at=at)
    whole = json.loads(json.dumps(card.model_dump()))
    mine = json.loads(json.dumps(derived))
    whole["summary"]["generated_at"] = mine["summary"]["generated_at"]
    if json.dumps(whole) != json.dumps(mine):
        different = [
            f"{section}.{key}" if section else key
            for section, a, b in (("summary", whole["summary"], mine["summary"]), ("", whole, mine))
            for key in a
            if key != "summary" and json.dumps(a[key]) != json.dumps(b.get(key))
        ]
        raise AssertionError(
            f"the derived card of {project.key} differs from the one assembled whole in {different}"
        )
