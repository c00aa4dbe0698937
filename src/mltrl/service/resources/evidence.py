"""``reg.evidence``: ``/projects/{key}/components/{code}/evidence`` and ``/projects/{key}/evidence/{id}``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from mltrl.errors import BadInput, NotFound
from mltrl.service import evidence, lookup
from mltrl.service.resources._base import Resource
from mltrl.store import evidence_queries
from mltrl.store.records import EvidenceRecord


class Evidence(Resource):
    """Record evidence on exact component versions; list and show it, fresh or stale."""

    def record(
        self,
        ref: str,
        criterion: str | None = None,
        *,
        kind: str,
        outcome: str,
        metrics: dict[str, Any] | None = None,
        requirement: str | None = None,
        step: int | None = None,
        files: list[str | Path] | None = None,
        versions: dict[str, str] | None = None,
        source: str = "api",
        note: str = "",
        at: datetime | str | None = None,
    ) -> EvidenceRecord:
        """A check's result for ``ref`` (``POST .../components/{code}/evidence``), backing a gate
        ``criterion`` and/or a requirement's V&V ``step``.

        ``versions`` defaults to the component's current code/model/data versions; a newer version
        registered later makes this evidence stale.
        """
        if criterion is None and requirement is None:
            raise BadInput(
                "evidence backs a gate criterion (--criterion, e.g. L7.golden-dataset), a requirement's "
                "V&V step (--requirement and --step), or both; metrics alone back nothing"
            )
        return self._write(
            evidence.record,
            self.catalog,
            ref,
            kind=kind,
            outcome=outcome,
            metrics=metrics,
            criterion=criterion,
            requirement=requirement,
            step=step,
            files=files,
            versions=versions,
            source=source,
            note=note,
            at=at,
        )

    def get(self, evidence_id: int) -> EvidenceRecord:
        """One piece of evidence with its metrics and attachments (``GET /projects/{key}/evidence/{id}``)."""
        found = self._read(lambda r: evidence_queries.evidence(r, evidence_id=int(evidence_id)))
        if not found:
            raise NotFound(f"no evidence {evidence_id} (see `mltrl evidence list`)")
        return found[0]

    def list(self, ref: str, *, kind: str | None = None) -> list[EvidenceRecord]:
        """The component's evidence, oldest first, with ``.fresh`` (``GET .../evidence``);
        ``kind="deployment-test"``: the results of ``deploy compare``/``switch``
        (``GET .../deployment-tests``)."""
        rows = self._read(lambda r: evidence_queries.evidence(r, component_id=lookup.component(r, ref).id))
        return [e for e in rows if kind is None or e.kind == kind]
