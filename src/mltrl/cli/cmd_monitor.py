"""``mltrl monitor reference|log|windows|drift|check|report``: profiles, drift and data quality."""

from __future__ import annotations

from pathlib import Path

import typer

from mltrl.cli._context import console, emit_json, say, writing
from mltrl.cli._monitor_app import (
    DATA,
    MAXIMUM,
    MINIMUM,
    OPEN_REVIEW,
    REF,
    SETTINGS,
    WEBHOOK,
    WINDOW,
    app,
    column_settings,
    progress,
    say_excluded,
    say_routed,
)
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit
from mltrl.cli._render import esc
from mltrl.errors import BadInput, CheckFailed
from mltrl.service.inputs import metric_pairs


@app.command("reference")
def reference(
    ref: str = REF,
    data: Path = DATA,
    name: str = typer.Option("default", "--name"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Profile training or golden data as the component's reference.

    Example: `mltrl monitor reference recycling/1 train.parquet`
    """
    with writing() as reg, progress(data) as advance:
        rows = reg.monitor.set_reference(ref, data, name=name, progress=advance)
    if as_json:
        emit_json({"component": ref, "role": "reference", "name": name, "rows": rows})
        return
    say(f"reference {esc(repr(name))} of {esc(ref)}: {rows:,} rows profiled")


@app.command("log")
def log(
    ref: str = REF,
    data: Path = DATA,
    window: str | None = typer.Option(None, "--window", help="hour or day (default): the window of --at"),
    at: str | None = typer.Option(None, "--at", help="When the data was served (default: now)"),
    start: str | None = typer.Option(None, "--start", help="A custom window's start (with --end)"),
    end: str | None = typer.Option(None, "--end", help="A custom window's end"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Profile serving data into its time window (adds to what the window holds already).

    Example: `mltrl monitor log recycling/1 served-2026-05-04.csv --at 2026-05-04T12:00Z`
    """
    with writing() as reg, progress(data) as advance:
        label, rows = reg.monitor.log(ref, data, window=window, at=at, start=start, end=end, progress=advance)
    if as_json:
        emit_json({"component": ref, "role": "window", "name": label, "rows": rows})
        return
    say(f"window {esc(label)} of {esc(ref)}: {rows:,} rows in all")


@app.command("windows")
def windows(ref: str = REF, fmt: Format = FORMAT, as_json: bool = JSON) -> None:
    """The stored reference and window profiles of a component.

    Example: `mltrl monitor windows recycling/1 --format csv`
    """
    fmt = choose(fmt, as_json)
    with writing() as reg:
        rows = reg.monitor.profiles(ref)
    if fmt != Format.TABLE:
        emit(fmt, {"component": ref, "profiles": rows}, rows)
        return
    from rich.table import Table

    table = Table("role", "name", "rows", "updated")
    for row in rows:
        table.add_row(
            esc(row["role"]), esc(row["name"]), f"{row['rows']:,}", row["updated_at"][:16].replace("T", " ")
        )
    console().print(table)


@app.command("drift")
def drift(
    ref: str = REF,
    window: str | None = WINDOW,
    reference_name: str = typer.Option("default", "--reference", help="Which reference profile"),
    config: Path | None = SETTINGS,
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Per-column drift of a window against the reference; exit 1 when any column drifted.

    Example: `mltrl monitor drift recycling/1 --window 2026-05-04 --format csv` (one row per column)
    """
    fmt = choose(fmt, as_json)
    with writing() as reg:
        label, report = reg.monitor.drift(
            ref, window=window, reference=reference_name, overrides=column_settings(config)
        )
    if fmt != Format.TABLE:
        data = {"window": label, "reference": reference_name, **report.to_json()}
        emit(fmt, data, data["columns"])
    else:
        from rich.table import Table

        table = Table(
            "column",
            "kind",
            "method",
            "score",
            "threshold",
            "drift",
            title=f"{esc(ref)}: window {esc(label)}",
        )
        for c in report.columns:
            table.add_row(
                esc(c.column),
                esc(c.kind),
                esc(c.method),
                f"{c.score:.4f}",
                f"{c.threshold:g}",
                "[red]yes[/]" if c.drifted else "no",
            )
        console().print(table)
        say(
            f"data set drift: {'[red]yes[/]' if report.dataset_drift else 'no'} "
            f"({len(report.drifted_columns)} of {len(report.columns)} columns)"
        )
        if report.missing:
            say(f"[yellow]not in the window[/]: {esc(', '.join(report.missing))}")
        say_excluded(report.to_json()["excluded_columns"])
    if report.drifted_columns:
        raise CheckFailed(f"{ref}: drift in {', '.join(report.drifted_columns)}")


@app.command("check")
def check(
    target: str = typer.Argument(..., help="PROJECT/CODE, or PROJECT to check every monitored component"),
    window: str | None = WINDOW,
    reference_name: str = typer.Option("default", "--reference"),
    config: Path | None = SETTINGS,
    webhook: str | None = WEBHOOK,
    open_review: bool = OPEN_REVIEW,
    no_evidence: bool = typer.Option(
        False, "--no-evidence", help="Do not record L9.monitoring-drift evidence"
    ),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Drift and data-quality check for CI or cron: alerts, monitoring evidence; exit 1 on any issue.

    Example, nightly: `mltrl monitor check recycling --open-review --webhook $SLACK_URL`
    """
    fmt = choose(fmt, as_json)
    settings = column_settings(config)
    with writing() as reg:
        # a component, or every component of the project with this reference and a window
        refs = [target] if "/" in target else reg.monitor.checkable(target, reference_name)
        # one write for every component: a refusal for one stores nothing for any
        outcomes = reg.monitor.check_many(
            refs,
            window=window,
            reference=reference_name,
            settings=settings,
            webhook=webhook,
            open_review=open_review,
            evidence=not no_evidence,
        )
    if fmt != Format.TABLE:
        rows = [_check_row(o) for o in outcomes]
        emit(fmt, outcomes[0] if "/" in target else {"components": outcomes}, rows)
    else:
        for outcome in outcomes:
            if not outcome["alerts"]:
                checked = outcome["quality"]["columns_checked"]
                say(
                    f"{esc(outcome['component'])}: window {esc(outcome['window'])}: "
                    f"no drift and no data-quality issue in {checked} columns"
                )
            say_excluded(outcome["drift"]["excluded_columns"])
            for alert in outcome["alerts"]:
                say_routed(alert, outcome["component"])
    failing = [o for o in outcomes if o["alerts"]]
    if failing:
        raise CheckFailed(
            "; ".join(
                f"{o['component']}: {' and '.join(a['kind'] for a in o['alerts'])} in window {o['window']} "
                f"(alert {', '.join(str(a['id']) for a in o['alerts'])})"
                for o in failing
            )
        )


@app.command("report")
def report(
    ref: str = REF,
    window: str | None = WINDOW,
    reference_name: str = typer.Option("default", "--reference"),
    config: Path | None = SETTINGS,
    history: int = typer.Option(30, "--history", min=1, help="How many recent windows the plots cover"),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the HTML here (default: monitor-PROJECT-CODE.html)"
    ),
    minimum: list[str] = MINIMUM,
    maximum: list[str] = MAXIMUM,
    as_json: bool = typer.Option(False, "--json", help="Print the report's data as JSON instead"),
) -> None:
    """A self-contained HTML report: distributions reference vs window, drift over time, performance.

    --min/--max draw the performance thresholds (as `monitor performance` takes them) on its plot.

    Example: `mltrl monitor report recycling/1 -o report.html --min accuracy=0.9`
    """
    from mltrl.monitor.metrics import thresholds

    low, high = thresholds(metric_pairs(minimum, "--min"), metric_pairs(maximum, "--max"))
    with writing() as reg:
        data = reg.monitor.report(
            ref,
            window=window,
            reference=reference_name,
            settings=column_settings(config),
            history=history,
        )
    data["thresholds"] = {"min": low, "max": high}
    if as_json:
        emit_json(data)
        return
    from mltrl.monitor.report_html import render_html

    target = output or Path(f"monitor-{ref.replace('/', '-')}.html")
    try:
        target.write_text(render_html(data), encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"{target}: cannot write the report: {exc.strerror}") from None
    say(f"report of {esc(ref)}, window {esc(data['window'])}, written to {esc(target)}")


def _check_row(outcome: dict) -> dict:  # type: ignore[type-arg]
    """A check's outcome as one flat row: its verdict, alerts and drifted columns."""
    return {
        "component": outcome["component"],
        "window": outcome["window"],
        "alerts": [a["id"] for a in outcome["alerts"]],
        "alert_kinds": [a["kind"] for a in outcome["alerts"]],
        "drifted_columns": outcome["drift"].get("drifted_columns", []),
        "quality_failing_columns": outcome["quality"].get("failing_columns", []),
        "columns_checked": outcome["quality"].get("columns_checked"),
    }


# --- retention (mltrl monitor prune) ---------------------------------------------------------------


@app.command("prune")
def prune(
    target: str | None = typer.Argument(
        None, metavar="[PROJECT | PROJECT/CODE]", help="Only this project or component (default: all)"
    ),
    older_than: str = typer.Option(
        ..., "--older-than", metavar="AGE", help="How old data must be to go: days or weeks, e.g. 400d, 52w"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be deleted; delete nothing"),
    as_json: bool = typer.Option(False, "--json", help="Print what was (or would be) deleted as JSON"),
) -> None:
    """Delete window profiles and acknowledged alerts older than --older-than.

    Never a reference profile, an alert nobody acknowledged, or one a review names; each project
    that loses rows gets a monitor.prune event with the counts.

    Example: `mltrl monitor prune --older-than 400d --dry-run`
    """
    with writing() as reg:
        report = reg.monitor.prune(older_than, target, dry_run=dry_run)
    if as_json:
        emit_json(report.to_json())
        return
    verb = "would delete" if dry_run else "deleted"
    say(
        f"{verb} {report.profiles} window profile(s) and {report.alerts} acknowledged alert(s) from before "
        f"{report.cutoff.date().isoformat()} (older than {esc(older_than)})"
    )
    for ref, counts in report.components.items():
        say(f"  {esc(ref)}: {counts['profiles']} profile(s), {counts['alerts']} alert(s)")
