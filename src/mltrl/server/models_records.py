"""Request bodies of the routes beyond reviews and evidence: projects, components and their moves,
requirements, data sets, cards and monitoring. Strict like :mod:`mltrl.server.models`: a wrong type
or an unknown field is a 422, never coerced or ignored."""

from __future__ import annotations

from pydantic import Field

from mltrl.server.models import Body, Level

#: Free text the service checks further (control characters, length); a bound here keeps a
#: generated megabyte-long name from reaching it at all.
Text = Field(default="", max_length=20_000)


class ProjectIn(Body):
    key: str = Field(description="Starts with a letter, then letters, digits, -, _")
    name: str
    description: str = Text
    rd_owner: str | None = None
    product_owner: str | None = None


class ForkIn(Body):
    key: str = Field(description="The new project's key")
    reason: str
    name: str | None = None


class ComponentIn(Body):
    code: str = Field(description="e.g. 1.1")
    name: str
    kind: str = Field(description="model, algorithm, dataset, data-pipeline, software-module or composite")
    level: Level
    parent: str | None = Field(None, description="Code of a composite of the same project")
    description: str = Text
    owner: str | None = None
    reason: str = Text
    entry_review: bool = Field(False, description="Enter above the review-free level through a review")


class VersionIn(Body):
    kind: str = Field(description="code, model or data")
    version: str
    sha256: str | None = None
    uri: str | None = None
    note: str = Text


class CouplingIn(Body):
    other: str = Field(description="PROJECT/CODE of the component this one depends on")
    note: str = Text


class SwitchbackIn(Body):
    to_level: Level
    reason: str
    kind: str | None = Field(None, description="discovery, review or embedded (default by the move)")


class StatusChangeIn(Body):
    reason: str = Text


class RequirementIn(Body):
    code: str = Field(description="N, N.M or N.M.K")
    statement: str
    kind: str = Field(description="research or product")
    p_failure: float = Field(ge=0, le=1, description="Probability of failure, 0..1")
    value: int = Field(ge=1, le=10, description="Value at stake, 1..10")
    category: str
    rationale: str = Text
    stakeholder: str = Text
    components: list[str] = Field(default_factory=list, description="PROJECT/CODE of linked components")
    scenarios: list[str] = Field(default_factory=list)
    slices: list[str] = Field(default_factory=list)


class LinkIn(Body):
    component: str = Field(description="PROJECT/CODE")


class StepIn(Body):
    kind: str = Field(description="verification or validation")
    method: str = Field(description="test, analysis, inspection or demonstration")
    description: str
    status: str = "planned"


class StepStatusIn(Body):
    status: str = Field(description="planned, passed, failed or waived")
    reason: str = Text


class DatasetIn(Body):
    key: str
    name: str
    kind: str = Field(description="real, synthetic, simulated, benchmark or sample")
    source: str = Text
    owner: str = Text
    sensitive: list[str] = Field(default_factory=list)
    datasheet: dict[str, str] = Field(default_factory=dict)


class DatasetVersionIn(Body):
    version: str
    sha256: str | None = None
    uri: str | None = None
    note: str = Text


class DatasetLinkIn(Body):
    component: str = Field(description="PROJECT/CODE")
    role: str = Field(description="train, validation, test, golden or reference")
    version: str | None = None


class DatasheetIn(Body):
    sections: dict[str, str]


class CardEditIn(Body):
    sections: dict[str, str]
    component: str | None = None


class CardFreezeIn(Body):
    component: str | None = None
    reason: str = "frozen by hand"


#: One served row: column to a plain value (a nested object is no column).
Row = dict[str, str | int | float | bool | None]


class PredictionsIn(Body):
    rows: list[Row] = Field(min_length=1, max_length=100_000)
    id_column: str = "id"
    prediction_column: str = "prediction"
    window: str = Field("day", description="hour or day")
    at: str | None = Field(None, description="When they were served (default: now)")


class ActualsIn(Body):
    rows: list[Row] = Field(min_length=1, max_length=100_000)
    id_column: str = "id"
    actual_column: str = "actual"
    task: str = Field("classification", description="classification or regression")
    positive: str | None = None
    decision_threshold: float = Field(0.5, ge=0, le=1)


class AcknowledgeIn(Body):
    note: str = Text
