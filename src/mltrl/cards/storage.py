"""Where frozen card revisions are kept: whole now and then, patches from one to the next between.

A revision is stored as the patch from the revision before it (:mod:`mltrl.cards.delta`) until the
patches since the last whole revision add up to more than :data:`CHAIN` times the card itself;
then it is stored whole again. A move thus costs the registry about 1 + 1/CHAIN times what
changed, and reading any revision back applies at most CHAIN cards' worth of patches to the whole
revision its chain starts from.

``card_revisions.content`` holds either the card (an object with ``summary`` ...) or
``{"patch": <patch from the revision before>, "base": <number of the whole revision the chain
starts from>}`` (:data:`PATCH`, :data:`BASE`; schema revision 0011 re-stored older registries so).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mltrl.cards import delta
from mltrl.store.reader import Reader

#: How many cards' worth of patches a chain may hold before a revision is stored whole again.
CHAIN = 4

#: The keys of a revision stored as a patch (a card has neither).
PATCH, BASE = "patch", "base"
_ROW = "SELECT content FROM card_revisions WHERE project_id = :pid AND scope = :scope AND number = :n"
_LATEST = (
    "SELECT number, content FROM card_revisions WHERE project_id = :pid AND scope = :scope "
    "ORDER BY number DESC LIMIT 1"
)
_CHAIN = (
    "SELECT content FROM card_revisions WHERE project_id = :pid AND scope = :scope "
    "AND number >= :first AND number < :n ORDER BY number"
)


def _json(value: Any) -> Any:
    # SQLite hands JSON columns back as text, PostgreSQL's driver as Python objects.
    return json.loads(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Stored:
    """A revision as read back: its card, and where its chain of patches stands."""

    card: dict[str, Any]
    number: int
    #: The revision stored whole that this one's chain of patches starts from (itself if whole).
    chain_start: int
    #: Bytes of patches applied since ``chain_start``.
    patched: int


def load(r: Reader, project_id: int, scope: str, number: int) -> Stored | None:
    """Revision ``number`` of the card of ``scope`` (``""``: the project's), or None."""
    found = r.all(_ROW, pid=project_id, scope=scope, n=number)
    return _stored(r, project_id, scope, number, found[0]["content"]) if found else None


def load_latest(r: Reader, project_id: int, scope: str) -> Stored | None:
    """The latest revision of the card of ``scope``, or None: its number and content in one read
    (a component card's freeze needs both; a project card's holds only a few bytes in memory)."""
    found = r.all(_LATEST, pid=project_id, scope=scope)
    return _stored(r, project_id, scope, found[0]["number"], found[0]["content"]) if found else None


def _stored(r: Reader, project_id: int, scope: str, number: int, content: Any) -> Stored:
    last = _json(content)
    if PATCH not in last:
        return Stored(last, number, number, 0)
    start = last[BASE]
    rows = [
        _json(row["content"]) for row in r.all(_CHAIN, pid=project_id, scope=scope, first=start, n=number)
    ]
    card, patched = rows[0], 0
    for stored in [*rows[1:], last]:
        patched += len(json.dumps(stored[PATCH]))
        card = delta.apply(card, stored[PATCH])
    return Stored(card, number, start, patched)


def to_store(previous: Stored | None, card: dict[str, Any]) -> Any:
    """What to store for ``card`` (as JSON types) frozen after ``previous``: the card, or a patch."""
    if previous is None:
        return card
    text = json.dumps(card)
    patch = delta.encode(previous.card, card) or {"k": {}}
    if previous.patched + len(json.dumps(patch)) > CHAIN * len(text) or not delta.exact(
        previous.card, patch, text
    ):
        return card  # cheaper (or, for a value only its JSON type tells apart, needed) whole
    return {PATCH: patch, BASE: previous.chain_start}
