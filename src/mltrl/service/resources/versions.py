"""``reg.versions``: ``/projects/{key}/components/{code}/versions``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from mltrl.service import components, lookup
from mltrl.service.resources._base import Resource
from mltrl.store import queries
from mltrl.store.records import VersionRecord


class Versions(Resource):
    """The code, model and data versions of a component (semantic version + content hash)."""

    def register(
        self,
        ref: str,
        kind: str,
        version: str,
        *,
        uri: str | None = None,
        path: str | Path | None = None,
        sha256: str | None = None,
        note: str = "",
        at: datetime | str | None = None,
    ) -> VersionRecord:
        """A new ``code``/``model``/``data`` version (``POST .../versions``): the evidence on the
        previous one turns stale, and a deployed component switches back to level 7 by itself."""
        return self._write(
            components.register_version,
            ref,
            kind,
            version,
            uri=uri,
            path=path,
            sha256=sha256,
            note=note,
            at=at,
        )

    def list(self, ref: str) -> list[VersionRecord]:
        """Every version of the component, oldest first (``GET .../versions``)."""
        return self._read(lambda r: queries.versions(r, lookup.component(r, ref).id))
