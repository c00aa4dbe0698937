"""``group`` (a component's working group over the levels) and ``handoff`` (R&D to product)."""

from __future__ import annotations

import typer

from mltrl.cli._context import emit_json, reading, say, writing
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit
from mltrl.cli._render import esc

app = typer.Typer(no_args_is_help=True)
REF = typer.Argument(..., metavar="PROJECT/CODE", help="Component, e.g. recycling/1.1")


@app.command("add")
def add(
    ref: str = REF,
    person: str = typer.Option(..., "--person", help="Who joins"),
    role: str = typer.Option(..., "--role", help="Their role, e.g. product-engineering, qa, domain-expert"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Add a person to the working group, from the component's current level on.

    Example: `mltrl group add recycling/1.1 --person "P. Iyer" --role qa`
    """
    with writing() as reg:
        reg.groups.join(ref, person, role)
    if as_json:
        _emit_group(ref)
        return
    say(f"{esc(person)} joins the working group of {esc(ref)} as {esc(role)}")


@app.command("remove")
def remove(
    ref: str = REF,
    person: str = typer.Option(..., "--person", help="Who leaves"),
    reason: str = typer.Option("", "--reason", "-r"),
    as_json: bool = JSON_WRITE,
) -> None:
    """A member leaves the working group; the history keeps the levels they worked at.

    Example: `mltrl group remove recycling/1.1 --person "J. Novak" --reason "moved to the app team"`
    """
    with writing() as reg:
        reg.groups.leave(ref, person, reason=reason)
    if as_json:
        _emit_group(ref)
        return
    say(f"{esc(person)} leaves the working group of {esc(ref)}")


@app.command("show")
def show(ref: str = REF, fmt: Format = FORMAT, as_json: bool = JSON) -> None:
    """The working group as it is and as it was, level by level, with the hand-offs.

    Example: `mltrl group show recycling/1.1 --format csv` (one row per member)
    """
    fmt = choose(fmt, as_json)
    component, members, handoffs = _group(ref)
    if fmt != Format.TABLE:
        data = {
            "component": component.ref,
            "owner": component.owner,
            "members": members,
            "handoffs": handoffs,
        }
        emit(fmt, data, members)
        return
    owner = esc(component.owner or "-")
    say(f"[bold]{esc(component.ref)}[/] {esc(component.name)} at L{component.level}, owned by {owner}")
    if not members:
        say("  no working group yet: `mltrl group add P/CODE --person NAME --role ROLE`")
    for m in members:
        span = f"L{m['joined_level']}-" + (f"L{m['left_level']}" if m["left_at"] else "now")
        say(f"  {esc(m['person'])} ({esc(m['role'])}) {span}")
    for h in handoffs:
        say(f"  hand-off at L{h['level']} on {h['at'][:10]}: {esc(str(h['from']))} -> {esc(h['to'])}")


def _group(ref: str):  # type: ignore[no-untyped-def]
    from mltrl.service import lookup
    from mltrl.store import people_queries

    with reading() as r:
        component = lookup.component(r, ref)
        return (
            component,
            people_queries.working_group(r, component.id),
            people_queries.handoffs(r, component.id),
        )


def _emit_group(ref: str) -> None:
    component, members, handoffs = _group(ref)
    emit_json(
        {"component": component.ref, "owner": component.owner, "members": members, "handoffs": handoffs}
    )


def register_handoff(root: typer.Typer) -> None:
    @root.command("handoff", rich_help_panel="Lifecycle")
    def handoff(
        ref: str = REF,
        to: str = typer.Option(..., "--to", help="The product owner who takes the component over"),
        note: str = typer.Option("", "--note", help="What was handed over (roadmap, resources ...)"),
        as_json: bool = JSON_WRITE,
    ) -> None:
        """Record the hand-off from R&D to product (from level 5): the component gets its new owner.

        Example: `mltrl handoff recycling/1.1 --to "L. Duarte" --note "roadmap agreed"`
        """
        with writing() as reg:
            c = reg.components.hand_off(ref, to, note=note)
        if as_json:
            emit_json(c.to_json())
            return
        say(f"{esc(c.ref)} is now owned by {esc(c.owner or '')}")
