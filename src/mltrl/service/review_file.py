"""A whole review written down as one YAML file (``review.yaml``), and ethics answers files.

The file is checked as a whole before anything is written: its shape here (unknown keys refused,
every problem one line naming the file and the place, ``review.yaml: results.L4.real-data.result:
...``), then the review's rules as :mod:`mltrl.service.review_prefill` applies it through the
ordinary review use-cases, in one transaction.

A value left empty is "not filled in yet" and is skipped, so the skeleton ``mltrl review template``
writes can be applied half-filled. Plain YAML scalars stay text: an ethics answer ``yes`` or ``no``
is the word, not a boolean, and ``1.10`` is not the number 1.1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from mltrl.catalog._reading import _StrictLoader, describe_validation_error
from mltrl.errors import BadInput
from mltrl.userfiles import load_yaml, read_text, yaml_problem

#: What a review file is called in messages when it was given as data rather than a file.
DATA = "review data"


class _TextLoader(_StrictLoader):
    """Safe, refuses repeated keys (a person signing twice would silently vanish), and keeps plain
    scalars as text: only ``~``/``null``/empty are null, and ``<<`` merges still work."""


_KEEP = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"}
_TextLoader.yaml_implicit_resolvers = {
    first: kept
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    if (kept := [(tag, regexp) for tag, regexp in resolvers if tag in _KEEP])
}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _entries(shorthand: Callable[[Any], Any]) -> BeforeValidator:
    """A section (mapping) whose empty entries are dropped, each short form expanded."""

    def expand(section: Any) -> Any:
        if section is None:
            return {}
        if not isinstance(section, Mapping):
            return section  # pydantic says "should be a valid dictionary"
        return {key: shorthand(value) for key, value in section.items() if not _blank(value)}

    return BeforeValidator(expand)


def _as(field: str) -> Callable[[Any], Any]:
    return lambda value: {field: value} if isinstance(value, str) else value


def _people(value: Any) -> Any:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [person for person in value if not _blank(person)]
    return value


def _task(value: Any) -> Any:
    """``"raise recall => >= 0.9"`` (as on the command line) or ``{task: ..., target: ...}``."""
    if isinstance(value, str):
        task, _, target = value.partition("=>")
        return {"task": task.strip(), "target": target.strip()}
    return value


class _Strict(BaseModel):
    # A misspelt key must be an error: "signature:" silently ignored would leave a review unsigned.
    model_config = ConfigDict(frozen=True, extra="forbid")


class ResultEntry(_Strict):
    result: Literal["met", "unmet", "waived", "not-applicable"]
    note: str = ""


class ChoiceEntry(_Strict):
    option: str
    date: dt.date | None = None
    note: str = ""


class TaskEntry(_Strict):
    task: str
    target: str = ""


class SignatureEntry(_Strict):
    verdict: Literal["approve", "request-changes"]
    tasks: list[Annotated[TaskEntry, BeforeValidator(_task)]] = []
    note: str = ""

    @model_validator(mode="after")
    def _tasks_fit_the_verdict(self) -> SignatureEntry:
        if self.verdict == "request-changes" and not self.tasks:
            raise ValueError("requesting changes needs at least one specific task (tasks: [...])")
        if self.verdict == "approve" and self.tasks:
            raise ValueError("an approval carries no tasks; request changes instead")
        return self


class ReviewFile(_Strict):
    """Everything a panel records on one review; every part may be left out or left empty."""

    #: The gate the file was written for; a file for another gate is refused rather than misapplied.
    gate: int | None = Field(default=None, ge=0, le=9)
    entry: bool | None = None
    panel: Annotated[dict[str, list[str]], _entries(_people)] = {}
    results: Annotated[dict[str, ResultEntry], _entries(_as("result"))] = {}
    ethics: Annotated[dict[str, str], _entries(lambda value: value)] = {}
    key_decisions: Annotated[dict[str, ChoiceEntry], _entries(_as("option"))] = {}
    signatures: Annotated[dict[str, SignatureEntry], _entries(_as("verdict"))] = {}
    decision: Literal["graduate", "tasks", "switchback", "pause", "stay"] | None = None
    reason: str = ""
    debrief: str = ""
    to: int | None = Field(default=None, ge=0, le=9)
    fork_key: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unset(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {key: value for key, value in data.items() if not _blank(value)}
        return data


def parse(data: Any, source: str = DATA) -> ReviewFile:
    """The review file's content, validated as a whole; :class:`BadInput` names ``source`` and the place."""
    if not isinstance(data, Mapping):
        found = "nothing" if data is None else f"a {type(data).__name__}"
        raise BadInput(
            f"{source}: expected a mapping (panel, results, ethics, key_decisions, signatures, decision), "
            f"found {found}"
        )
    try:
        spec = ReviewFile.model_validate(data)
    except ValidationError as exc:
        raise BadInput(f"{source}: {describe_validation_error(exc)}") from None
    if spec.decision is None:
        stray = [key for key in ("reason", "debrief", "to", "fork_key") if getattr(spec, key)]
        if stray:
            raise BadInput(
                f"{source}: {stray[0]}: goes with a decision, and the file has none (decision: ...)"
            )
    return spec


def load(data_or_path: Mapping[str, Any] | str | Path) -> tuple[ReviewFile, str]:
    """A review file from data or a path (a ``str`` is a path), and the name messages give it."""
    if isinstance(data_or_path, str | Path):
        path = Path(data_or_path)
        return parse(read_yaml(path, "review file"), str(path)), str(path)
    return parse(data_or_path), DATA


def read_yaml(path: Path, what: str) -> Any:
    """A YAML file read with the text-keeping loader; unreadable, not UTF-8 or not YAML is one line."""
    text = read_text(path, what)
    try:
        return load_yaml(text, _TextLoader)
    except yaml.YAMLError as exc:
        raise BadInput(f"{path}: not valid YAML: {yaml_problem(exc)}") from None


def read_answers(path: Path) -> dict[str, str]:
    """An ethics answers file (question id -> answer), as ``mltrl ethics template`` writes it.

    Empty answers are left out (not answered yet); the file must answer at least one question.
    """
    data = read_yaml(path, "mapping of question id to answer")
    if not isinstance(data, Mapping):
        raise BadInput(f"{path}: expected a mapping of question id to answer")
    answers: dict[str, str] = {}
    for question, answer in data.items():
        if not isinstance(answer, str | None):
            raise BadInput(f"{path}: {question}: an answer is text, not a {type(answer).__name__}")
        if not _blank(answer):
            answers[str(question)] = answer
    if not answers:
        raise BadInput(f"{path}: every answer is empty; write at least one (see `mltrl ethics template`)")
    return answers
