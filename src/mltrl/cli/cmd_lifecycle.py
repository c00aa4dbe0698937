"""``switchback``, ``pause``, ``resume``, ``retire``, ``import-graduation`` (graduating is a review)."""

from __future__ import annotations

import typer

from mltrl.cli import _render
from mltrl.cli._context import say, writing

REF = typer.Argument(..., help="Component as PROJECT/CODE")


def register(app: typer.Typer) -> None:
    @app.command("import-graduation")
    def import_graduation(
        ref: str = REF,
        approver: str = typer.Option(..., "--approver", "-a", help="Who approved it back then"),
        at: str = typer.Option(..., "--at", help="When it happened (ISO 8601, in the past)"),
        to: str | None = typer.Option(None, "--to", help="Expected new level; refuses a double import"),
        reason: str = typer.Option("", "--reason", "-r"),
    ) -> None:
        """Record a graduation from before the registry (history import; new ones go through reviews)."""
        from mltrl.domain.rules import parse_level

        with writing() as reg:
            c = reg.import_graduation(
                ref,
                approver=approver,
                at=at,
                to_level=None if to is None else parse_level(to, "--to"),
                reason=reason,
            )
        say(f"{_render.esc(c.ref)} graduated to {_render.level(c.level)} (imported history)")

    @app.command("switchback")
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
    ) -> None:
        """Send a component back to a lower level it went through."""
        with writing() as reg:
            c = reg.switchback(ref, to, kind=kind, reason=reason, at=at)
        say(f"{_render.esc(c.ref)} switched back to {_render.level(c.level)}")

    for verb, done in (("pause", "paused"), ("resume", "resumed"), ("retire", "retired")):
        _status_command(app, verb, done)


def _status_command(app: typer.Typer, verb: str, done: str) -> None:
    def command(
        ref: str = REF,
        reason: str = typer.Option("", "--reason", "-r"),
        at: str | None = typer.Option(None, "--at", help="When it happened, ISO 8601 (default: now)"),
    ) -> None:
        with writing() as reg:
            c = getattr(reg, verb)(ref, reason=reason, at=at)
        say(f"{_render.esc(c.ref)} {done} at {_render.level(c.level)}")

    command.__doc__ = f"{verb.capitalize()} a component (its level stays; the log records why)."
    app.command(verb)(command)
