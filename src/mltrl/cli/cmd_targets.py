"""``target``: readiness targets, "component reaches level N by date", as OKRs with a forecast."""

from __future__ import annotations

import typer

from mltrl.cli._context import console, emit_json, reading, say, writing
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit
from mltrl.cli._render import esc

app = typer.Typer(no_args_is_help=True)


@app.command("add")
def add(
    ref: str = typer.Argument(..., metavar="PROJECT/CODE", help="Component, e.g. recycling/1.1"),
    level: str = typer.Option(..., "--level", "-l", help="The level to reach"),
    by: str = typer.Option(..., "--by", help="The date to reach it by, YYYY-MM-DD"),
    note: str = typer.Option("", "--note", help="Why this date (an OKR, a launch ...)"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Set a target: the component reaches a level by a date.

    Example: `mltrl target add recycling/1.1 --level 9 --by 2027-03-31 --note "spring launch"`
    """
    with writing() as reg:
        target_id = reg.targets.add(ref, level, by, note=note)
    if as_json:
        (created,) = [t for t in _statuses(ref) if t.target.id == target_id]
        emit_json(created.to_json())
        return
    say(f"target {target_id}: {esc(ref)} reaches level {level} by {esc(by)} (`mltrl target list`)")


@app.command("remove")
def remove(
    target_id: int = typer.Argument(..., metavar="ID", help="Target number (see `mltrl target list`)"),
    reason: str = typer.Option(..., "--reason", "-r", help="Why the target is withdrawn"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Withdraw a target; the log keeps that it existed and why it went.

    Example: `mltrl target remove 3 --reason "the launch moved to autumn"`
    """
    with writing() as reg:
        reg.targets.remove(target_id, reason=reason)
    if as_json:
        emit_json({"id": target_id, "removed": True, "reason": reason})
        return
    say(f"target {target_id} withdrawn")


@app.command("list")
def list_(
    target: str | None = typer.Argument(
        None, metavar="[PROJECT[/CODE]]", help="A project or a component; every target when left out"
    ),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Targets with their state: met, met late, late, on track or at risk (with a forecast).

    Example: `mltrl target list recycling --format csv`
    """
    fmt = choose(fmt, as_json)
    rows = _statuses(target)
    if fmt != Format.TABLE:
        items = [t.to_json() for t in rows]
        emit(fmt, {"targets": items}, items)
        return
    if not rows:
        say("no targets: `mltrl target add P/CODE --level N --by YYYY-MM-DD`")
        return
    from rich.table import Table

    style = {"met": "green", "on track": "green", "met late": "yellow", "at risk": "yellow", "late": "red"}
    table = Table("id", "component", "target", "now", "state", "forecast", box=None, pad_edge=False)
    for t in rows:
        colour = style.get(t.state, "")
        forecast = ""
        if t.forecast is not None and t.forecast_range is not None:
            forecast = f"{t.forecast} ({t.forecast_range[0]} to {t.forecast_range[1]})"
        elif t.reason:
            forecast = t.reason
        table.add_row(
            str(t.target.id),
            esc(t.target.ref),
            f"L{t.target.level} by {t.target.due}",
            f"L{t.current_level}",
            f"[{colour}]{t.state}[/]" if colour else t.state,
            esc(forecast),
        )
    console().print(table)


def _statuses(target: str | None):  # type: ignore[no-untyped-def]
    from mltrl.analytics.targets import target_statuses
    from mltrl.service import inputs, lookup

    with reading() as r:
        now = inputs.now()
        if target is None:
            return target_statuses(r, now)
        if "/" in target:
            return target_statuses(r, now, component_id=lookup.component(r, target).id)
        return target_statuses(r, now, project_key=lookup.project(r, target).key)
