"""``mltrl card ...``: render, edit, freeze, diff and export TRL Cards."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mltrl.cli import _render
from mltrl.cli._context import console, emit_json, say, write_output, writing
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit
from mltrl.errors import BadInput

app = typer.Typer(no_args_is_help=True)
PROJECT = typer.Argument(..., metavar="PROJECT", help="Project key")
COMPONENT = typer.Option(
    None, "--component", "-c", help="A component's card (its code) instead of the project's"
)
FORMATS = ("md", "html", "json")


@app.command("show")
def show(
    project: str = PROJECT,
    component: str | None = COMPONENT,
    fmt: str = typer.Option("md", "--format", "-f", help="md (Markdown), html (standalone page) or json"),
    revision: int | None = typer.Option(None, "--revision", "-r", help="A frozen revision instead of now"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to a file"),
    as_json: bool = typer.Option(False, "--json", help="The card's JSON (the same as --format json)"),
) -> None:
    """Render a TRL Card: always assembled from the registry, so always true.

    Example: `mltrl card show neuropath -f html -o card.html`, or `mltrl card show neuropath --json`
    """
    from mltrl.cards import render

    if fmt not in FORMATS:
        raise BadInput(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    if as_json and fmt not in ("md", "json"):
        raise BadInput(f"--json and --format {fmt} ask for two formats; give one")
    fmt = "json" if as_json else fmt
    with writing() as reg:
        card = reg.cards.get(project, component, revision=revision)
    text = {"md": render.to_markdown, "html": render.to_html, "json": render.to_json}[fmt](card)
    if output is None:
        print(_render.terminal_text(text), end="" if text.endswith("\n") else "\n")
    else:
        write_output(output, text)
        say(f"wrote {_render.esc(output)}")


@app.command("edit")
def edit(
    project: str = PROJECT,
    file: Path = typer.Option(..., "--file", help="Markdown with '## Section' headings, or YAML"),
    component: str | None = COMPONENT,
    as_json: bool = JSON_WRITE,
) -> None:
    """Set the hand-written sections (TL;DR, intended use, caveats, assumptions ...).

    Example: `mltrl card edit neuropath --file card.md`
    """
    from mltrl.cards.sections import read_sections

    with writing() as reg:
        sections = read_sections(file, reg.catalog.card_section_ids)
        changed = reg.cards.edit(project, sections, component)
    if as_json:
        emit_json({"project": project, "component": component, "sections": list(changed)})
        return
    say(f"card sections saved: {_render.esc(', '.join(changed))}")


@app.command("freeze")
def freeze(
    project: str = PROJECT,
    component: str | None = COMPONENT,
    reason: str = typer.Option("frozen by hand", "--reason", "-r"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Freeze the card as it is now as a new revision (level changes do this by themselves).

    Example: `mltrl card freeze neuropath -c 1.1 --reason "before the external audit"`
    """
    with writing() as reg:
        number = reg.cards.freeze(project, component, reason=reason)
        frozen = next(r for r in reg.cards.revisions(project, component) if r.number == number)
    if as_json:
        emit_json(frozen.model_dump())
        return
    say(f"card revision {number} frozen")


@app.command("revisions")
def revisions(
    project: str = PROJECT, component: str | None = COMPONENT, fmt: Format = FORMAT, as_json: bool = JSON
) -> None:
    """The frozen revisions of a card.

    Example: `mltrl card revisions recycling -c 1.1 --format csv`
    """
    fmt = choose(fmt, as_json)
    with writing() as reg:
        rows = reg.cards.revisions(project, component)
    if fmt != Format.TABLE:
        items = [r.model_dump() for r in rows]
        emit(fmt, {"revisions": items}, items)
        return
    from rich.table import Table

    table = Table("revision", "level", "frozen", "why")
    for r in rows:
        table.add_row(str(r.number), str(r.level), r.created_at[:16].replace("T", " "), _render.esc(r.reason))
    console().print(table)


@app.command("diff")
def diff(
    project: str = PROJECT,
    before: int = typer.Argument(..., metavar="REVISION", help="Revision number"),
    after: str = typer.Argument(
        "current", metavar="[REVISION|current]", help="Revision number, or 'current' (default)"
    ),
    component: str | None = COMPONENT,
    fmt: Format = typer.Option(
        Format.TABLE,
        "--format",
        case_sensitive=False,
        help="table (a unified diff of the Markdown), or json, csv, tsv: the field-by-field changes",
    ),
    as_json: bool = JSON,
) -> None:
    """What changed between two card revisions (or a revision and the card now).

    Example: `mltrl card diff recycling 7 -c 1.1`
    """
    if after != "current" and not after.isdigit():
        raise BadInput(f"{after!r} is not a revision number or 'current'")
    fmt = choose(fmt, as_json)
    with writing() as reg:
        result = reg.cards.diff(project, before, None if after == "current" else int(after), component)
    if fmt != Format.TABLE:
        emit(fmt, {k: v for k, v in result.items() if k != "markdown"}, result["changes"])
        return
    print(
        _render.terminal_text(result["markdown"] or "")
        or f"no difference between {result['from']} and {result['to']}",
        end="",
    )


@app.command("export")
def export(
    directory: Path = typer.Argument(..., metavar="DIR", help="Where to write the Markdown cards"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Markdown of every project's card and its components' cards, ready to commit to git.

    Example: `mltrl card export docs/cards && git add docs/cards`
    """
    with writing() as reg:
        written = reg.cards.export(directory)
    if as_json:
        emit_json({"directory": str(directory), "written": [str(path) for path in written]})
        return
    say(f"wrote {len(written)} card(s) under {_render.esc(directory)}")


@app.command("schema")
def schema(output: Path | None = typer.Option(None, "--output", "-o")) -> None:
    """The JSON Schema of the card's JSON form.

    Example: `mltrl card schema -o card.schema.json`
    """
    from mltrl.cards.model import Card

    text = json.dumps(Card.model_json_schema(), indent=2) + "\n"
    if output is None:
        print(text, end="")
    else:
        write_output(output, text)
        say(f"wrote {_render.esc(output)}")
