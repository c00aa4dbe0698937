"""Card revisions stored by what changed: a small, exact patch from one revision's JSON to the next.

A revision of a project's card repeats almost all of the one before it (one component moved, one
revision more in the list of previous revisions), so storing each whole grows the registry with the
size of the project at every move. A patch keeps only the changed paths (values compared as Python
compares them, so a caller checks the rebuilt text with :func:`exact`, and stores the card whole in
the rare case it differs):

* ``{"k": {key: patch, ...}}``: the same object, with these keys changed (same keys, same order);
* ``{"s": [start, stop, items]}``: the same list, with ``old[start:stop]`` replaced by ``items``
  (what is left after the common head and tail: an append, one changed entry ...);
* ``{"v": value}``: anything else, replaced whole.

Applying a patch rebuilds the next revision exactly, key order included, so ``card show --revision
N`` and ``card diff`` return what they returned when revisions were stored whole. The format is
part of the stored data (migration 0011 writes it too): change it only with a migration.
"""

from __future__ import annotations

import json
from typing import Any

Patch = dict[str, Any]


def encode(before: Any, after: Any) -> Patch | None:
    """The patch that turns ``before`` into ``after``; None when they are equal."""
    if _identical(before, after):
        return None
    if isinstance(before, dict) and isinstance(after, dict) and list(before) == list(after):
        changed = {}
        for key, value in after.items():
            patch = encode(before[key], value)
            if patch is not None:
                changed[key] = patch
        return {"k": changed}
    if isinstance(before, list) and isinstance(after, list):
        head = 0
        limit = min(len(before), len(after))
        while head < limit and _identical(before[head], after[head]):
            head += 1
        tail = 0
        while tail < limit - head and _identical(before[-1 - tail], after[-1 - tail]):
            tail += 1
        return {"s": [head, len(before) - tail, after[head : len(after) - tail]]}
    return {"v": after}


def apply(before: Any, patch: Patch | None) -> Any:
    """``before`` with ``patch`` applied (unchanged parts are shared, never copied or mutated)."""
    if patch is None:
        return before
    if "k" in patch:
        out = dict(before)
        for key, change in patch["k"].items():
            out[key] = apply(before[key], change)
        return out
    if "s" in patch:
        start, stop, items = patch["s"]
        return [*before[:start], *items, *before[stop:]]
    return patch["v"]


def _identical(a: Any, b: Any) -> bool:
    # Python's ==, which says 1 == 1.0 == True: callers check the rebuilt JSON text (see exact()).
    return type(a) is type(b) and bool(a == b)


def exact(before: Any, patch: Patch | None, text: str) -> bool:
    """Whether ``patch`` applied to ``before`` gives exactly the JSON ``text`` (key order, 1 vs 1.0)."""
    return json.dumps(apply(before, patch)) == text
