"""``mltrl monitor skew|predictions|actuals|performance``: skew, delayed actuals, concept drift."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from mltrl.cli._context import console, emit_json, say, writing
from mltrl.cli._monitor_app import (
    DATA,
    MAXIMUM,
    MINIMUM,
    OPEN_REVIEW,
    REF,
    WEBHOOK,
    app,
    say_routed,
)
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit
from mltrl.cli._render import esc
from mltrl.errors import CheckFailed
from mltrl.service.inputs import metric_pairs


@app.command("skew")
def skew(
    ref: str = REF,
    training: Path = typer.Argument(
        ..., metavar="TRAINING", help="Features as computed in training (.csv/.parquet)"
    ),
    serving: Path = typer.Argument(
        ..., metavar="SERVING", help="The same entities' features as computed in serving"
    ),
    key: str = typer.Option(..., "--key", help="The entity id column both tables share"),
    threshold: float = typer.Option(
        0.01, "--threshold", help="Largest share of entities allowed to disagree"
    ),
    webhook: str | None = WEBHOOK,
    open_review: bool = OPEN_REVIEW,
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Training-serving skew per feature; raises a skew alert and exits 1 when a feature disagrees.

    Example: `mltrl monitor skew fraud/1 train-features.csv served-features.csv --key tx_id`
    """
    fmt = choose(fmt, as_json)
    with writing() as reg:
        outcome = reg.monitor.check_skew(
            ref, training, serving, key=key, threshold=threshold, webhook=webhook, open_review=open_review
        )
    alert = outcome["alert"]
    if fmt != Format.TABLE:
        rows = [
            {"feature": name, **f, "skewed": name in outcome["skewed"]}
            for name, f in outcome["features"].items()
        ]
        emit(fmt, outcome, rows)
    else:
        for name, f in outcome["features"].items():
            say(
                f"  {esc(name)}: {f['mismatch_share']:.2%} of {outcome['joined']:,} entities disagree"
                + (" [red]<- skew[/]" if name in outcome["skewed"] else "")
            )
        if alert is not None:
            say_routed(alert)
    if alert is not None:
        raise CheckFailed(
            f"{ref}: training-serving skew in {', '.join(outcome['skewed'])} (alert {alert['id']})"
        )


@app.command("predictions")
def predictions(
    ref: str = REF,
    data: Path = DATA,
    id_column: str = typer.Option("id", "--id-column"),
    prediction_column: str = typer.Option("prediction", "--prediction-column"),
    window: str = typer.Option("day", "--window", help="hour or day"),
    at: str | None = typer.Option(None, "--at", help="When they were served (default: now)"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Log served predictions with their ids; they wait for their actuals.

    Example: `mltrl monitor predictions fraud/1 scored.csv --id-column tx_id --prediction-column score`
    """
    with writing() as reg:
        label, rows = reg.predictions.log(
            ref, data, id_column=id_column, prediction_column=prediction_column, window=window, at=at
        )
    if as_json:
        emit_json({"component": ref, "window": label, "rows": rows})
        return
    say(f"{rows:,} predictions of {esc(ref)} logged in window {esc(label)}")


@app.command("actuals")
def actuals(
    ref: str = REF,
    data: Path = DATA,
    id_column: str = typer.Option("id", "--id-column"),
    actual_column: str = typer.Option("actual", "--actual-column"),
    task: str = typer.Option("classification", "--task", help="classification or regression"),
    positive: str | None = typer.Option(
        None, "--positive", help="The predictions are this class's probabilities (gives ROC and PR AUC)"
    ),
    decision_threshold: float = typer.Option(
        0.5, "--decision-threshold", help="With --positive: a probability at least this is positive"
    ),
    as_json: bool = JSON_WRITE,
) -> None:
    """Join late-arriving actuals to their predictions and update each window's evaluation.

    Example: `mltrl monitor actuals fraud/1 chargebacks.csv --id-column tx_id --positive 1`
    """
    with writing() as reg:
        result = reg.actuals.log(
            ref,
            data,
            id_column=id_column,
            actual_column=actual_column,
            task=task,
            positive=positive,
            decision_threshold=decision_threshold,
        )
    if as_json:
        emit_json({"component": ref, **result})
        return
    say(f"{result['matched']:,} actuals joined; {result['unmatched']:,} had no waiting prediction")


@app.command("performance")
def performance(
    ref: str = REF,
    min_accuracy: float | None = typer.Option(None, "--min-accuracy", help="Alert below this accuracy"),
    max_mae: float | None = typer.Option(None, "--max-mae", help="Alert above this mean absolute error"),
    minimum: list[str] = MINIMUM,
    maximum: list[str] = MAXIMUM,
    webhook: str | None = WEBHOOK,
    open_review: bool = OPEN_REVIEW,
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Model performance per window as actuals arrive; a performance alert (exit 1) past a threshold.

    A threshold fails only when the metric's whole 95% interval lies past it; with fewer than 30
    actuals in the window it is `insufficient`.

    Example: `mltrl monitor performance fraud/1 --min roc_auc=0.85 --min recall=0.6 --format csv`
    """
    fmt = choose(fmt, as_json)
    with writing() as reg:
        outcome = reg.monitor.check_performance(
            ref,
            min_accuracy=min_accuracy,
            max_mae=max_mae,
            minimum=metric_pairs(minimum, "--min"),
            maximum=metric_pairs(maximum, "--max"),
            webhook=webhook,
            open_review=open_review,
        )
    alert = outcome["alert"]
    if fmt != Format.TABLE:
        emit(fmt, outcome, outcome["windows"])
    else:
        _performance_table(outcome["windows"])
        for verdict in outcome["verdicts"]:
            colour = {"fail": "red", "pass": "green"}.get(verdict["verdict"], "yellow")
            say(f"[{colour}]{verdict['verdict']}[/]: {esc(verdict['message'])}")
        if alert is not None:
            say_routed(alert)
    if alert is not None:
        raise CheckFailed(f"{ref}: {outcome['breach']} (alert {alert['id']})")


CLASSIFICATION = ("accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc")
REGRESSION = ("mae", "rmse", "mape", "r2")


def _performance_table(windows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    tasks = {row["task"] for row in windows}
    metrics = (CLASSIFICATION if "classification" in tasks else ()) + (
        REGRESSION if "regression" in tasks else ()
    )
    table = Table("window", "task", "evaluated", "awaiting actuals", *metrics)
    for row in windows:
        table.add_row(
            esc(row["window"]),
            esc(row["task"] or "-"),
            f"{row['evaluated']:,}",
            f"{row['awaiting_actuals']:,}",
            *(f"{row[k]:.4g}" if row.get(k) is not None else "-" for k in metrics),
        )
    console().print(table)
    latest = next((row for row in reversed(windows) if row.get("classes")), None)
    if latest is not None:
        counts = "; ".join(
            f"{esc(label)}: {c['actual']:,} actual, {c['predicted']:,} predicted, {c['correct']:,} right"
            for label, c in latest["classes"].items()
        )
        say(f"classes in {esc(latest['window'])} ({esc(latest['average'])}): {counts}")
