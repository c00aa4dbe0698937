"""Routes of the project's records: requirements with their V&V steps and risk, and data sets with
their versions, links and datasheets (``mltrl req``, ``mltrl risk``, ``mltrl dataset``).

A data set's key is unique in the registry; under ``/projects/{key}/datasets/{dataset}`` one that
belongs to another project is answered as unknown, so a role on one project reveals nothing of another.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Response

from mltrl.errors import NotFound
from mltrl.server.models_records import (
    DatasetIn,
    DatasetLinkIn,
    DatasetVersionIn,
    DatasheetIn,
    DemographicsIn,
    LinkIn,
    RequirementIn,
    StepIn,
    StepStatusIn,
)
from mltrl.server.routes import ERRORS
from mltrl.server.security import Caller, caller
from mltrl.service import inputs
from mltrl.service.authorization import Action
from mltrl.store.records import DatasetRecord, RequirementRecord

router = APIRouter(prefix="/api/v1", responses=ERRORS)


# --- requirements and risk --------------------------------------------------------------------------


@router.post("/projects/{key}/requirements", status_code=201, tags=["requirements"])
def add_requirement(key: str, body: RequirementIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """A requirement with its risk = p(failure) x value (``mltrl req add --json``)."""
    c.require(Action.READ, key)
    c.require(Action.EDIT_RECORDS, key)
    for ref in body.components:
        c.require(Action.READ, ref.split("/", 1)[0])
    record = c.registry.requirements.add(
        key,
        body.code,
        body.statement,
        kind=body.kind,
        p_failure=body.p_failure,
        value=body.value,
        category=body.category,
        rationale=body.rationale,
        stakeholder=body.stakeholder,
        components=body.components,
        scenarios=body.scenarios,
        slices=body.slices,
    )
    return record.to_json()  # type: ignore[no-any-return]


@router.get("/projects/{key}/requirements/{code}", tags=["requirements"])
def show_requirement(key: str, code: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    """One requirement with its V&V steps (``mltrl req show KEY ID --json``)."""
    c.require(Action.READ, key)
    return _requirement(c, key, code).to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/requirements/{code}/components", tags=["requirements"])
def link_requirement(key: str, code: str, body: LinkIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Link the requirement to a component (``mltrl req link --json``)."""
    c.require(Action.READ, key)
    c.require(Action.EDIT_RECORDS, key)
    c.require(Action.READ, body.component.split("/", 1)[0])
    c.registry.requirements.link(key, code, body.component)
    return _requirement(c, key, code).to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/requirements/{code}/steps", status_code=201, tags=["requirements"])
