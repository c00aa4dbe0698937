"""Version labels: semantic versions where they are, opaque labels (``v1.1``, MLflow's ``3``, a git
SHA) where they are not.

Teams version models and data the way their tools do, so any one-word label is accepted. Semantic
versions keep their meaning: among versions of one kind that are all semantic versions, the current
one is the highest by SemVer precedence (``1.4.1`` registered after ``2.0.0`` patches an older line
and does not replace it). As soon as one label of a kind is not a semantic version, nothing says
how labels compare, so the latest registered is current.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cmp_to_key


def semantic(label: str):  # type: ignore[no-untyped-def]
    """The label as a ``semver.Version``, or None when it is not a semantic version."""
    import semver

    try:
        return semver.Version.parse(label)
    except (ValueError, TypeError):
        return None


def clash(label: str, existing: Sequence[str]) -> str | None:
    """The existing label ``label`` may not sit beside: itself, or the same semantic version but for
    build metadata (``1.0.0+b1`` next to ``1.0.0+b2``: SemVer gives both the same precedence, so
    "current" would be undefined)."""
    if label in existing:
        return label
    parsed = semantic(label)
    if parsed is None:
        return None
    core = parsed.replace(build=None)
    for other in existing:
        version = semantic(other)
        if version is not None and version.replace(build=None) == core:
            return other
    return None


def current(labels: Sequence[str]) -> str | None:
    """The current version among ``labels`` (oldest registered first), as the module says."""
    if not labels:
        return None
    parsed = [semantic(label) for label in labels]
    if any(p is None for p in parsed):
        return labels[-1]
    return max(labels, key=cmp_to_key(_precedence))


def ordered(labels: Sequence[str]) -> list[str]:
    """``labels`` oldest first by the same rule: SemVer precedence when all are semantic versions,
    else registration order (as given)."""
    if any(semantic(label) is None for label in labels):
        return list(labels)
    return sorted(labels, key=cmp_to_key(_precedence))


def _precedence(a: str, b: str) -> int:
    return semantic(a).compare(b)  # type: ignore[union-attr, no-any-return]
