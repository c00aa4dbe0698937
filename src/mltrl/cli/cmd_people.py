"""``group`` (a component's working group over the levels) and ``handoff`` (R&D to product)."""

from __future__ import annotations

import typer

from mltrl.cli._context import console, emit_json, reading, say, writing
from mltrl.cli._render import esc

app = typer.Typer(no_args_is_help=True)
REF = typer.Argument(..., help="Component as PROJECT/CODE")


@app.command("add")
def add(
    ref: str = REF,
    person: str = typer.Option(..., "--person", help="Who joins"),
    role: str = typer.Option(..., "--role", help="Their role, e.g. product-engineering, qa, domain-expert"),
) -> None:
    """Add a person to the working group, from the component's current level on.

    Example: `mltrl group add recycling/1.1 --person "P. Iyer" --role qa`
    """
    with writing() as reg:
        reg.join_group(ref, person, role)
    say(f"{esc(person)} joins the working group of {esc(ref)} as {esc(role)}")


@app.command("remove")
def remove(
    ref: str = REF,
    person: str = typer.Option(..., "--person", help="Who leaves"),
    reason: str = typer.Option("", "--reason", "-r"),
) -> None:
    """A member leaves the working group; the history keeps the levels they worked at."""
    with writing() as reg:
        reg.leave_group(ref, person, reason=reason)
    say(f"{esc(person)} leaves the working group of {esc(ref)}")


@app.command("show")
def show(ref: str = REF, as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """The working group as it is and as it was, level by level, with the hand-offs."""
    from mltrl.service import lookup
    from mltrl.store import people_queries

    with reading() as r:
        component = lookup.component(r, ref)
        members = people_queries.working_group(r, component.id)
        handoffs = people_queries.handoffs(r, component.id)
    if as_json:
        emit_json(
            {"component": component.ref, "owner": component.owner, "members": members, "handoffs": handoffs}
        )
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


def register_handoff(root: typer.Typer) -> None:
    @root.command("handoff")
    def handoff(
        ref: str = REF,
        to: str = typer.Option(..., "--to", help="The product owner who takes the component over"),
        note: str = typer.Option("", "--note", help="What was handed over (roadmap, resources ...)"),
    ) -> None:
        """Record the hand-off from R&D to product (from level 5): the component gets its new owner.

        Example: `mltrl handoff recycling/1.1 --to "L. Duarte" --note "roadmap agreed"`
        """
        with writing() as reg:
            c = reg.hand_off(ref, to, note=note)
        console().print(f"{esc(c.ref)} is now owned by {esc(c.owner or '')}")