def add_step(key: str, code: str, body: StepIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """A verification or validation step (``mltrl req vv add --json``)."""
    c.require(Action.READ, key)
    c.require(Action.EDIT_RECORDS, key)
    number = c.registry.requirements.add_step(
        key, code, body.kind, body.description, method=body.method, status=body.status
    )
    return _step(c, key, code, number)


@router.patch("/projects/{key}/requirements/{code}/steps/{step}", tags=["requirements"])
def set_step(
    key: str,
    code: str,
    body: StepStatusIn,
    step: int = Path(ge=1, le=2**31 - 1, description="V&V step number"),
    c: Caller = Depends(caller),
) -> dict[str, Any]:
    """A step's status: planned, passed, failed or waived with a reason (``mltrl req vv set --json``)."""
    c.require(Action.READ, key)
    c.require(Action.EDIT_RECORDS, key)
    c.registry.requirements.set_step(key, code, step, body.status, reason=body.reason)
    return _step(c, key, code, step)


@router.get("/projects/{key}/requirements-document", tags=["requirements"])
def requirements_document(key: str, c: Caller = Depends(caller)) -> Response:
    """The requirements document in Markdown with its V&V table (``mltrl req export KEY``)."""
    c.require(Action.READ, key)
    return Response(c.registry.requirements.document(key), media_type="text/markdown; charset=utf-8")


@router.get("/projects/{key}/risk", tags=["requirements"])
def risk(key: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Requirements ranked by risk, and the likelihood x impact matrix (``mltrl risk KEY --json``)."""
    c.require(Action.READ, key)
    return c.registry.requirements.risk(key).to_json()  # type: ignore[no-any-return]


def _requirement(c: Caller, key: str, code: str) -> RequirementRecord:
    return c.registry.requirements.get(key, code)


def _step(c: Caller, key: str, code: str, number: int) -> dict[str, Any]:
    data = _requirement(c, key, code).to_json()
    (step,) = [s for s in data["steps"] if s["number"] == number]
    return {"project": key, "requirement": data["code"], **step}


# --- data sets --------------------------------------------------------------------------------------


@router.get("/projects/{key}/datasets", tags=["datasets"])
def list_datasets(key: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    """The project's data sets (``mltrl dataset list --project KEY --json``)."""
    c.require(Action.READ, key)
    return {"datasets": [d.to_json() for d in c.registry.datasets.list(key)]}


@router.get("/projects/{key}/datasets/{dataset}", tags=["datasets"])
def show_dataset(key: str, dataset: str, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Versions, links and datasheet (``mltrl dataset show KEY --json``)."""
    c.require(Action.READ, key)
    return _dataset(c, key, dataset).to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/datasets", status_code=201, tags=["datasets"])
def add_dataset(key: str, body: DatasetIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """Register a data set (``mltrl dataset add --json``)."""
    c.require(Action.READ, key)
    c.require(Action.EDIT_RECORDS, key)
    record = c.registry.datasets.add(
        key,
        body.key,
        body.name,
        kind=body.kind,
        source=body.source,
        owner=body.owner,
        sensitive=body.sensitive,
        datasheet=body.datasheet or None,
    )
    return record.to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/datasets/{dataset}/versions", status_code=201, tags=["datasets"])
def add_dataset_version(
    key: str, dataset: str, body: DatasetVersionIn, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """A version label with its content hash (``mltrl dataset version --json``)."""
    _dataset_for(c, key, dataset)
    record = c.registry.datasets.add_version(
        dataset, body.version, sha256=body.sha256, uri=body.uri, note=body.note
    )
    return record.to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/datasets/{dataset}/links", tags=["datasets"])
def link_dataset(key: str, dataset: str, body: DatasetLinkIn, c: Caller = Depends(caller)) -> dict[str, Any]:
    """A component uses the data set in a role (``mltrl dataset link --json``)."""
    _dataset_for(c, key, dataset)
    c.require(Action.READ, body.component.split("/", 1)[0])
    c.registry.datasets.link(dataset, body.component, body.role, version=body.version)
    return c.registry.datasets.get(dataset).to_json()  # type: ignore[no-any-return]


@router.patch("/projects/{key}/datasets/{dataset}/datasheet", tags=["datasets"])
def update_datasheet(
    key: str, dataset: str, body: DatasheetIn, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """Fill in datasheet sections (``mltrl dataset datasheet --json``)."""
    _dataset_for(c, key, dataset)
    return c.registry.datasets.update_datasheet(dataset, body.sections).to_json()  # type: ignore[no-any-return]


@router.post("/projects/{key}/datasets/{dataset}/demographics", tags=["datasets"])
def count_demographics(
    key: str, dataset: str, body: DemographicsIn, c: Caller = Depends(caller)
) -> dict[str, Any]:
    """Count the rows of each group in ``columns`` and state them on the datasheet (``mltrl dataset
    demographics --json``); the rows come as the monitoring routes take them, at most 1 MiB a body,
    and are counted, not stored."""
    from mltrl.server.routes_monitor_data import table_rows

    _dataset_for(c, key, dataset)
    for number, column in enumerate(body.columns):
        inputs.text(column, f"columns[{number}]", required=True, limit=200)
    if body.version is not None:
        inputs.text(body.version, "version", required=True, limit=200)
    record = c.registry.datasets.count_demographics(
        dataset,
        table_rows(body.rows),
        body.columns,
        version=body.version,
        source=f"{len(body.rows)} rows sent to the server by {c.principal.name}",
    )
    return record.to_json()  # type: ignore[no-any-return]


def _dataset(c: Caller, key: str, dataset: str) -> DatasetRecord:
    c.registry.projects.get(key)  # an unknown project is named as such
    inputs.project_key(dataset, "data-set key")  # shaped like a project key; PostgreSQL refuses a NUL
    record = c.registry.datasets.get(dataset)
    if record.project_key != key:
        raise NotFound(f"no data set {dataset!r} in project {key!r}")
    return record


def _dataset_for(c: Caller, key: str, dataset: str) -> DatasetRecord:
    c.require(Action.READ, key)
    c.require(Action.EDIT_RECORDS, key)
    return _dataset(c, key, dataset)
