"""The MLTRL level catalogue: levels 0-9 as shipped data, adaptable by an organisation's policy.

``load_catalog()`` returns the shipped catalogue (cached); ``load_catalog(path)`` applies a policy
file to it. The model classes are imported lazily so that importing this package stays cheap for
the CLI: pydantic and yaml load only when a catalogue does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mltrl.catalog.loader import ENV_POLICY, POLICY_FILE, find_policy, load_catalog

if TYPE_CHECKING:
    from mltrl.catalog.models import (
        Catalog,
        Criterion,
        DecisionPoint,
        EthicsChecklist,
        EthicsQuestion,
        EthicsSection,
        Level,
        Option,
        Phase,
        Role,
        Settings,
    )
    from mltrl.catalog.policy import Policy

__all__ = [
    "ENV_POLICY",
    "POLICY_FILE",
    "Catalog",
    "Criterion",
    "DecisionPoint",
    "EthicsChecklist",
    "EthicsQuestion",
    "EthicsSection",
    "Level",
    "Option",
    "Phase",
    "Policy",
    "Role",
    "Settings",
    "find_policy",
    "load_catalog",
]

_MODELS = (
    "Catalog",
    "Criterion",
    "DecisionPoint",
    "EthicsChecklist",
    "EthicsQuestion",
    "EthicsSection",
    "Level",
    "Option",
    "Phase",
    "Role",
    "Settings",
)
_LAZY = {name: "mltrl.catalog.models" for name in _MODELS} | {"Policy": "mltrl.catalog.policy"}


def __getattr__(name: str) -> Any:
    if module := _LAZY.get(name):
        import importlib

        return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module 'mltrl.catalog' has no attribute {name!r}")
