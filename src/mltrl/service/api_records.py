"""The requirements, risk and data-set part of the :class:`~mltrl.service.registry.Registry` API."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from mltrl.service import datasets, lookup, requirements
from mltrl.service.inputs import now
from mltrl.store import dataset_queries, evidence_queries, requirement_queries
from mltrl.store.records import DatasetRecord, RequirementRecord
from mltrl.views.requirements_doc import requirements_markdown
from mltrl.views.risk import RiskReport, risk_report


class RequirementAPI:
    """Requirements with V&V steps and risk; ``risk`` ranks them, ``requirements_document`` exports them."""

    _write: Any
    _read: Any

    def add_requirement(
        self,
        project: str,
        code: str,
        statement: str,
        *,
        kind: str,
        p_failure: float,
        value: int,
        category: str,
        rationale: str = "",
        stakeholder: str = "",
        components: list[str] | None = None,
        scenarios: list[str] | None = None,
        slices: list[str] | None = None,
        at: datetime | str | None = None,
    ) -> RequirementRecord:
        return self._write(
            requirements.add,
            project,
            code,
            statement,
            kind=kind,
            p_failure=p_failure,
            value=value,
            category=category,
            rationale=rationale,
            stakeholder=stakeholder,
            components=components,
            scenarios=scenarios,
            slices=slices,
            at=at,
        )

    def link_requirement(self, project: str, code: str, ref: str) -> None:
        self._write(requirements.link, project, code, ref)

    def add_vv_step(
        self, project: str, code: str, kind: str, description: str, *, method: str, status: str = "planned"
    ) -> int:
        """A ``verification`` or ``validation`` step; returns its number within the requirement."""
        return self._write(
            requirements.add_step, project, code, kind, description, method=method, status=status
        )

    def set_vv_status(self, project: str, code: str, step: int, status: str, *, reason: str = "") -> None:
        """planned | passed | failed | waived (waived needs a reason)."""
        self._write(requirements.set_step, project, code, step, status, reason=reason)

    def requirements(self, project: str) -> list[RequirementRecord]:
        return self._read(lambda r: requirement_queries.requirements(r, lookup.project(r, project).key))

    def risk(self, project: str) -> RiskReport:
        def view(r):  # type: ignore[no-untyped-def]
            key = lookup.project(r, project).key
            evidence = evidence_queries.evidence(r, project_key=key)
            return risk_report(key, requirement_queries.requirements(r, key), evidence)

        return self._read(view)

    def requirements_document(self, project: str) -> str:
        def view(r):  # type: ignore[no-untyped-def]
            record = lookup.project(r, project)
            return requirements_markdown(record, requirement_queries.requirements(r, record.key), now())

        return self._read(view)


class DatasetAPI:
    """Data sets with semantic versions, content hashes, datasheets and links to components."""

    _write: Any
    _read: Any

    def add_dataset(
        self,
        project: str,
        key: str,
        name: str,
        *,
        kind: str,
        source: str = "",
        owner: str = "",
        sensitive: list[str] | None = None,
        datasheet: dict[str, str] | None = None,
        at: datetime | str | None = None,
    ) -> DatasetRecord:
        return self._write(
            datasets.add,
            project,
            key,
            name,
            kind=kind,
            source=source,
            owner=owner,
            sensitive=sensitive,
            sheet=datasheet,
            at=at,
        )

    def update_datasheet(self, key: str, sections: dict[str, str]) -> DatasetRecord:
        return self._write(datasets.update_datasheet, key, sections)

    def count_demographics(
        self, key: str, data: Any, columns: list[str], *, version: str | None = None
    ) -> DatasetRecord:
        """Count the rows of each group in ``columns`` of ``data`` (a CSV/Parquet path or a DataFrame)
        and state them on the data set's datasheet, so its card states facts about who is in the data.

        With ``version``, a file must be that version's bytes when the version has a registered sha256.
        Example: ``reg.count_demographics("biolab-pilot", "pilot.csv", ["sex", "site"], version="1.0.0")``
        """
        from mltrl.errors import BadInput
        from mltrl.service.api_monitor import table_of
        from mltrl.service.hashing import sha256_path

        record = self._read(lambda r: datasets.get_in(r, key))
        registered = next((v for v in record.versions if v.version == version), None)
        if version is not None and registered is None:
            raise BadInput(f"data set {key} has no version {version} (see `mltrl dataset show {key}`)")
        source = "a table given in Python"
        if isinstance(data, (str, Path)):
            digest = sha256_path(Path(data))
            if registered is not None and registered.sha256 and registered.sha256 != digest:
                raise BadInput(
                    f"{data}: its sha256 {digest[:12]} is not version {version}'s ({registered.sha256[:12]})"
                )
            source = f"{Path(data).name} sha256 {digest}"
        table = table_of(data)
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise BadInput(
                f"{data if isinstance(data, (str, Path)) else 'the table'} has no column {missing[0]!r}"
            )
        counts = {
            column: {str(g): int(n) for g, n in table[column].fillna("(missing)").value_counts().items()}
            for column in columns
        }
        where = f"version {version}, " if version else ""
        return self._write(datasets.set_demographics, key, counts, counted_from=f"{where}{source}")

    def add_dataset_version(
        self,
        key: str,
        version: str,
        *,
        path: str | Path | None = None,
        sha256: str | None = None,
        uri: str | None = None,
        note: str = "",
        at: datetime | str | None = None,
    ) -> DatasetRecord:
        return self._write(
            datasets.add_version, key, version, path=path, sha256=sha256, uri=uri, note=note, at=at
        )

    def link_dataset(self, key: str, ref: str, role: str, *, version: str | None = None) -> None:
        """Use of a data set by a component: train, validation, test, golden or reference."""
        self._write(datasets.link, key, ref, role, version=version)

    def dataset(self, key: str) -> DatasetRecord:
        def view(r):  # type: ignore[no-untyped-def]
            found = dataset_queries.datasets(r, key=key)
            if not found:
                from mltrl.errors import NotFound

                raise NotFound(f"no data set {key!r} (see `mltrl dataset list`)")
            return found[0]

        return self._read(view)

    def datasets(self, project: str | None = None) -> list[DatasetRecord]:
        return self._read(
            lambda r: dataset_queries.datasets(
                r, project_key=lookup.project(r, project).key if project else None
            )
        )
