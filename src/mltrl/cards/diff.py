"""What changed between two card revisions: field by field, and as a Markdown diff.

Both forms show the same changes: the bookkeeping every revision carries of its own (when it was
generated, the list of revisions before it) is left out of each, as it is not a change of the
technology.
"""

from __future__ import annotations

import difflib
from typing import Any

from mltrl.cards.model import Card
from mltrl.cards.render import to_markdown

#: Fields that differ between any two revisions without the technology having changed.
BOOKKEEPING = ("previous_revisions", "generated_at")


def changes(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """Every leaf that differs, as {"field": dotted path, "before": ..., "after": ...}."""
    out: list[dict[str, Any]] = []
    for key in sorted(set(before) | set(after)):
        if key in BOOKKEEPING:
            continue
        path = f"{prefix}{key}"
        a, b = before.get(key), after.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += changes(a, b, f"{path}.")
        elif a != b:
            out.append({"field": path, "before": a, "after": b})
    return out


def markdown_diff(before: dict[str, Any], after: dict[str, Any], names: tuple[str, str]) -> str:
    """A unified diff of the two cards' Markdown, with ``after``'s bookkeeping taken from ``before``."""
    a = to_markdown(Card.model_validate(before)).splitlines(keepends=True)
    b = to_markdown(Card.model_validate(_same_bookkeeping(after, before))).splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, fromfile=names[0], tofile=names[1]))


def _same_bookkeeping(card: dict[str, Any], like: dict[str, Any]) -> dict[str, Any]:
    out = dict(card)
    for key, value in card.items():
        if key in BOOKKEEPING and key in like:
            out[key] = like[key]
        elif isinstance(value, dict) and isinstance(like.get(key), dict):
            out[key] = _same_bookkeeping(value, like[key])
    return out
