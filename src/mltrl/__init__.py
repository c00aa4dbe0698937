"""mltrl: Machine Learning Technology Readiness Levels for real ML projects.

The public Python API is re-exported here lazily so that ``import mltrl``
(and the CLI's start-up) stays cheap: SQLAlchemy is only imported when a
registry is actually opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Registry", "__version__", "load_catalog"]

if TYPE_CHECKING:
    from mltrl.catalog import load_catalog
    from mltrl.service.registry import Registry


def __getattr__(name: str) -> Any:
    if name == "Registry":
        from mltrl.service.registry import Registry

        return Registry
    if name == "load_catalog":
        from mltrl.catalog import load_catalog

        return load_catalog
    raise AttributeError(f"module 'mltrl' has no attribute {name!r}")
