"""The organisation's catalogue, the same for every project: the levels with their gates, and the
ethics checklist (``mltrl levels``, ``mltrl ethics``). Any valid token with the read scope reads them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path

from mltrl.errors import Forbidden
from mltrl.server.routes import ERRORS
from mltrl.server.security import Caller, caller
from mltrl.service.authorization import Scope

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["catalogue"])


def _readable(c: Caller) -> None:
    if Scope.READ not in c.principal.scopes:
        raise Forbidden(
            f"this token's scopes ({', '.join(sorted(c.principal.scopes)) or 'none'}) do not include read"
        )


@router.get("/levels")
def levels(c: Caller = Depends(caller)) -> dict[str, Any]:
    """The levels 0-9 with the policy applied (``mltrl levels --json``)."""
    _readable(c)
    return c.registry.catalog.to_json()  # type: ignore[no-any-return]


@router.get("/levels/{level}")
def level(level: int = Path(ge=0, le=9), c: Caller = Depends(caller)) -> dict[str, Any]:
    """One level in full: panel, deliverables, decisions, gate criteria (``mltrl levels N --json``)."""
    _readable(c)
    return c.registry.catalog.level(level).to_json()  # type: ignore[no-any-return]


@router.get("/ethics")
def ethics(c: Caller = Depends(caller)) -> dict[str, Any]:
    """The organisation's ethics checklist (``mltrl ethics --json``)."""
    _readable(c)
    return c.registry.catalog.ethics.to_json()  # type: ignore[no-any-return]
