"""Use-cases for data sets: register one with its datasheet, version it, link it to components.

Datasheets follow *Datasheets for Datasets* (Gebru et al.): motivation,
composition, collection, preprocessing, uses, distribution, maintenance.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import insert, update

from mltrl.errors import BadInput, NotFound
from mltrl.service import inputs, lookup
from mltrl.service._store import Unit
from mltrl.service.hashing import sha256_path
from mltrl.store import dataset_queries, schema
from mltrl.store.reader import Reader
from mltrl.store.records import DatasetRecord

DATASHEET_SECTIONS = (
    "motivation",
    "composition",
    "collection",
    "preprocessing",
    "uses",
    "distribution",
    "maintenance",
)
SENSITIVE_FLAGS = (
    "personal",
    "health",
    "biometric",
    "financial",
    "minors",
    "location",
    "protected-attributes",
    "confidential",
)


class Kind(StrEnum):
    REAL = "real"
    SYNTHETIC = "synthetic"
    SIMULATED = "simulated"
    BENCHMARK = "benchmark"
    SAMPLE = "sample"


class Role(StrEnum):
    TRAIN = "train"
    VALIDATION = "validation"
    TEST = "test"
    GOLDEN = "golden"
    REFERENCE = "reference"


def datasheet(sections: dict[str, str] | None) -> dict[str, str]:
    sections = sections or {}
    for name in sections:
        if name not in DATASHEET_SECTIONS:
            raise BadInput(f"datasheet section {name!r} is not one of {', '.join(DATASHEET_SECTIONS)}")
    return {name: inputs.text(text, f"datasheet {name}", limit=20000) for name, text in sections.items()}


def flags(values: list[str] | None) -> list[str]:
    for flag in values or []:
        if flag not in SENSITIVE_FLAGS:
            raise BadInput(f"sensitive-data flag {flag!r} is not one of {', '.join(SENSITIVE_FLAGS)}")
    return sorted(set(values or []))


def add(
    unit: Unit,
    project_key: str,
    key: str,
    name: str,
    *,
    kind: str,
    source: str = "",
    owner: str = "",
    sensitive: list[str] | None = None,
    sheet: dict[str, str] | None = None,
    at: datetime | str | None = None,
) -> DatasetRecord:
    project = lookup.project(unit.reader, project_key)
    key = inputs.project_key(key, "data-set key")  # shaped like a project key
    if dataset_queries.datasets(unit.reader, key=key):
        raise BadInput(f"data set {key!r} already exists")
    when = inputs.moment(at)
    unit.conn.execute(
        insert(schema.datasets).values(
            project_id=project.id,
            key=key,
            name=inputs.text(name, "data set name", required=True),
            kind=str(inputs.choice(Kind, kind, "data set kind")),
            source=inputs.text(source, "source", limit=2000),
            owner=inputs.text(owner, "owner"),
            sensitive=flags(sensitive),
            datasheet=datasheet(sheet),
            created_at=when,
            created_by=unit.actor,
        )
    )
    unit.append_event(project_id=project.id, kind="dataset.add", at=when, data={"dataset": key, "kind": kind})
    return get(unit, key)


def update_datasheet(unit: Unit, key: str, sheet: dict[str, str]) -> DatasetRecord:
    record = get(unit, key)
    merged = {**record.datasheet, **datasheet(sheet)}
    unit.conn.execute(
        update(schema.datasets).where(schema.datasets.c.id == record.id).values(datasheet=merged)
    )
    _log(unit, record, "dataset.datasheet", {"dataset": key, "sections": sorted(sheet)})
    return get(unit, key)


#: A column with more distinct values than this is not a group column (an id, a measurement ...).
MAX_GROUPS = 50


def set_demographics(
    unit: Unit, key: str, counts: dict[str, dict[str, int]], *, counted_from: str
) -> DatasetRecord:
    """State on the datasheet how many rows each group of each column holds, as counted from the data
    (``counted_from`` names it: file, version, sha256). A column counted again replaces its entry."""
    record = get(unit, key)
    if not counts:
        raise BadInput("name at least one group column to count (--column)")
    entries = {entry["column"]: entry for entry in record.demographics}
    for column, groups in counts.items():
        column = inputs.text(column, "group column", required=True, limit=200)
        if len(groups) > MAX_GROUPS:
            raise BadInput(
                f"column {column!r} has {len(groups)} distinct values, more than {MAX_GROUPS}: "
                "not a group column"
            )
        entries[column] = {
            "column": column,
            "groups": {inputs.text(str(g), "group", limit=200): int(n) for g, n in sorted(groups.items())},
            "rows": int(sum(groups.values())),
            "counted_from": inputs.text(counted_from, "counted from", limit=2000),
        }
    demographics = [entries[c] for c in sorted(entries)]
    unit.conn.execute(
        update(schema.datasets).where(schema.datasets.c.id == record.id).values(demographics=demographics)
    )
    _log(unit, record, "dataset.demographics", {"dataset": key, "columns": sorted(counts)})
    return get(unit, key)


def add_version(
    unit: Unit,
    key: str,
    version: str,
    *,
    path: str | Path | None = None,
    sha256: str | None = None,
    uri: str | None = None,
    note: str = "",
    at: datetime | str | None = None,
) -> DatasetRecord:
    record = get(unit, key)
    version = inputs.version_label(version)
    clash = inputs.version_clash(version, [v.version for v in record.versions])
    if clash is not None:
        same = "" if clash == version else f"; {version} equals it but for build metadata"
        raise BadInput(f"data set {key} already has version {clash}{same}")
    if path is not None and sha256 is not None:
        raise BadInput("give either a path to hash or a sha256, not both")
    digest = sha256_path(Path(path)) if path is not None else (inputs.sha256(sha256) if sha256 else None)
    when = inputs.moment(at)
    unit.conn.execute(
        insert(schema.dataset_versions).values(
            dataset_id=record.id,
            version=version,
            sha256=digest,
            uri=inputs.text(uri, "uri", limit=2000) or None,
            note=inputs.text(note, "note", limit=4000),
            registered_at=when,
            registered_by=unit.actor,
        )
    )
    _log(unit, record, "dataset.version", {"dataset": key, "version": version, "sha256": digest}, when)
    return get(unit, key)


def link(unit: Unit, key: str, ref: str, role: str, *, version: str | None = None) -> None:
    record = get(unit, key)
    component = lookup.changeable(unit.reader, ref, "data links")
    role_value = str(inputs.choice(Role, role, "data set role"))
    if version is not None:
        version = inputs.version_label(version)
        if not any(v.version == version for v in record.versions):
            raise NotFound(f"data set {key} has no version {version}")
    if any(link.component == component.ref and link.role == role_value for link in record.links):
        raise BadInput(f"data set {key} is already linked to {component.ref} as {role_value}")
    when = inputs.now()
    unit.conn.execute(
        insert(schema.dataset_links).values(
            dataset_id=record.id, component_id=component.id, role=role_value, version=version, linked_at=when
        )
    )
    unit.append_event(
        project_id=component.project_id,
        component_id=component.id,
        kind="dataset.link",
        at=when,
        data={"dataset": key, "role": role_value, "version": version},
    )


def get(unit: Unit, key: str) -> DatasetRecord:
    return get_in(unit.reader, key)


def get_in(reader: Reader, key: str) -> DatasetRecord:
    found = dataset_queries.datasets(reader, key=key)
    if not found:
        raise NotFound(f"no data set {key!r} (see `mltrl dataset list`)")
    return found[0]


def _log(unit: Unit, record: DatasetRecord, kind: str, data: dict, at: datetime | None = None) -> None:  # type: ignore[type-arg]
    project = lookup.project(unit.reader, record.project_key)
    unit.append_event(project_id=project.id, kind=kind, at=at or inputs.now(), data=data)
