"""The ``mltrl monitor`` command group and what its command modules share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from mltrl.cli._context import console, say
from mltrl.errors import BadInput

app = typer.Typer(no_args_is_help=True)
REF = typer.Argument(..., metavar="PROJECT/CODE", help="Component, e.g. recycling/1")
DATA = typer.Argument(..., metavar="FILE", help="A .csv, .tsv or .parquet file")
WINDOW = typer.Option(None, "--window", help="A window's label (default: the latest)")
SETTINGS = typer.Option(
    None, "--config", help="YAML: column -> {method, threshold, ignore, include, max_null_increase, ...}"
)
WEBHOOK = typer.Option(None, "--webhook", help="POST each alert as JSON to this URL")
MINIMUM = typer.Option(
    [], "--min", help="METRIC=VALUE: accuracy, precision, recall, f1, roc_auc or pr_auc (repeatable)"
)
MAXIMUM = typer.Option([], "--max", help="METRIC=VALUE: mae, rmse or mape (repeatable)")
OPEN_REVIEW = typer.Option(
    False,
    "--open-review",
    help="Bring each alert before a review of the component (opening one if needed)",
)


@contextmanager
def progress(path: Path) -> Iterator[Callable[[int], None]]:
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


def column_settings(path: Path | None) -> dict[str, dict[str, Any]] | None:
    """Per-column drift method/threshold and data-quality limits from a YAML file."""
    if path is None:
        return None
    from mltrl.userfiles import read_yaml  # bounded: no alias bombs, UTF-8, a size limit

    data = read_yaml(path, "column settings")
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise BadInput(f"{path}: expected a mapping of column to settings ({{method, threshold, ...}})")
    return {str(k): v for k, v in data.items()}


def say_routed(alert: dict[str, Any], component: str = "") -> None:
    """Tell the user about an alert a check raised (or found raised before) and where it went."""
    repeat = "" if alert.get("new", True) else " [dim](raised before: the same finding about this window)[/]"
    about = f"{component} " if component else ""
    from mltrl.cli._render import esc

    say(f"[red]alert {alert['id']}[/] {esc(about)}({esc(alert['kind'])}): {esc(alert['message'])}{repeat}")
    if alert["review"] is not None:
        say(f"  before review {alert['review']}: mltrl review show {alert['review']}")
    if alert["webhook"] is not None:
        say(f"  {esc(alert['webhook'])}")


def say_excluded(excluded: list[dict[str, str]]) -> None:
    """Name the columns left out of drift (identifiers, timestamps, ignored) and why."""
    if excluded:
        from mltrl.cli._render import esc

        shown = "; ".join(f"{esc(e['column'])} ({esc(e['reason'])})" for e in excluded)
        say(f"[dim]not compared for drift[/]: {shown}; `include: true` in --config compares one")
