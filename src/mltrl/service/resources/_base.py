"""What every resource of the Python API shares: the registry it acts on."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from mltrl.catalog import Catalog
    from mltrl.service.registry import Registry

T = TypeVar("T")


class Resource:
    """A part of the API over ``registry``: its writes run in the registry's transaction, acting as
    its actor, so ``with reg.transaction():`` holds across resources."""

    def __init__(self, registry: Registry) -> None:
        self._reg = registry

    @property
    def catalog(self) -> Catalog:
        return self._reg.catalog

    def _write(self, use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self._reg._write(use_case, *args, **kwargs)

    def _read(self, view: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self._reg._read(view, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._reg.location}>"
