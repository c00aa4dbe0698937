"""``reg.golden`` and ``reg.relations``: the golden succession and the codified metamorphic relations.

Running a check needs the ``checks`` extra (scikit-learn, scipy, statsmodels); it is imported on
first use, so listing, history and the gate work with the base install.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mltrl.service import checks_storage, lookup
from mltrl.service.resources._base import Resource
from mltrl.store import check_queries
from mltrl.store.check_queries import GoldenScoreRecord, RelationRecord, RelationResultRecord

if TYPE_CHECKING:
    from mltrl.checks import CheckResult, GoldenCheck


class Golden(Resource):
    """Each model version scored on the component's golden data set, compared with its champion."""

    def score(
        self,
        ref: str,
        dataset: str,
        candidate: Any,
        X: Any,
        y: Any,
        *,
        check: GoldenCheck,
        version: str | None = None,
        model_version: str | None = None,
        path: str | Path | None = None,
        source: str = "api",
        at: datetime | str | None = None,
    ) -> CheckResult:
        """Score ``candidate`` (a model with ``predict``, or its outputs) on the golden ``X, y``.

        ``dataset`` must be linked to ``ref`` with role ``golden``; ``version`` defaults to the
        version the link pins, else the data set's current one; when that version has a registered
        sha256, ``path`` (the golden file or directory) must have that content. ``model_version``
        defaults to the component's current model. The check runs against the champion (the latest
        earlier model version that passed on the same golden version and metric) using its stored
        per-row outputs, and is recorded as ``L7.golden-dataset`` evidence together with the score.
        """
        from mltrl.checks import succession

        return succession.score(
            self._reg,
            ref,
            dataset,
            candidate,
            X,
            y,
            check=check,
            version=version,
            model_version=model_version,
            path=path,
            source=source,
            at=at,
        )

    def history(self, ref: str, dataset: str | None = None) -> list[GoldenScoreRecord]:
        """Every stored score of ``ref`` (of one golden ``dataset``), oldest first (``GET .../golden``)."""

        def view(r):  # type: ignore[no-untyped-def]
            scores = check_queries.golden_scores(r, lookup.component(r, ref).id)
            return [s for s in scores if dataset is None or s.dataset == dataset]

        return self._read(view)


class Relations(Resource):
    """The component's codified list of metamorphic relations, and their outcomes."""

    def add(
        self,
        ref: str,
        name: str,
        *,
        kind: str,
        perturbation: str | None,
        params: Mapping[str, Any] | None = None,
        direction: str | None = None,
        tolerance: float = 0.0,
        atol: float = 0.0,
        description: str = "",
        at: datetime | str | None = None,
    ) -> RelationRecord:
        """Codify a relation: ``kind`` invariance|directional|monotonic, a built-in ``perturbation``
        (:func:`mltrl.checks.perturbations.names`) with its ``params``, the failure rate it tolerates."""
        return self._write(
            checks_storage.add_relation,
            ref,
            name,
            kind=kind,
            perturbation=perturbation,
            params=params,
            direction=direction,
            tolerance=tolerance,
            atol=atol,
            description=description,
            at=at,
        )

    def remove(self, ref: str, name: str, *, reason: str = "", at: datetime | str | None = None) -> None:
        self._write(checks_storage.remove_relation, ref, name, reason=reason, at=at)

    def list(self, ref: str) -> list[RelationRecord]:
        """The codified relations (``GET .../relations`` shows them with their latest outcomes)."""
        return self._read(lambda r: check_queries.relations(r, lookup.component(r, ref).id))

    def results(self, ref: str) -> dict[str, RelationResultRecord]:
        """Each listed relation's latest outcome for its current definition (missing: never run)."""
        return self._read(lambda r: check_queries.latest_relation_results(r, lookup.component(r, ref).id))

    def run(
        self,
        ref: str,
        model: Any,
        X: Any,
        *,
        min_rows: int = 30,
        confidence: float = 0.95,
        source: str = "api",
        at: datetime | str | None = None,
    ) -> CheckResult:
        """Run every listed relation (one MetamorphicCheck, Holm across them), record it as
        ``L7.metamorphic`` evidence and store each relation's outcome, in one transaction."""
        from mltrl.checks import codified_run

        return codified_run.run(
            self._reg, ref, model, X, min_rows=min_rows, confidence=confidence, source=source, at=at
        )
