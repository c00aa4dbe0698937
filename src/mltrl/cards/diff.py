"""What changed between two card revisions: field by field, and as a Markdown diff."""

from __future__ import annotations

import difflib
from typing import Any

from mltrl.cards.model import Card
from mltrl.cards.render import to_markdown


def changes(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """Every leaf that differs, as {"field": dotted path, "before": ..., "after": ...}."""
    out: list[dict[str, Any]] = []
    for key in sorted(set(before) | set(after)):
        if key in ("previous_revisions", "generated_at"):
            continue  # every revision adds one and is made at its own time: not a change of the technology
        path = f"{prefix}{key}"
        a, b = before.get(key), after.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += changes(a, b, f"{path}.")
        elif a != b:
            out.append({"field": path, "before": a, "after": b})
    return out


def markdown_diff(before: dict[str, Any], after: dict[str, Any], names: tuple[str, str]) -> str:
    a = to_markdown(Card.model_validate(before)).splitlines(keepends=True)
    b = to_markdown(Card.model_validate(after)).splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, fromfile=names[0], tofile=names[1]))
