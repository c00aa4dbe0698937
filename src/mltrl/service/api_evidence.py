"""The evidence and gate part of the :class:`~mltrl.service.registry.Registry` API."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mltrl.errors import BadInput
from mltrl.gates import GateResult, default_gate, evaluate_gate
from mltrl.service import evidence, lookup
from mltrl.store import evidence_queries
from mltrl.store.records import EvidenceRecord

if TYPE_CHECKING:
    from mltrl.analytics.test_score import TestScore
    from mltrl.catalog import Catalog


class EvidenceAPI:
    """Record evidence on exact component versions; evaluate a level's gate against it."""

    catalog: Catalog
    _write: Any
    _read: Any

    def record_evidence(
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
        """A check's result for ``ref``, backing a gate ``criterion`` and/or a requirement's V&V ``step``.

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

    def evidence(self, ref: str) -> list[EvidenceRecord]:
        return self._read(lambda r: evidence_queries.evidence(r, component_id=lookup.component(r, ref).id))

    def gate(self, ref: str, level: int | None = None) -> GateResult:
        """The gate at the end of ``level``; by default the one the component's level claims it passed."""

        def view(r):  # type: ignore[no-untyped-def]
            component = lookup.component(r, ref)
            chosen = default_gate(component) if level is None else level
            if chosen is None:
                raise BadInput(f"{ref} is at level 0: it has passed no gate yet (ask for --level 0)")
            return evaluate_gate(r, self.catalog, component, chosen)

        return self._read(view)

    def score(self, ref: str) -> TestScore:
        """The ML Test Score of ``ref``, computed from its evidence, reviews and monitors (see
        ``mltrl.analytics.test_score``): items, section sums, the score (the lowest section), band."""
        from mltrl.analytics.test_score import compute

        now = datetime.now(UTC)
        return self._read(lambda r: compute(r, lookup.component(r, ref), now))
