"""``reg.projects``: ``/projects`` and ``/projects/{key}/forks``."""

from __future__ import annotations

from datetime import datetime

from mltrl.service import lookup, projects
from mltrl.service.resources._base import Resource
from mltrl.store import queries
from mltrl.store.records import ProjectRecord


class Projects(Resource):
    """Create, list, show and fork projects; set their traits."""

    def create(
        self,
        key: str,
        name: str,
        *,
        description: str = "",
        rd_owner: str | None = None,
        product_owner: str | None = None,
        at: datetime | str | None = None,
        traits: list[str] | None = None,
    ) -> ProjectRecord:
        """Create a project (``POST /projects``); ``traits`` (e.g. ``["causal"]``) turn on the
        catalogue's criteria for them."""
        return self._write(
            projects.create,
            key,
            name,
            description=description,
            rd_owner=rd_owner,
            product_owner=product_owner,
            at=at,
            traits=traits,
            # Only a project with traits needs the catalogue (which a policy set later may still change).
            known_traits=self.catalog.traits if traits else frozenset(),
        )

    def list(self) -> list[ProjectRecord]:
        """Every project (``GET /projects``)."""
        return self._read(queries.projects)

    def get(self, key: str) -> ProjectRecord:
        """One project (``GET /projects/{key}``)."""
        return self._read(lookup.project, key)

    def fork(
        self, parent: str, key: str, *, reason: str, name: str | None = None, at: datetime | str | None = None
    ) -> ProjectRecord:
        """A new project that leaves ``parent`` (``POST /projects/{key}/forks``): bifurcation."""
        return self._write(projects.fork, parent, key, name=name, reason=reason, at=at)

    def set_traits(
        self,
        key: str,
        *,
        add: list[str] | None = None,
        remove: list[str] | None = None,
        at: datetime | str | None = None,
    ) -> ProjectRecord:
        """Add or remove project traits; criteria that apply only to a trait follow (``L1.overlap`` ...)."""
        return self._write(
            projects.set_traits,
            key,
            add=add,
            remove=remove,
            known_traits=self.catalog.traits if add else frozenset(),
            at=at,
        )
