"""``reg.groups``: the working group of a component (``mltrl group``; ``.../components/{code}/group``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mltrl.service import lookup, people
from mltrl.service.resources._base import Resource
from mltrl.store import people_queries


class Groups(Resource):
    """Who works on a component, in which role, from which level to which."""

    def join(self, ref: str, person: str, role: str, *, at: datetime | str | None = None) -> None:
        """Add a person to the component's working group in a role, from its current level on."""
        self._write(people.join, ref, person, role, at=at)

    def leave(self, ref: str, person: str, *, reason: str = "", at: datetime | str | None = None) -> None:
        """The person leaves the working group at the component's current level."""
        self._write(people.leave, ref, person, reason=reason, at=at)

    def list(self, ref: str) -> list[dict[str, Any]]:
        """Every member the component has had (role, level joined, level left)."""
        return self._read(lambda r: people_queries.working_group(r, lookup.component(r, ref).id))
