"""``golden`` and ``relations``: the golden succession of models and the codified metamorphic relations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from mltrl.cli._context import console, emit_json, reading, say, writing
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit
from mltrl.cli._render import esc
from mltrl.errors import BadInput

golden_app = typer.Typer(no_args_is_help=True)
relations_app = typer.Typer(no_args_is_help=True)
REF = typer.Argument(..., metavar="PROJECT/CODE", help="Component, e.g. recycling/1.1")


@golden_app.command("history")
def history(
    ref: str = REF,
    dataset: str | None = typer.Option(None, "--dataset", "-d", help="Only this golden data set"),
    plot: Path | None = typer.Option(None, "--plot", help="Also draw the succession to FILE.svg or FILE.png"),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Each model version's score on the golden data set: metric with CI, change vs its champion, verdict.

    The champion of a model version is the latest earlier one that passed on the same golden version.
    Scores come from `reg.golden.score(...)` or a pytest test using `mltrl_evidence.golden(...)`.

    Example: `mltrl golden history recycling/1.1 --plot succession.svg`
    """
    fmt = choose(fmt, as_json)
    if plot is not None and plot.suffix.lower() not in (".svg", ".png"):
        raise BadInput(f"--plot {plot}: give a file ending in .svg or .png")
    from mltrl.views.checks import golden_rows

    with reading() as r:
        rows = golden_rows(r, ref, dataset)
    if plot is not None:
        from mltrl.cli.golden_plot import draw

        draw(rows, plot, title=f"{ref}: golden data set over the succession of models")
    if fmt != Format.TABLE:
        emit(fmt, {"component": ref, "scores": rows}, rows)
        return
    if not rows:
        say(f"no golden scores for {esc(ref)}: score a model with reg.golden.score(...) (docs/testing.md)")
        return
    from rich.table import Table

    colour = {"pass": "green", "fail": "red", "insufficient": "yellow"}
    table = Table("model", "golden set", "metric", "value [95% CI]", "vs champion", "verdict", "date",
                  box=None, pad_edge=False)  # fmt: skip
    for row in rows:
        table.add_row(
            esc(row["model_version"]),
            esc(f"{row['dataset']} {row['dataset_version']}"),
            esc(row["metric"]),
            _interval(row["value"], row["ci_low"], row["ci_high"]),
            _versus(row),
            f"[{colour[row['status']]}]{row['status']}[/]",
            row["recorded_at"][:10],
        )
    console().print(table)
    if plot is not None:
        say(f"plot written to {esc(str(plot))}")


def _interval(value: float | None, low: float | None, high: float | None, sign: str = "") -> str:
    if value is None:
        return "undefined"
    text = f"{value:{sign}.4f}"
    if low is not None and high is not None:
        text += f" [{low:{sign}.4f}, {high:{sign}.4f}]"
    return text


def _versus(row: dict[str, Any]) -> str:
    if row["champion_version"] is None:
        return "- (first)"
    change = _interval(row["diff"], row["diff_ci_low"], row["diff_ci_high"], "+")
    return f"{change} vs {esc(row['champion_version'])}"


# --- relations ------------------------------------------------------------------------------------


@relations_app.command("add")
def add(
    ref: str = REF,
    name: str = typer.Argument(..., metavar="NAME", help="The relation's name, e.g. noise-invariance"),
    kind: str = typer.Option(..., "--kind", "-k", help="invariance, directional or monotonic"),
    perturbation: str = typer.Option(
        None, "--perturbation", "-p", help="A built-in perturbation, e.g. gaussian_noise, shift, ramp"
    ),
    params: list[str] = typer.Option(
        [],
        "--param",
        help="The perturbation's argument as KEY=VALUE (VALUE read as JSON when it is); repeatable",
    ),
    direction: str | None = typer.Option(None, "--direction", help="up or down (directional, monotonic)"),
    tolerance: float = typer.Option(0.0, "--tolerance", help="The failure rate the relation accepts (0-1)"),
    atol: float = typer.Option(0.0, "--atol", help="A score change within atol counts as no change"),
    description: str = typer.Option("", "--description", help="What the relation says, in words"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Codify a metamorphic relation on the component; L7.metamorphic needs every listed one to pass.

    Example: `mltrl relations add recycling/1.1 noise -k invariance -p gaussian_noise --param scale=0.01`
    """
    arguments = dict(_param(p) for p in params)
    with writing() as reg:
        created = reg.relations.add(
            ref,
            name,
            kind=kind,
            perturbation=perturbation,
            params=arguments,
            direction=direction,
            tolerance=tolerance,
            atol=atol,
            description=description,
        )
    if as_json:
        emit_json(created.to_json())
        return
    say(f"relation {esc(name)} codified on {esc(ref)} (`mltrl relations list {esc(ref)}`)")


@relations_app.command("remove")
def remove(
    ref: str = REF,
    name: str = typer.Argument(..., metavar="NAME", help="The relation to take off the list"),
    reason: str = typer.Option("", "--reason", "-r", help="Why it no longer applies"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Take a relation off the component's codified list; the log keeps that it existed.

    Example: `mltrl relations remove recycling/1.1 noise --reason "replaced by noise-2pct"`
    """
    with writing() as reg:
        reg.relations.remove(ref, name, reason=reason)
    if as_json:
        emit_json({"component": ref, "relation": name, "removed": True})
        return
    say(f"relation {esc(name)} removed from {esc(ref)}")


@relations_app.command("list")
def list_(ref: str = REF, fmt: Format = FORMAT, as_json: bool = JSON) -> None:
    """The component's codified relations with the latest outcome of each (on its current definition).

    Example: `mltrl relations list recycling/1.1 --format json`
    """
    fmt = choose(fmt, as_json)
    from mltrl.views.checks import relation_rows

    with reading() as r:
        rows = relation_rows(r, ref)
    if fmt != Format.TABLE:
        emit(fmt, {"component": ref, "relations": rows}, rows)
        return
    if not rows:
        say(f"no relations codified on {esc(ref)}: `mltrl relations add {esc(ref)} NAME --kind ... -p ...`")
        return
    from rich.table import Table

    table = Table("name", "kind", "perturbation", "tolerance", "last result", box=None, pad_edge=False)
    for row in rows:
        table.add_row(
            esc(row["name"]),
            esc(row["kind"] + (f" ({row['direction']})" if row["direction"] else "")),
            esc(row["perturbation"] + _params(row["params"])),
            f"{row['tolerance']:g}",
            _last(row),
        )
    console().print(table)


def _param(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise BadInput(f"--param {text!r}: give KEY=VALUE, e.g. --param scale=0.01")
    try:
        return key.strip(), json.loads(value)
    except json.JSONDecodeError:
        return key.strip(), value


def _params(params: dict[str, Any]) -> str:
    return "(" + ", ".join(f"{k}={json.dumps(v)}" for k, v in params.items()) + ")" if params else ""


def _last(row: dict[str, Any]) -> str:
    status = row["last_status"]
    if status is None:
        return "[yellow]never run[/]"
    colour = {"pass": "green", "fail": "red"}.get(status, "yellow")
    text = f"[{colour}]{status}[/]"
    if row["failure_rate"] is not None:
        low, high = row["failure_rate_ci"]
        text += f" {row['failure_rate']:.3g}" + (f" [{low:.3g}, {high:.3g}]" if low is not None else "")
    if not row["fresh"]:
        text += " [yellow](stale)[/]"
    return text + f" (evidence {row['evidence']})"
