"""Request bodies of the monitoring routes that carry data or run a check: a reference or a window
profile of served rows, the drift, performance and skew checks, and pruning. Strict like
:mod:`mltrl.server.models`: a wrong type or an unknown field is a 422, never coerced or ignored.

Data comes as ``rows``, a list of JSON objects of one flat shape (column name to a string, number,
boolean or null), as the predictions and actuals routes take it: what a serving process has at hand
for each request it answered. The server profiles them with the CLI's code; they are not stored.
"""

from __future__ import annotations

from pydantic import Field

from mltrl.server.models import Body
from mltrl.server.models_records import Row

#: Rows a body can hold: the 1 MiB body limit stops far sooner; this bounds the parse.
MAX_ROWS = 100_000
ROWS = "Served rows: JSON objects with the same keys (column -> string, number, boolean or null)"
#: Where a check sends its alerts: a name, never a URL (a server never POSTs where a caller says).
WEBHOOK = Field(None, max_length=64, description="A webhook the server's configuration names (`webhooks`)")
#: A column's drift method/threshold and data-quality limits, as in `mltrl monitor check --config`.
Setting = str | int | float | bool | None


class ReferenceIn(Body):
    rows: list[Row] = Field(max_length=MAX_ROWS, description="Training or golden rows: " + ROWS)


class WindowIn(Body):
    rows: list[Row] = Field(max_length=MAX_ROWS, description=ROWS)
    window: str | None = Field(None, max_length=64, description="hour or day (default): the window of `at`")
    at: str | None = Field(None, max_length=64, description="When the rows were served (default: now)")
    start: str | None = Field(None, max_length=64, description="A custom window's start (with `end`)")
    end: str | None = Field(None, max_length=64, description="A custom window's end")


class MonitorCheckIn(Body):
    window: str | None = Field(None, max_length=64, description="A window label (default: the latest)")
    reference: str = Field("default", max_length=200, description="Which reference profile")
    settings: dict[str, dict[str, Setting]] | None = Field(
        None, description="column -> {method, threshold, ignore, include, max_null_increase, ...}"
    )
    open_review: bool = Field(False, description="Bring each alert before a review of the component")
    evidence: bool = Field(True, description="Record the outcome as L9.monitoring-drift evidence")
    webhook: str | None = WEBHOOK


class PerformanceCheckIn(Body):
    minimum: dict[str, float] = Field(
        default_factory=dict, description="accuracy, precision, recall, f1, roc_auc or pr_auc -> the floor"
    )
    maximum: dict[str, float] = Field(default_factory=dict, description="mae, rmse or mape -> the ceiling")
    open_review: bool = Field(False, description="Bring the alert before a review of the component")
    webhook: str | None = WEBHOOK


class SkewCheckIn(Body):
    training: list[Row] = Field(max_length=MAX_ROWS, description="Features as computed in training: " + ROWS)
    serving: list[Row] = Field(max_length=MAX_ROWS, description="The same entities' features as served")
    key: str = Field(max_length=200, description="The entity id column both tables share")
    threshold: float = Field(0.01, description="Largest share of entities allowed to disagree")
    open_review: bool = Field(False, description="Bring the alert before a review of the component")
    webhook: str | None = WEBHOOK


class PruneIn(Body):
    older_than: str = Field(max_length=64, description="How old data must be to go: days or weeks, e.g. 400d")
    target: str | None = Field(None, max_length=200, description="Only this PROJECT or PROJECT/CODE")
    dry_run: bool = Field(False, description="Count what would be deleted; delete nothing")


class DeliveryIn(Body):
    webhook: str = Field(max_length=64, description="A webhook the server's configuration names (`webhooks`)")
