"""Reads of data sets with their versions, datasheets and links to components."""

from __future__ import annotations

import json
from typing import Any

from mltrl.store.reader import Reader, as_utc
from mltrl.store.records import DatasetLinkRecord, DatasetRecord, DatasetVersionRecord

_LINKS = """
SELECT l.id, d.key AS dataset_key, d.kind AS dataset_kind, p.key || '/' || c.code AS component,
       l.role, l.version
FROM dataset_links l JOIN datasets d ON d.id = l.dataset_id
JOIN components c ON c.id = l.component_id JOIN projects p ON p.id = c.project_id
"""


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def datasets(r: Reader, project_key: str | None = None, key: str | None = None) -> list[DatasetRecord]:
    sql = (
        "SELECT d.*, p.key AS project_key FROM datasets d JOIN projects p ON p.id = d.project_id WHERE 1 = 1"
    )
    params: dict[str, Any] = {}
    if project_key is not None:
        sql += " AND p.key = :project"
        params["project"] = project_key
    if key is not None:
        sql += " AND d.key = :key"
        params["key"] = key
    records = []
    for row in r.all(sql + " ORDER BY d.key", **params):
        versions = r.all(
            "SELECT * FROM dataset_versions WHERE dataset_id = :id ORDER BY registered_at, id", id=row["id"]
        )
        for version in versions:
            version["registered_at"] = as_utc(version["registered_at"])
        row.update(
            sensitive=_json(row["sensitive"]) or [],
            datasheet=_json(row["datasheet"]) or {},
            demographics=_json(row["demographics"]) or [],
            versions=[DatasetVersionRecord.from_row(v) for v in versions],
            links=[
                DatasetLinkRecord.from_row(x)
                for x in r.all(_LINKS + " WHERE d.id = :id ORDER BY l.id", id=row["id"])
            ],
            created_at=as_utc(row["created_at"]),
        )
        records.append(DatasetRecord.from_row(row))
    return records


def links_of_component(r: Reader, component_id: int) -> list[DatasetLinkRecord]:
    rows = r.all(_LINKS + " WHERE l.component_id = :cid ORDER BY l.id", cid=component_id)
    return [DatasetLinkRecord.from_row(row) for row in rows]


def links_of_components(r: Reader, component_ids: list[int]) -> list[tuple[int, DatasetLinkRecord]]:
    """(component id, link) for the links of these components, by component id then link id: what
    :func:`links_of_component` gives each of them, in one read."""
    if not component_ids:
        return []
    among, ids = r.in_ids("l.component_id", component_ids)
    rows = r.all(
        _LINKS.replace("SELECT l.id,", "SELECT l.component_id AS owner_id, l.id,")
        + f" WHERE {among} ORDER BY l.component_id, l.id",
        **ids,
    )
    return [(row.pop("owner_id"), DatasetLinkRecord.from_row(row)) for row in rows]


def links_in_project(r: Reader, project_id: int) -> list[tuple[int, DatasetLinkRecord]]:
    """(component id, link) for every live component of the project, as :func:`links_of_components`."""
    rows = r.all(
        _LINKS.replace("SELECT l.id,", "SELECT l.component_id AS owner_id, l.id,")
        + " WHERE c.project_id = :pid AND c.status != 'retired' ORDER BY l.component_id, l.id",
        pid=project_id,
    )
    return [(row.pop("owner_id"), DatasetLinkRecord.from_row(row)) for row in rows]
