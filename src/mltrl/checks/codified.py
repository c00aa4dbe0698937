"""Metamorphic relations written down on the component: a definition that names a built-in perturbation.

A codified relation is data (name, kind, perturbation name and its keyword arguments, direction,
tolerance), so the registry can list it, a gate can ask that every listed relation passed, and a
changed definition needs a new run. :func:`relation` turns a definition into a
:class:`~mltrl.checks.metamorphic.Relation`, refusing an unknown perturbation or arguments it does
not take in one line, before anything is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mltrl.errors import BadInput

if TYPE_CHECKING:
    from mltrl.checks.metamorphic import Relation


def relation(
    name: str,
    *,
    kind: str,
    perturbation: str | None,
    params: Mapping[str, Any] | None = None,
    direction: str | None = None,
    tolerance: float = 0.0,
    atol: float = 0.0,
) -> Relation:
    """The :class:`Relation` a definition describes; a one-line ``BadInput`` naming what is wrong."""
    try:
        from mltrl.checks import perturbations
        from mltrl.checks.metamorphic import Relation
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        raise BadInput(
            f"metamorphic relations need the checks extra ({exc.name} is missing): "
            "pip install 'mltrl[checks]'"
        ) from None
    if not isinstance(perturbation, str) or not perturbation.strip():
        raise BadInput(
            f"relation {name!r} has no perturbation: name one of {', '.join(perturbations.names())}"
        )
    return Relation(
        name,
        kind,
        perturbation,
        tolerance=tolerance,
        direction=direction,
        atol=atol,
        params=dict(params or {}),
    )
