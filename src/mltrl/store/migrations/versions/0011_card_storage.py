"""Card revisions stored by what changed, not whole.

``card_revisions.content`` holds either the card itself or ``{"patch": P, "base": N}``: P the patch
from the revision before to this one (the format of ``mltrl.cards.delta``, copied here so this
migration keeps writing what it wrote when it was made), N the number of the revision stored whole
that the chain of patches starts from (``mltrl.cards.storage``). Upgrading re-stores the existing
revisions that way (a new chain once the patches add up to more than the card, or when a patch
would not rebuild the exact JSON); downgrading stores every revision whole again. No column
changes: only the rows do.

Revision ID: 0011_card_storage
Revises: 0010_identities
Create Date: 2026-11-27
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011_card_storage"
down_revision = "0010_identities"
branch_labels = None
depends_on = None

_revisions = sa.table(
    "card_revisions",
    sa.column("id", sa.Integer),
    sa.column("project_id", sa.Integer),
    sa.column("scope", sa.String),
    sa.column("number", sa.Integer),
    sa.column("content", sa.JSON),
)


def _identical(a: Any, b: Any) -> bool:
    return type(a) is type(b) and bool(a == b)


def _encode(before: Any, after: Any) -> dict[str, Any] | None:
    if _identical(before, after):
        return None
    if isinstance(before, dict) and isinstance(after, dict) and list(before) == list(after):
        changed = {}
        for key, value in after.items():
            patch = _encode(before[key], value)
            if patch is not None:
                changed[key] = patch
        return {"k": changed}
    if isinstance(before, list) and isinstance(after, list):
        head, limit = 0, min(len(before), len(after))
        while head < limit and _identical(before[head], after[head]):
            head += 1
        tail = 0
        while tail < limit - head and _identical(before[-1 - tail], after[-1 - tail]):
            tail += 1
        return {"s": [head, len(before) - tail, after[head : len(after) - tail]]}
    return {"v": after}


def _apply(before: Any, patch: dict[str, Any] | None) -> Any:
    if patch is None:
        return before
    if "k" in patch:
        out = dict(before)
        for key, change in patch["k"].items():
            out[key] = _apply(before[key], change)
        return out
    if "s" in patch:
        start, stop, items = patch["s"]
        return [*before[:start], *items, *before[stop:]]
    return patch["v"]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _chains(conn: sa.Connection) -> dict[tuple[int, str], list[Any]]:
    """Every revision's row, grouped by card (project, scope), in order."""
    rows = conn.execute(
        sa.select(
            _revisions.c.id,
            _revisions.c.project_id,
            _revisions.c.scope,
            _revisions.c.number,
            _revisions.c.content,
        ).order_by(_revisions.c.project_id, _revisions.c.scope, _revisions.c.number)
    )
    out: dict[tuple[int, str], list[Any]] = {}
    for row in rows:
        out.setdefault((row.project_id, row.scope), []).append(row)
    return out


def upgrade() -> None:
    conn = op.get_bind()
    for rows in _chains(conn).values():
        before: Any = None
        start, patched = 0, 0
        for row in rows:
            card = _json(row.content)
            if before is not None:
                patch = _encode(before, card) or {"k": {}}
                size, text = len(json.dumps(patch)), json.dumps(card)
                if patched + size <= len(text) and json.dumps(_apply(before, patch)) == text:
                    patched += size
                    conn.execute(
                        sa.update(_revisions)
                        .where(_revisions.c.id == row.id)
                        .values(content={"patch": patch, "base": start})
                    )
                    before = card
                    continue
            start, patched, before = row.number, 0, card  # stays whole, starts a new chain


def downgrade() -> None:
    conn = op.get_bind()
    for rows in _chains(conn).values():
        card: Any = None
        for row in rows:
            content = _json(row.content)
            if "patch" not in content:
                card = content
                continue
            card = _apply(card, content["patch"])
            conn.execute(sa.update(_revisions).where(_revisions.c.id == row.id).values(content=card))
