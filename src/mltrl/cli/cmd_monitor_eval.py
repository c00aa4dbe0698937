"""``mltrl monitor skew|predictions|actuals|performance``: skew, delayed actuals, concept drift."""

from __future__ import annotations

from pathlib import Path

import typer

from mltrl.cli._context import console, emit_json, say, writing
from mltrl.cli._monitor_app import DATA, OPEN_REVIEW, REF, WEBHOOK, app, route_alert
from mltrl.errors import CheckFailed


@app.command("skew")
def skew(
    ref: str = REF,
    training: Path = typer.Argument(..., help="Features as computed in training (.csv/.parquet)"),
    serving: Path = typer.Argument(..., help="The same entities' features as computed in serving"),
    key: str = typer.Option(..., "--key", help="The entity id column both tables share"),
    threshold: float = typer.Option(
        0.01, "--threshold", help="Largest share of entities allowed to disagree"
    ),
    webhook: str | None = WEBHOOK,
    open_review: bool = OPEN_REVIEW,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Training-serving skew per feature; raises a skew alert and exits 1 when a feature disagrees."""
    from mltrl.monitor.files import read_table
    from mltrl.monitor.skew import compare

    report = compare(read_table(training), read_table(serving), key, threshold)
    with writing() as reg:
        reg.component(ref)  # a one-line error for an unknown component, before anything else
        alert = (
            reg.raise_alert(
                ref, "skew", f"training-serving skew in {', '.join(report.skewed)}", report.to_json()
            )
            if report.skewed
            else None
        )
        routed = route_alert(reg, alert, webhook, open_review)
    if as_json:
        emit_json({**report.to_json(), "alert": alert})
    else:
        for name, f in report.features.items():
            say(
                f"  {name}: {f['mismatch_share']:.2%} of {report.joined:,} entities disagree"
                + (" [red]<- skew[/]" if name in report.skewed else "")
            )
        for line in routed:
            say(line)
    if alert is not None:
        raise CheckFailed(f"{ref}: training-serving skew in {', '.join(report.skewed)} (alert {alert})")


@app.command("predictions")
def predictions(
    ref: str = REF,
    data: Path = DATA,
    id_column: str = typer.Option("id", "--id-column"),
    prediction_column: str = typer.Option("prediction", "--prediction-column"),
    window: str = typer.Option("day", "--window", help="hour or day"),
    at: str | None = typer.Option(None, "--at", help="When they were served (default: now)"),
) -> None:
    """Log served predictions with their ids; they wait for their actuals."""
    with writing() as reg:
        label, rows = reg.log_predictions(
            ref, data, id_column=id_column, prediction_column=prediction_column, window=window, at=at
        )
    say(f"{rows:,} predictions of {ref} logged in window {label}")


@app.command("actuals")
def actuals(
    ref: str = REF,
    data: Path = DATA,
    id_column: str = typer.Option("id", "--id-column"),
    actual_column: str = typer.Option("actual", "--actual-column"),
    task: str = typer.Option("classification", "--task", help="classification or regression"),
) -> None:
    """Join late-arriving actuals to their predictions and update each window's evaluation."""
    with writing() as reg:
        result = reg.log_actuals(ref, data, id_column=id_column, actual_column=actual_column, task=task)
    say(f"{result['matched']:,} actuals joined; {result['unmatched']:,} had no waiting prediction")


@app.command("performance")
def performance(
    ref: str = REF,
    min_accuracy: float | None = typer.Option(None, "--min-accuracy", help="Alert below this accuracy"),
    max_mae: float | None = typer.Option(None, "--max-mae", help="Alert above this mean absolute error"),
    webhook: str | None = WEBHOOK,
    open_review: bool = OPEN_REVIEW,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Model performance per window as actuals arrive; a performance alert (exit 1) past a threshold."""
    with writing() as reg:
        rows = reg.performance(ref)
        evaluated = [row for row in rows if row["evaluated"]]
        latest = evaluated[-1] if evaluated else None
        breach = None
        if latest is not None and min_accuracy is not None and latest.get("accuracy", 1.0) < min_accuracy:
            breach = f"accuracy {latest['accuracy']:.3f} < {min_accuracy:g} in window {latest['window']}"
        if latest is not None and max_mae is not None and latest.get("mae", 0.0) > max_mae:
            breach = f"MAE {latest['mae']:.4g} > {max_mae:g} in window {latest['window']}"
        alert = (
            reg.raise_alert(ref, "performance", breach, {"window": latest["window"], "evaluation": latest})
            if breach
            else None
        )
        routed = route_alert(reg, alert, webhook, open_review)
    if as_json:
        emit_json({"windows": rows, "alert": alert})
    else:
        from rich.table import Table

        table = Table("window", "task", "evaluated", "awaiting actuals", "accuracy", "MAE", "RMSE")
        for row in rows:
            table.add_row(
                row["window"],
                row["task"] or "-",
                f"{row['evaluated']:,}",
                f"{row['awaiting_actuals']:,}",
                *(f"{row[k]:.4g}" if k in row else "" for k in ("accuracy", "mae", "rmse")),
            )
        console().print(table)
        for line in routed:
            say(line)
    if breach:
        raise CheckFailed(f"{ref}: {breach} (alert {alert})")
