"""``reg.datasets``: ``/projects/{key}/datasets``, their versions, links and datasheets."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from mltrl.service import datasets, lookup
from mltrl.service.resources._base import Resource
from mltrl.store import dataset_queries
from mltrl.store.records import DatasetRecord


class Datasets(Resource):
    """Data sets with semantic versions, content hashes, datasheets and links to components."""

    def add(
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
        """A data set of ``project`` (``POST /projects/{key}/datasets``): kind real, synthetic,
        simulated, benchmark or sample; sensitive-data flags; datasheet sections."""
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
        """Set datasheet sections (``PATCH .../datasets/{dataset}/datasheet``)."""
        return self._write(datasets.update_datasheet, key, sections)

    def count_demographics(
        self,
        key: str,
        data: Any,
        columns: list[str],
        *,
        version: str | None = None,
        source: str = "a table given in Python",
    ) -> DatasetRecord:
        """Count the rows of each group in ``columns`` of ``data`` (a CSV/Parquet path or a DataFrame)
        and state them on the data set's datasheet, so its card states facts about who is in the data.

        With ``version``, a file must be that version's bytes when the version has a registered sha256.
        ``source``: where a table (not a file) came from, as the datasheet states it.
        Example:
        ``reg.datasets.count_demographics("biolab-pilot", "pilot.csv", ["sex", "site"], version="1.0.0")``
        """
        from mltrl.errors import BadInput
        from mltrl.service.hashing import sha256_path
        from mltrl.service.tables import table_of

        record = self._read(lambda r: datasets.get_in(r, key))
        registered = next((v for v in record.versions if v.version == version), None)
        if version is not None and registered is None:
            raise BadInput(f"data set {key} has no version {version} (see `mltrl dataset show {key}`)")
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
        counts = {column: _group_counts(table[column]) for column in columns}
        where = f"version {version}, " if version else ""
        return self._write(datasets.set_demographics, key, counts, counted_from=f"{where}{source}")

    def add_version(
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
        """A version of the data set with its content hash (``POST .../datasets/{dataset}/versions``)."""
        return self._write(
            datasets.add_version, key, version, path=path, sha256=sha256, uri=uri, note=note, at=at
        )

    def link(self, key: str, ref: str, role: str, *, version: str | None = None) -> None:
        """Use of a data set by a component: train, validation, test, golden or reference
        (``POST .../datasets/{dataset}/links``)."""
        self._write(datasets.link, key, ref, role, version=version)

    def get(self, key: str) -> DatasetRecord:
        """One data set with versions, links and datasheet (``GET .../datasets/{dataset}``)."""

        def view(r):  # type: ignore[no-untyped-def]
            found = dataset_queries.datasets(r, key=key)
            if not found:
                from mltrl.errors import NotFound

                raise NotFound(f"no data set {key!r} (see `mltrl dataset list`)")
            return found[0]

        return self._read(view)

    def list(self, project: str | None = None) -> list[DatasetRecord]:
        """The data sets of a project, or all (``GET /projects/{key}/datasets``)."""
        return self._read(
            lambda r: dataset_queries.datasets(
                r, project_key=lookup.project(r, project).key if project else None
            )
        )


def _group_counts(values: Any) -> dict[str, int]:
    """Rows per group of a column; a blank cell (a CSV's empty field, read as '') and a null are
    one group, ``(missing)``: the same count from a file and from rows sent as JSON."""
    blank = values.map(lambda v: isinstance(v, str) and not v.strip())
    return {str(g): int(n) for g, n in values.mask(blank).fillna("(missing)").value_counts().items()}
