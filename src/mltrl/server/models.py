"""Request bodies. Strict: a wrong type or an unknown field is refused (422), never coerced or ignored,
so a typo such as ``"persn"`` cannot silently sign as nobody."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: A database id or number: the databases hold 32-bit integers here (a larger one is a 422, not a crash).
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Level = Annotated[int, Field(ge=0, le=9)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class EvidenceIn(Body):
    kind: str = Field(description="test-run, metric, report, data-check, deployment-test or monitoring")
    outcome: str = Field(description="pass or fail")
    criterion: str | None = Field(None, description="Gate criterion it backs, e.g. L7.golden-dataset")
    requirement: str | None = Field(None, description="Requirement id of the V&V step it backs")
    step: Id | None = Field(None, description="V&V step number")
    metrics: dict[str, Any] | None = None
    versions: dict[str, str] | None = Field(None, description="kind -> version it ran on (default: current)")
    source: str = "api"
    note: str = ""


class ReviewOpenIn(Body):
    entry: bool | None = Field(None, description="Insist on an entry review (true) or a gate review (false)")
    from_review: Id | None = Field(None, description="Start from this review's panel and ethics answers")


class PanelIn(Body):
    role: str = Field(description="Panel role id of the level (see the review's template)")
    person: str = Field(description="A user of this server")


class ResultIn(Body):
    criterion: str
    result: str = Field(description="met, unmet, waived or not-applicable")
    note: str = ""


class EthicsIn(Body):
    answers: dict[str, str]


class ChoiceIn(Body):
    point: str
    option: str
    on_date: str | None = None
    note: str = ""


class SignIn(Body):
    """The signer is always the authenticated user; there is no field to name anyone else."""

    verdict: Literal["approve", "request-changes"]
    role: str | None = Field(None, description="The panel role signed in; refused unless it is the signer's")
    tasks: list[str | dict[str, str]] = Field(default_factory=list)
    note: str = ""


class DecisionIn(Body):
    decision: str = Field(description="graduate, tasks, switchback, pause or stay")
    to_level: Level | None = None
    reason: str = ""
    debrief: str = ""
    fork_key: str | None = None


class GrantIn(Body):
    user: str
    role: str = Field(description="viewer, contributor, reviewer, approver or admin")
    min_level: Level = Field(0, description="Only for components at this level or above")
    max_level: Level = Field(9, description="Only for components at this level or below")


class ErrorOut(BaseModel):
    """Every refusal: the one-line message the CLI prints for the same mistake."""

    error: str


class TokenIn(Body):
    scopes: list[str] = Field(description="read, write, approve, admin")
    projects: list[str] = Field(default_factory=list, description="Project keys (default: all of yours)")
    expires: str | None = Field(None, description="Lifetime like 30d or 12h (default 90d)")
    name: str = Field("", description="What it is for")
