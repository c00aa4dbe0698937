"""``mltrl deploy ...``: deployment tests (shadow, canary, A/B, blue/green) recorded as level-8 evidence."""

from __future__ import annotations

from pathlib import Path

import typer

from mltrl.cli._check_output import show_and_exit
from mltrl.cli._context import say, writing
from mltrl.cli._output import FORMAT, JSON, Format, choose, emit
from mltrl.cli._render import esc
from mltrl.errors import CheckFailed

app = typer.Typer(no_args_is_help=True)
REF = typer.Argument(..., metavar="PROJECT/CODE", help="Component, e.g. recycling/1.1")


@app.command("compare")
def compare(
    ref: str = REF,
    kind: str = typer.Option(..., "--kind", "-k", help="shadow, canary or ab-test"),
    champion: Path = typer.Option(..., "--champion", help="The champion's log (CSV or Parquet)"),
    candidate: Path = typer.Option(..., "--candidate", help="The candidate's log (CSV or Parquet)"),
    id_column: str = typer.Option("id", "--id-column", help="Request id column"),
    prediction_column: str = typer.Option("prediction", "--prediction-column"),
    latency_column: str | None = typer.Option(None, "--latency-column", help="Latency in ms"),
    error_column: str | None = typer.Option(None, "--error-column", help="1/true when the request failed"),
    actual_column: str | None = typer.Option(None, "--actual-column", help="The outcome, once known"),
    slice_column: list[str] = typer.Option(
        [], "--slice-column", help="Break shadow disagreements down by it"
    ),
    min_agreement: float = typer.Option(0.95, "--min-agreement", help="shadow: the agreement required"),
    max_error_increase: float = typer.Option(0.0, "--max-error-increase", help="canary: absolute"),
    max_quality_drop: float = typer.Option(0.0, "--max-quality-drop", help="canary: accuracy, absolute"),
    max_latency_increase: float = typer.Option(
        0.2, "--max-latency-increase", help="p95, relative (0.2: +20%)"
    ),
    metric: str = typer.Option("accuracy", "--metric", help="ab-test: accuracy or a numeric column"),
    mde: float | None = typer.Option(
        None, "--mde", help="Minimum effect worth detecting (canary 0.02, A/B 0.01)"
    ),
    lower_is_better: bool = typer.Option(False, "--lower-is-better", help="ab-test: the metric is a cost"),
    split: float = typer.Option(0.5, "--split", help="ab-test: the candidate's planned share of traffic"),
    save: bool = typer.Option(True, "--record/--no-record", help="Record the result as evidence (default)"),
    source: str = typer.Option("cli", "--source", help="cli or ci"),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Compare a candidate with its champion from their logs; record it on L8.<kind>. Exit 1 unless it passes.

    Example: `mltrl deploy compare recycling/1.1 -k canary --champion v1.csv --candidate v2.csv
    --error-column error --latency-column latency_ms`
    """
    from mltrl.checks.deploy_record import compare as run_compare
    from mltrl.checks.deployment import Columns

    columns = Columns(
        id=id_column,
        prediction=prediction_column,
        latency=latency_column,
        error=error_column,
        actual=actual_column,
        slices=tuple(slice_column),
    )
    options: dict[str, object] = {"columns": columns}
    if kind == "shadow":
        options.update(min_agreement=min_agreement, max_latency_increase=max_latency_increase)
    elif kind == "canary":
        options.update(
            max_error_increase=max_error_increase,
            max_quality_drop=max_quality_drop,
            max_latency_increase=max_latency_increase,
            mde=0.02 if mde is None else mde,
        )
    elif kind == "ab-test":
        options.update(metric=metric, mde=0.01 if mde is None else mde, split=split,
                       higher_is_better=not lower_is_better)  # fmt: skip
    with writing() as reg:
        result, evidence = run_compare(
            reg, ref, kind, champion, candidate, save=save, source=source, **options
        )
    show_and_exit(ref, f"{kind} comparison", result, evidence, choose(fmt, as_json))


@app.command("switch")
def switch(
    ref: str = REF,
    before: list[int] = typer.Option(
        ..., "--before", help="Evidence id of a check that ran before (repeatable)"
    ),
    after: list[int] = typer.Option(
        ..., "--after", help="Evidence id of a check that ran after (repeatable)"
    ),
    to: str = typer.Option("green", "--to", help="The environment switched to"),
    at: str | None = typer.Option(None, "--at", help="When the switch happened (default: now)"),
    note: str = typer.Option("", "--note"),
    source: str = typer.Option("cli", "--source", help="cli or ci"),
    as_json: bool = JSON,
) -> None:
    """Record a blue/green switch and the checks before and after it (L8.blue-green); exit 1 unless all pass.

    Example: `mltrl deploy switch recycling/1 --before 41 --before 42 --after 57 --at 2026-11-20T09:00Z`
    """
    from mltrl.checks.deploy_record import switch as record_switch

    with writing() as reg:
        evidence = record_switch(reg, ref, before=before, after=after, at=at, to=to, note=note, source=source)
    if as_json:
        emit(Format.JSON, evidence.to_json(), [])
    else:
        say(f"evidence {evidence.id} ({evidence.outcome}) on L8.blue-green: {esc(evidence.note)}")
    if evidence.outcome != "pass":
        raise CheckFailed(f"{ref}: the blue/green switch is recorded as failed: {evidence.note}")
