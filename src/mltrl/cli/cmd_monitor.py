"""``mltrl monitor ...``: reference and window profiles of a component, and drift between them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from mltrl.cli._context import console, emit_json, say, writing
from mltrl.errors import BadInput, CheckFailed

app = typer.Typer(no_args_is_help=True)
REF = typer.Argument(..., help="Component as PROJECT/CODE")
DATA = typer.Argument(..., help="A .csv, .tsv or .parquet file")


@contextmanager
def _progress(path: Path) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar counting rows as the file is profiled batch by batch."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("profiling {task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=console(),
        transient=True,
    ) as bar:
        task = bar.add_task(path.name, total=None)
        yield lambda rows: bar.advance(task, rows)


@app.command("reference")
def reference(ref: str = REF, data: Path = DATA, name: str = typer.Option("default", "--name")) -> None:
    """Profile training or golden data as the component's reference."""
    with writing() as reg, _progress(data) as advance:
        rows = reg.set_reference(ref, data, name=name, progress=advance)
    say(f"reference {name!r} of {ref}: {rows:,} rows profiled")


@app.command("log")
def log(
    ref: str = REF,
    data: Path = DATA,
    window: str = typer.Option("day", "--window", help="hour or day (the window containing --at)"),
    at: str | None = typer.Option(None, "--at", help="When the data was served (default: now)"),
    start: str | None = typer.Option(None, "--start", help="A custom window's start (with --end)"),
    end: str | None = typer.Option(None, "--end", help="A custom window's end"),
) -> None:
    """Profile serving data into its time window (adds to what the window holds already)."""
    with writing() as reg, _progress(data) as advance:
        label, rows = reg.log_profile(ref, data, window=window, at=at, start=start, end=end, progress=advance)
    say(f"window {label} of {ref}: {rows:,} rows in all")


@app.command("windows")
def windows(ref: str = REF, as_json: bool = typer.Option(False, "--json")) -> None:
    """The stored reference and window profiles of a component."""
    with writing() as reg:
        rows = reg.profiles(ref)
    if as_json:
        emit_json(rows)
        return
    from rich.table import Table

    table = Table("role", "name", "rows", "updated")
    for row in rows:
        table.add_row(row["role"], row["name"], f"{row['rows']:,}", row["updated_at"][:16].replace("T", " "))
    console().print(table)


@app.command("drift")
def drift(
    ref: str = REF,
    window: str | None = typer.Option(None, "--window", help="A window's label (default: the latest)"),
    reference_name: str = typer.Option("default", "--reference", help="Which reference profile"),
    config: Path | None = typer.Option(None, "--config", help="YAML: column -> {method, threshold}"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Per-column drift of a window against the reference; exit 1 when any column drifted."""
    overrides = _overrides(config) if config else None
    with writing() as reg:
        label, report = reg.drift(ref, window=window, reference=reference_name, overrides=overrides)
    if as_json:
        emit_json({"window": label, "reference": reference_name, **report.to_json()})
    else:
        from rich.table import Table

        table = Table(
            "column", "kind", "method", "score", "threshold", "drift", title=f"{ref}: window {label}"
        )
        for c in report.columns:
            table.add_row(
                c.column,
                c.kind,
                c.method,
                f"{c.score:.4f}",
                f"{c.threshold:g}",
                "[red]yes[/]" if c.drifted else "no",
            )
        console().print(table)
        say(
            f"data set drift: {'[red]yes[/]' if report.dataset_drift else 'no'} "
            f"({len(report.drifted_columns)} of {len(report.columns)} columns)"
        )
    if report.drifted_columns:
        raise CheckFailed(f"{ref}: drift in {', '.join(report.drifted_columns)}")


@app.command("check")
def check(
    ref: str = REF,
    window: str | None = typer.Option(None, "--window", help="A window's label (default: the latest)"),
    reference_name: str = typer.Option("default", "--reference"),
    config: Path | None = typer.Option(None, "--config", help="YAML: column -> {method, threshold}"),
    webhook: str | None = typer.Option(None, "--webhook", help="POST the alert as JSON to this URL"),
    no_evidence: bool = typer.Option(
        False, "--no-evidence", help="Do not record L9.monitoring-drift evidence"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Drift check for CI or cron: raises an alert on drift (and sends it), records monitoring evidence."""
    overrides = _overrides(config) if config else None
    with writing() as reg:
        outcome = reg.check_drift(
            ref,
            window=window,
            reference=reference_name,
            overrides=overrides,
            webhook=webhook,
            evidence=not no_evidence,
        )
    if as_json:
        emit_json(outcome)
    elif outcome["alert"] is None:
        say(f"{ref}: no drift in window {outcome['window']}")
    else:
        say(
            f"[red]alert {outcome['alert']}[/]: drift in window {outcome['window']}: "
            f"{', '.join(outcome['drifted_columns'])}"
            + (f" ({outcome['webhook']})" if "webhook" in outcome else "")
        )
    if outcome["alert"] is not None:
        raise CheckFailed(
            f"{ref}: drift in {', '.join(outcome['drifted_columns'])} (alert {outcome['alert']})"
        )


@app.command("alerts")
def list_alerts(
    target: str | None = typer.Argument(None, help="PROJECT or PROJECT/CODE"),
    open_only: bool = typer.Option(False, "--open", help="Only unacknowledged alerts"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Monitoring alerts, with who acknowledged them."""
    with writing() as reg:
        rows = reg.alerts(target, open_only=open_only)
    if as_json:
        emit_json(rows)
        return
    from rich.table import Table

    table = Table("id", "component", "level", "kind", "message", "raised", "acknowledged")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["component"],
            str(row["level"]),
            row["kind"],
            row["message"],
            row["created_at"][:16].replace("T", " "),
            row["acknowledged_by"] or "[red]open[/]",
        )
    console().print(table)


@app.command("ack")
def ack(alert_id: int = typer.Argument(...), note: str = typer.Option("", "--note")) -> None:
    """Acknowledge an alert (who and when are recorded)."""
    with writing() as reg:
        reg.acknowledge_alert(alert_id, note)
    say(f"alert {alert_id} acknowledged")


@app.command("skew")
def skew(
    ref: str = REF,
    training: Path = typer.Argument(..., help="Features as computed in training (.csv/.parquet)"),
    serving: Path = typer.Argument(..., help="The same entities' features as computed in serving"),
    key: str = typer.Option(..., "--key", help="The entity id column both tables share"),
    threshold: float = typer.Option(
        0.01, "--threshold", help="Largest share of entities allowed to disagree"
    ),
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
    if as_json:
        emit_json({**report.to_json(), "alert": alert})
    else:
        for name, f in report.features.items():
            say(
                f"  {name}: {f['mismatch_share']:.2%} of {report.joined:,} entities disagree"
                + (" [red]<- skew[/]" if name in report.skewed else "")
            )
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
        alert = reg.raise_alert(ref, "performance", breach, {"window": latest}) if breach else None
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
    if breach:
        raise CheckFailed(f"{ref}: {breach} (alert {alert})")


def _overrides(path: Path) -> dict[str, dict[str, object]]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BadInput(f"{path}: cannot read drift settings: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise BadInput(f"{path}: expected a mapping of column to {{method, threshold}}")
    return data
