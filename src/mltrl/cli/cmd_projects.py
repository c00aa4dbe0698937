"""``mltrl project ...`` and ``mltrl fork``."""

from __future__ import annotations

import typer

from mltrl.cli import _render
from mltrl.cli._context import console, emit_json, reading, say, writing
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit

app = typer.Typer(no_args_is_help=True)


@app.command("create")
def create(
    key: str = typer.Argument(..., metavar="KEY", help="Short key, e.g. neuropath"),
    name: str = typer.Option(..., "--name", "-n", help="Full name of the technology"),
    description: str = typer.Option("", "--description", "-d"),
    rd_owner: str | None = typer.Option(None, "--rd-owner", help="R&D owner"),
    product_owner: str | None = typer.Option(None, "--product-owner", help="Product owner"),
    trait: list[str] = typer.Option(
        [], "--trait", help="A trait such as causal: the catalogue's criteria for it apply (repeatable)"
    ),
    at: str | None = typer.Option(
        None, "--at", help="When it happened, ISO 8601 (default: now; for importing history)"
    ),
    as_json: bool = JSON_WRITE,
) -> None:
    """Create a project (a technology whose components climb the levels).

    Example: `mltrl project create recycling --name "Recycling vision app" --rd-owner "M. Chen"`
    """
    with writing() as reg:
        project = reg.projects.create(
            key,
            name,
            description=description,
            rd_owner=rd_owner,
            product_owner=product_owner,
            at=at,
            traits=trait,
        )
    if as_json:
        emit_json(project.to_json())
        return
    say(f"created project [bold]{_render.esc(project.key)}[/] ({_render.esc(project.name)})")


@app.command("traits")
def traits(
    key: str = typer.Argument(..., metavar="PROJECT", help="Project key"),
    add: list[str] = typer.Option([], "--add", help="A trait to add, e.g. causal (repeatable)"),
    remove: list[str] = typer.Option([], "--remove", help="A trait to remove (repeatable)"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Show or change a project's traits; the catalogue's criteria for a trait apply only with it.

    `causal` turns on the causal-inference criteria (L0.causal-structure ... L4.consistency).
    Example: `mltrl project traits causal-dx --add causal`
    """
    from mltrl.service import lookup

    if add or remove:
        with writing() as reg:
            project = reg.projects.set_traits(key, add=add, remove=remove)
    else:
        with reading() as r:
            project = lookup.project(r, key)
    if as_json:
        emit_json({"project": project.key, "traits": project.traits})
        return
    say(f"{_render.esc(project.key)}: traits {_render.esc(', '.join(project.traits) or 'none')}")


@app.command("list")
def list_(fmt: Format = FORMAT, as_json: bool = JSON) -> None:
    """List projects with their system TRL.

    Example: `mltrl project list --format csv`
    """
    from mltrl.store import queries
    from mltrl.views.status import project_status

    fmt = choose(fmt, as_json)
    with reading() as r:
        rows = [project_status(r, p) for p in queries.projects(r)]
    if fmt != Format.TABLE:
        items = [
            {**s.project.to_json(), "system_level": s.system_level, "held_back_by": s.held_back_by}
            for s in rows
        ]
        emit(fmt, {"projects": items}, items)
        return
    from rich.table import Table

    table = Table("key", "name", "system TRL", "held back by", "fork of", "R&D owner", "product owner")
    for s in rows:
        p = s.project
        table.add_row(
            *map(_render.esc, (p.key, p.name)),
            _render.level(s.system_level),
            *map(_render.esc, (", ".join(s.held_back_by), p.parent_key or "", p.rd_owner or "")),
            _render.esc(p.product_owner or ""),
        )
    console().print(table)


@app.command("show")
def show(
    key: str = typer.Argument(..., metavar="PROJECT", help="Project key"),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Show a project: owners, lineage and its components.

    Example: `mltrl project show ppx --json`
    """
    from mltrl.service import lookup
    from mltrl.store import queries

    fmt = choose(fmt, as_json)
    with reading() as r:
        project = lookup.project(r, key)
        components = queries.components(r, project.key)
        forks = [p.key for p in queries.projects(r) if p.parent_key == project.key]
    if fmt != Format.TABLE:
        emit(fmt, {**project.to_json(), "forks": forks, "components": [c.to_json() for c in components]})
        return
    say(f"[bold]{_render.esc(project.key)}[/] {_render.esc(project.name)}")
    for label, value in (
        ("description", project.description),
        ("R&D owner", project.rd_owner),
        ("product owner", project.product_owner),
        ("fork of", project.parent_key and f"{project.parent_key} ({project.fork_reason})"),
        ("traits", ", ".join(project.traits)),
        ("forks", ", ".join(forks)),
        ("created", f"{_render.when(project.created_at)} by {project.created_by}"),
    ):
        if value:
            say(f"  {label}: {_render.esc(value)}")
    say(f"  components: {_render.esc(', '.join(c.code for c in components)) or 'none yet'}")


def register_fork(root: typer.Typer, panel: str) -> None:
    @root.command("fork", rich_help_panel=panel)
    def fork(
        parent: str = typer.Argument(..., metavar="PARENT", help="Project to fork"),
        key: str = typer.Argument(..., metavar="KEY", help="Key of the new project"),
        reason: str = typer.Option(..., "--reason", "-r", help="Why the paths split"),
        name: str | None = typer.Option(None, "--name", "-n"),
        at: str | None = typer.Option(
            None, "--at", help="When it happened, ISO 8601 (default: now; for importing history)"
        ),
        as_json: bool = JSON_WRITE,
    ) -> None:
        """Fork a project (the level-2 "both paths" bifurcation), keeping lineage.

        Example: `mltrl fork etalumis ppx --reason "open-source path"`
        """
        with writing() as reg:
            child = reg.projects.fork(parent, key, reason=reason, name=name, at=at)
            components = reg.components.list(child.key)
            count = len(components)
        if as_json:
            emit_json({**child.to_json(), "components": [c.to_json() for c in components]})
            return
        say(
            f"forked [bold]{_render.esc(parent)}[/] into [bold]{_render.esc(child.key)}[/] "
            f"with {count} component(s)"
        )
