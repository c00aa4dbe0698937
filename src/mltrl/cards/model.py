"""The TRL Card as a schema (its JSON Schema is published: ``mltrl card schema``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: Sections people write by hand (``mltrl card edit``); the rest comes from the registry.
HANDWRITTEN = (
    "tldr",
    "model-details",
    "intended-use",
    "unacceptable-uses",
    "data-considerations",
    "ethics",
    "metrics",
    "caveats",
    "assumptions",
)
#: Hand-written fields that are short values rather than prose.
PEOPLE_AND_LINKS = (
    "rd-reviewer",
    "product-reviewer",
    "project-page",
    "code",
    "requirements-link",
    "ethics-link",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Revision(Strict):
    number: int
    level: int | None
    created_at: str
    reason: str


class Requirement(Strict):
    id: str
    kind: str
    statement: str
    risk: float
    vv: str = Field(description="passed-or-waived / all V&V steps, e.g. '2/3'")


class TestStatus(Strict):
    criterion: str
    status: Literal["met", "unmet", "stale", "waived", "imported"]
    detail: str


class DataSet(Strict):
    key: str
    name: str
    kind: str
    versions: list[str]
    used_as: list[str]
    sensitive: list[str]


class Metric(Strict):
    name: str
    value: float | int | str | bool | None
    evidence: int
    fresh: bool


class CustomSection(Strict):
    """A section the organisation's policy adds to the paper's card."""

    id: str
    title: str
    text: str
    required: bool


class Summary(Strict):
    technology_name: str
    technology_id: str
    level: int | None
    phase: str | None
    held_back_by: list[str]
    rd_owner: str | None
    rd_reviewer: str | None
    product_owner: str | None
    product_reviewer: str | None
    component_codes: list[str]
    coupled_components: list[str]
    links: dict[str, str]
    previous_revisions: list[Revision]
    # Added after schema 1 was first published; defaults keep older frozen revisions readable.
    held_back_by_names: list[str] = Field(
        default_factory=list, description="the components holding the system back, 'code name'"
    )
    how_reached: list[str] = Field(
        default_factory=list,
        description="per component: how it entered (reason, entry review) and which levels are imported",
    )
    versions: list[str] = Field(
        default_factory=list, description="current code, model and data versions: 'code kind version'"
    )
    generated_at: str | None = Field(default=None, description="when the card was assembled (ISO 8601)")
    recurring_reviews: list[str] = Field(
        default_factory=list, description="deployed components: when the next recurring review is due"
    )
    working_group: list[str] = Field(
        default_factory=list, description="per component: who works on it, in which role, from which level"
    )
    handoffs: list[str] = Field(default_factory=list, description="hand-offs from R&D to product")
    targets: list[str] = Field(
        default_factory=list,
        description="readiness targets: level by date, and met / late / on track / at risk",
    )


class Card(Strict):
    """One TRL Card: a project's (``scope`` "") or one component's (``scope`` its code)."""

    schema_version: Literal[1] = 1
    project: str
    scope: str
    summary: Summary
    tldr: str
    top_requirements: list[Requirement]
    model_details: str
    intended_use: str
    unacceptable_uses: str
    testing_status: list[TestStatus]
    data_considerations: str
    datasets: list[DataSet]
    ethics: str
    ethics_reviews: list[str]
    ethics_facts: list[str] = Field(
        default_factory=list,
        description="who is in the data (groups counted on the datasheets) and the latest fairness checks",
    )
    metrics: str
    metric_results: list[Metric]
    caveats: str
    assumptions: str
    custom_sections: list[CustomSection] = Field(
        default_factory=list, description="sections the organisation's policy adds, in its order"
    )
    policy_notes: list[str] = Field(
        default_factory=list,
        description="where the organisation's policy departs from MLTRL's mandatory criteria",
    )

    def _repr_html_(self) -> str:
        """The card's HTML page (sanitised: raw HTML in hand-written sections is never rendered),
        embedded so its stylesheet leaves the notebook alone."""
        from mltrl.cards.render import to_html
        from mltrl.views.notebook import embedded

        return embedded(to_html(self), height=800)
