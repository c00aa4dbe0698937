"""``switchback``, ``pause``, ``resume``, ``retire``, ``import-graduation`` (graduating is a review)."""

from __future__ import annotations

import typer

from mltrl.cli import _render
from mltrl.cli._context import emit_json, say, writing
from mltrl.cli._output import JSON_WRITE

REF = typer.Argument(..., metavar="PROJECT/CODE", help="Component, e.g. recycling/1.1")
PANEL = "Lifecycle"


def register(app: typer.Typer) -> None:
    @app.command("import-graduation", rich_help_panel=PANEL)
    def import_graduation(
        ref: str = REF,
        approver: str = typer.Option(..., "--approver", "-a", help="Who approved it back then"),
        at: str = typer.Option(..., "--at", help="When it happened (ISO 8601, in the past)"),
        to: str | None = typer.Option(None, "--to", help="Expected new level; refuses a double import"),
        reason: str = typer.Option("", "--reason", "-r"),
        as_json: bool = JSON_WRITE,
    ) -> None:
        """Record a graduation from before the registry (history import; new ones go through reviews).

        Example: `mltrl import-graduation etalumis/1.1 --approver "lab head" --at 2020-01-01 --to 5`
        """
        from mltrl.domain.rules import parse_level

        with writing() as reg:
            c = reg.components.import_graduation(
                ref,
                approver=approver,
                at=at,
                to_level=None if to is None else parse_level(to, "--to"),
                reason=reason,
            )
        if as_json:
            emit_json(c.to_json())
            return
        say(f"{_render.esc(c.ref)} graduated to {_render.level(c.level)} (imported history)")

    @app.command("switchback", rich_help_panel=PANEL)
    def switchback(
        ref: str = REF,
        to: str = typer.Option(..., "--to", help="Level to go back to"),
        reason: str = typer.Option(..., "--reason", "-r", help="Why the work goes back"),
        at: str | None = typer.Option(None, "--at", help="When it happened, ISO 8601 (default: now)"),
        kind: str | None = typer.Option(
            None,
            "--kind",
            "-k",
            help="discovery, review or embedded (4->2, 9->4, 9->7 are embedded by default)",
        ),
        as_json: bool = JSON_WRITE,
    ) -> None:
        """Send a component back to a lower level it went through.

        Example: `mltrl switchback neuropath/1.1 --to 2 --reason "the PoC showed a gap in the method"`
        """
        with writing() as reg:
            c = reg.components.switchback(ref, to, kind=kind, reason=reason, at=at)
        if as_json:
            emit_json(c.to_json())
            return
        say(f"{_render.esc(c.ref)} switched back to {_render.level(c.level)}")

    for verb, done in (("pause", "paused"), ("resume", "resumed"), ("retire", "retired")):
        _status_command(app, verb, done)


def _status_command(app: typer.Typer, verb: str, done: str) -> None:
    def command(
        ref: str = REF,
        reason: str = typer.Option("", "--reason", "-r"),
        at: str | None = typer.Option(None, "--at", help="When it happened, ISO 8601 (default: now)"),
        as_json: bool = JSON_WRITE,
    ) -> None:
        with writing() as reg:
            c = getattr(reg.components, verb)(ref, reason=reason, at=at)
        if as_json:
            emit_json(c.to_json())
            return
        say(f"{_render.esc(c.ref)} {done} at {_render.level(c.level)}")

    command.__doc__ = (
        f"{verb.capitalize()} a component (its level stays; the log records why).\n\n"
        f'Example: `mltrl {verb} recycling/1.1 --reason "waiting for funding"`'
    )
    app.command(verb, rich_help_panel=PANEL)(command)
