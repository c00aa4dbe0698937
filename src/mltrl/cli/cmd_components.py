"""``mltrl component ...`` and ``mltrl version ...``."""

from __future__ import annotations

from pathlib import Path

import typer

from mltrl.cli import _render
from mltrl.cli._context import console, emit_json, reading, say, writing
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit

component_app = typer.Typer(no_args_is_help=True)
version_app = typer.Typer(no_args_is_help=True)
REF = typer.Argument(..., metavar="PROJECT/CODE", help="Component, e.g. neuropath/1.1")


@component_app.command("add")
def add(
    ref: str = REF,
    name: str = typer.Option(..., "--name", "-n"),
    kind: str = typer.Option(
        ..., "--kind", "-k", help="model, algorithm, dataset, data-pipeline, software-module or composite"
    ),
    level: str = typer.Option(
        ..., "--level", "-l", help="Level the work starts at (0-9); never skipped after"
    ),
    parent: str | None = typer.Option(None, "--parent", help="Code of the composite this is part of"),
    description: str = typer.Option("", "--description", "-d"),
    owner: str | None = typer.Option(None, "--owner", help="Who builds it (may not approve its gate alone)"),
    reason: str = typer.Option(
        "", "--reason", "-r", help="Why the work starts at this level (needed above level 0)"
    ),
    entry_review: bool = typer.Option(
        False,
        "--entry-review",
        help="Enter above the policy's review-free level (default 3): the component waits for the "
        "review of the gate into its level (`mltrl review open P/CODE --entry`)",
    ),
    at: str | None = typer.Option(None, "--at", help="When it happened, ISO 8601 (default: now)"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Start a component at a level: above 0 with a reason, above 3 (by default) through an entry review.

    Example: `mltrl component add recycling/1.1 --name Detector --kind model --level 3 --reason "PoC done"`
    """
    with writing() as reg:
        c = reg.components.add(
            ref,
            name,
            kind=kind,
            level=level,
            parent=parent,
            description=description,
            owner=owner,
            reason=reason,
            entry_review=entry_review,
            at=at,
        )
    if as_json:
        emit_json(c.to_json())
        return
    if c.status == "entering":
        say(
            f"added [bold]{_render.esc(c.ref)}[/] {_render.esc(c.name)}, waiting to enter at "
            f"{_render.level(c.level)}: `mltrl review open {_render.esc(c.ref)} --entry`"
        )
        return
    say(f"added [bold]{_render.esc(c.ref)}[/] {_render.esc(c.name)} at {_render.level(c.level)}")


@component_app.command("list")
def list_(
    project: str = typer.Argument(..., metavar="PROJECT", help="Project key"),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """List a project's components.

    Example: `mltrl component list recycling --format tsv`
    """
    from mltrl.service import lookup
    from mltrl.store import queries

    fmt = choose(fmt, as_json)
    with reading() as r:
        key = lookup.project(r, project).key
        rows = queries.components(r, key)
    if fmt != Format.TABLE:
        items = [c.to_json() for c in rows]
        emit(fmt, {"project": key, "components": items}, items)
        return
    from rich.table import Table

    table = Table("code", "name", "kind", "level", "entered at", "status", "part of")
    for c in rows:
        table.add_row(
            *map(_render.esc, (c.code, c.name, c.kind)),
            _render.level(c.level),
            *map(_render.esc, (c.entry_level, c.status, c.parent_code or "")),
        )
    console().print(table)


@component_app.command("show")
def show(ref: str = REF, fmt: Format = FORMAT, as_json: bool = JSON) -> None:
    """Show a component with its couplings and versions.

    Example: `mltrl component show recycling/1.1`
    """
    from mltrl.service import lookup
    from mltrl.store import queries

    fmt = choose(fmt, as_json)
    with reading() as r:
        c = lookup.component(r, ref)
        couplings = queries.couplings(r, c.id)
        versions = queries.versions(r, c.id)
    if fmt != Format.TABLE:
        emit(
            fmt,
            {
                **c.to_json(),
                "couplings": [k.to_json() for k in couplings],
                "versions": [v.to_json() for v in versions],
            },
        )
        return
    esc = _render.esc
    say(f"[bold]{esc(c.ref)}[/] {esc(c.name)} ({esc(c.kind)})  {_render.level(c.level)}  {esc(c.status)}")
    say(f"  entered at level {c.entry_level}; last change {_render.when(c.last_at)}")
    if c.parent_code:
        say(f"  part of {esc(c.project_key)}/{esc(c.parent_code)}")
    if c.forked_from:
        say(f"  forked from {esc(c.forked_from)}")
    if c.description:
        say(f"  {_render.esc_block(c.description)}")
    for k in couplings:
        note = f" - {esc(k.note)}" if k.note else ""
        say(f"  coupled with {esc(k.project_key)}/{esc(k.code)} {esc(k.name)} (L{k.level}){note}")
    for v in versions:
        digest = f"  sha256 {esc(v.sha256[:12])}" if v.sha256 else ""
        say(f"  {esc(v.kind)} {esc(v.version)}{digest}{'  ' + esc(v.uri) if v.uri else ''}")


@component_app.command("couple")
def couple(
    ref: str = REF,
    other: str = typer.Argument(..., metavar="OTHER/CODE", help="The other component (any project)"),
    note: str = typer.Option("", "--note"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Record that two components depend on each other.

    Example: `mltrl component couple recycling/1.1 etalumis/1.2 --note "shares the feature store"`
    """
    with writing() as reg:
        reg.components.couple(ref, other, note=note)
        first, second = reg.components.get(ref), reg.components.get(other)
    if as_json:
        emit_json({"component": first.ref, "other": second.ref, "note": note})
        return
    say(f"coupled {_render.esc(ref)} with {_render.esc(other)}")


@version_app.command("add")
def add_version(
    ref: str = REF,
    kind: str = typer.Argument(..., metavar="KIND", help="code, model or data"),
    version: str = typer.Argument(..., metavar="VERSION", help="Semantic version, e.g. 1.4.0"),
    path: Path | None = typer.Option(None, "--path", "-p", help="File or directory to hash (sha256)"),
    uri: str | None = typer.Option(None, "--uri", help="Where the artefact lives"),
    sha256: str | None = typer.Option(None, "--sha256", help="A known sha256 instead of --path"),
    note: str = typer.Option("", "--note"),
    at: str | None = typer.Option(None, "--at", help="When it happened, ISO 8601 (default: now)"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Register a code, model or data version of a component.

    Example: `mltrl version add recycling/1.1 model 1.4.0 --path model.onnx`
    """
    with writing() as reg:
        v = reg.versions.register(ref, kind, version, uri=uri, path=path, sha256=sha256, note=note, at=at)
        c = reg.components.get(ref)
    if as_json:
        # the component too: a version of a deployed component sends it back to level 7
        emit_json({**v.to_json(), "component": c.ref, "level": c.level, "status": c.status})
        return
    say(
        f"registered {_render.esc(v.kind)} {_render.esc(v.version)} of {_render.esc(ref)}"
        + (f" (sha256 {_render.esc(v.sha256)})" if v.sha256 else "")
    )


@version_app.command("list")
def list_versions(ref: str = REF, fmt: Format = FORMAT, as_json: bool = JSON) -> None:
    """List a component's versions.

    Example: `mltrl version list recycling/1.1 --format csv`
    """
    from mltrl.service import lookup
    from mltrl.store import queries

    fmt = choose(fmt, as_json)
    with reading() as r:
        component = lookup.component(r, ref)
        rows = queries.versions(r, component.id)
    if fmt != Format.TABLE:
        items = [v.to_json() for v in rows]
        emit(fmt, {"component": component.ref, "versions": items}, items)
        return
    from rich.table import Table

    table = Table("kind", "version", "sha256", "uri", "registered")
    for v in rows:
        table.add_row(
            *map(_render.esc, (v.kind, v.version, v.sha256 or "", v.uri or "")),
            f"{_render.when(v.registered_at)} by {_render.esc(v.registered_by)}",
        )
    console().print(table)


@component_app.command("cadence")
def cadence(
    ref: str = REF,
    every: str = typer.Option(..., "--every", help="Days between the recurring reviews while deployed"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Set how often a deployed component is reviewed again (the policy's review_every_days otherwise).

    Example: `mltrl component cadence recycling/1 --every 30`
    """
    with writing() as reg:
        c = reg.components.set_cadence(ref, every)
    if as_json:
        emit_json({**c.to_json(), "review_every_days": int(every)})
        return
    say(f"{_render.esc(c.ref)} is reviewed every {int(every)} days while deployed (`mltrl review due`)")
