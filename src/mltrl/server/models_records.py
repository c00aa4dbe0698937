"""Request bodies of the routes beyond reviews and evidence: projects, components and their moves,
requirements, data sets, cards and monitoring. Strict like :mod:`mltrl.server.models`: a wrong type
or an unknown field is a 422, never coerced or ignored."""

from __future__ import annotations

from pydantic import Field

from mltrl.server.models import Body, Level

#: One served row: column to a plain value (a nested object is no column).
Row = dict[str, str | int | float | bool | None]

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


# --- history from before the registry (imports) ----------------------------------------------------

#: Events one load can hold: the 1 MiB body limit stops sooner (~10,000 events); this bounds the parse.
MAX_EVENTS = 100_000


class ImportGraduationIn(Body):
    approver: str = Field(max_length=1000, description="Who approved the graduation back then")
    at: str = Field(max_length=64, description="When it happened (ISO 8601, in the past)")
    to_level: Level | None = Field(None, description="The expected new level; refuses a double import")
    reason: str = Text


class HistoryEventIn(Body):
    """One event as ``reg.components.import_history`` takes it (docs/python-api.md)."""

    ref: str = Field(max_length=200, description="PROJECT/CODE of a component of the project in the path")
    kind: str = Field(max_length=32, description="import, switchback, pause, resume or retire")
    at: str = Field(max_length=64, description="When it happened (ISO 8601; an import: in the past)")
    approver: str | None = Field(None, max_length=1000, description="An import's approver back then")
    to_level: Level | None = Field(None, description="An import's expected level; a switchback's target")
    switchback: str | None = Field(None, max_length=32, description="A switchback's kind (discovery ...)")
    reason: str = Field("", max_length=4000)


class HistoryIn(Body):
    events: list[HistoryEventIn] = Field(max_length=MAX_EVENTS, description="Oldest first; all land or none")


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


class DemographicsIn(Body):
    columns: list[str] = Field(
        min_length=1, max_length=100, description="The group columns to count, e.g. sex, site"
    )
    rows: list[Row] = Field(
        max_length=100_000, description="The data's rows: JSON objects with the same keys (column -> value)"
    )
    version: str | None = Field(None, max_length=200, description="The data set version the rows are")


class CardEditIn(Body):
    sections: dict[str, str]
    component: str | None = None


class CardFreezeIn(Body):
    component: str | None = None
    reason: str = "frozen by hand"


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


# --- a component's plan and people: targets, working group, hand-off, cadence; project traits ------


class TargetIn(Body):
    level: Level = Field(description="The level to reach")
    by: str = Field(max_length=64, description="The date to reach it by, YYYY-MM-DD")
    note: str = Text


class MemberIn(Body):
    person: str = Field(max_length=1000, description="Who joins the working group")
    role: str = Field(max_length=1000, description="Their role, e.g. product-engineering, qa, domain-expert")


class HandOffIn(Body):
    to: str = Field(max_length=1000, description="The product owner who takes the component over")
    note: str = Text


class CadenceIn(Body):
    #: Unbounded here: the service refuses what is not 1..3650 with the CLI's line.
    review_every_days: int = Field(description="Days between the recurring reviews while deployed")


class TraitsIn(Body):
    add: list[str] = Field(default_factory=list, max_length=100, description="Traits to add, e.g. causal")
    remove: list[str] = Field(default_factory=list, max_length=100, description="Traits to remove")


# --- metamorphic relations -----------------------------------------------------------------------


class RelationIn(Body):
    name: str = Field(max_length=1000, description="The relation's name, e.g. noise-invariance")
    kind: str = Field(max_length=100, description="invariance, directional or monotonic")
    perturbation: str | None = Field(None, max_length=200, description="A built-in perturbation, e.g. shift")
    params: dict[str, str | int | float | bool | list[str | int | float | bool | None] | None] = Field(
        default_factory=dict, description="The perturbation's arguments"
    )
    direction: str | None = Field(None, max_length=100, description="up or down (directional, monotonic)")
    tolerance: float = Field(0.0, description="The failure rate the relation accepts (0-1)")
    atol: float = Field(0.0, description="A score change within atol counts as no change")
    description: str = Text


# --- the server's users (site admins only) --------------------------------------------------------


class UserIn(Body):
    name: str = Field(max_length=1000, description="User name, e.g. mchen (the actor of their writes)")
    display_name: str = Field("", max_length=1000, description="Full name shown to people")
    #: Hashed with argon2 and never echoed, logged or returned; none: tokens only (CI).
    password: str | None = Field(None, max_length=4096, description="For password and dashboard login")
    is_admin: bool = Field(False, description="A site admin: every role on every project")


class OidcLinkIn(Body):
    """As ``mltrl user link-oidc``: the provider's ``subject`` for the person, or the ``claim`` value
    their first login will carry (exactly one of the two)."""

    issuer: str = Field(max_length=1000, description="The provider's issuer URL, as `oidc.issuer` names it")
    subject: str | None = Field(None, max_length=255, description="The provider's id for the person (`sub`)")
    claim: str | None = Field(None, max_length=320, description="The mapped claim's value at the first login")
