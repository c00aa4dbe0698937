"""The Typer application: global options, and the command groups loaded on demand.

Typer builds a click command for every registered command on each run, and
importing every command module costs time too; read commands must start
fast. So :func:`build_app` registers only the group the command line asks for
(all of them for ``--help`` or an unknown command, so help and "no such
command" stay complete). Shell completion runs the command with no arguments
(the words come in environment variables), so it sees every group too; the
completion options add no import to a normal command.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mltrl.cli._context import settings

if TYPE_CHECKING:
    import click

HELP = (
    "Machine Learning Technology Readiness Levels: track every model, data pipeline and module through "
    "levels 0-9 with gated reviews, evidence and an append-only event log."
)
#: Global options that take a value, so the command word can be found after them.
VALUE_OPTIONS = ("--db", "--actor", "--policy")
#: Help panels: `mltrl --help` lists the commands by topic (the command modules name theirs too).
BUILD = "Projects and components"
LIFECYCLE = "Lifecycle"
REVIEWS = "Reviews"
RECORDS = "Requirements and data"
EVIDENCE = "Evidence and cards"


def _setup(app: typer.Typer) -> None:
    _module("cmd_setup").register(app)


def _levels(app: typer.Typer) -> None:
    _module("cmd_levels").register(app)


def _views(app: typer.Typer) -> None:
    _module("cmd_views").register(app)


def _lifecycle(app: typer.Typer) -> None:
    _module("cmd_lifecycle").register(app)


def _projects(app: typer.Typer) -> None:
    module = _module("cmd_projects")
    app.add_typer(module.app, name="project", help="Create, list and show projects.", rich_help_panel=BUILD)
    module.register_fork(app, BUILD)


def _components(app: typer.Typer) -> None:
    module = _module("cmd_components")
    app.add_typer(
        module.component_app,
        name="component",
        help="Add, list, show and couple components.",
        rich_help_panel=BUILD,
    )
    app.add_typer(
        module.version_app,
        name="version",
        help="Register and list code/model/data versions.",
        rich_help_panel=BUILD,
    )


def _reviews(app: typer.Typer) -> None:
    module = _module("cmd_reviews")
    app.add_typer(
        module.app, name="review", help="Gated reviews: the only way up a level.", rich_help_panel=REVIEWS
    )
    module.register_ethics(app)


def _requirements(app: typer.Typer) -> None:
    module = _module("cmd_requirements")
    app.add_typer(
        module.app, name="req", help="Requirements with V&V steps and risk.", rich_help_panel=RECORDS
    )
    module.register_risk(app)


def _datasets(app: typer.Typer) -> None:
    app.add_typer(
        _module("cmd_datasets").app,
        name="dataset",
        help="Data sets: versions, hashes, datasheets, links.",
        rich_help_panel=RECORDS,
    )


def _evidence(app: typer.Typer) -> None:
    module = _module("cmd_evidence")
    app.add_typer(
        module.app,
        name="evidence",
        help="Evidence: check results on exact versions.",
        rich_help_panel=EVIDENCE,
    )
    module.register_gate(app)
    _module("cmd_score").register(app)


def _checks(app: typer.Typer) -> None:
    module = _module("cmd_checks")
    app.add_typer(
        module.golden_app,
        name="golden",
        help="The golden data set over the succession of models.",
        rich_help_panel=EVIDENCE,
    )
    app.add_typer(
        module.relations_app,
        name="relations",
        help="The component's codified metamorphic relations.",
        rich_help_panel=EVIDENCE,
    )


def _cards(app: typer.Typer) -> None:
    app.add_typer(
        _module("cmd_cards").app,
        name="card",
        help="TRL Cards: render, edit, freeze, diff, export.",
        rich_help_panel=EVIDENCE,
    )


def _people(app: typer.Typer) -> None:
    module = _module("cmd_people")
    app.add_typer(
        module.app,
        name="group",
        help="A component's working group, level by level.",
        rich_help_panel=LIFECYCLE,
    )
    module.register_handoff(app)


def _targets(app: typer.Typer) -> None:
    app.add_typer(
        _module("cmd_targets").app,
        name="target",
        help="Readiness targets: reach level N by a date (OKRs).",
        rich_help_panel=LIFECYCLE,
    )


def _monitor(app: typer.Typer) -> None:
    for name in ("cmd_monitor", "cmd_monitor_alerts", "cmd_monitor_eval"):
        _module(name)  # each registers its commands on the shared group
    app.add_typer(
        _module("_monitor_app").app,
        name="monitor",
        help="Data profiles, drift, data quality, skew, delayed actuals, alerts and reports.",
        rich_help_panel="Monitoring",
    )


def _deploy(app: typer.Typer) -> None:
    app.add_typer(
        _module("cmd_deploy").app,
        name="deploy",
        help="Deployment tests (shadow, canary, A/B, blue/green) as level-8 evidence.",
        rich_help_panel=EVIDENCE,
    )


def _check(app: typer.Typer) -> None:
    app.add_typer(
        _module("cmd_check").app,
        name="check",
        help="Sim-to-real, fairness and causal checks (balance, overlap, E-value) as evidence.",
        rich_help_panel=EVIDENCE,
    )


def _server(app: typer.Typer) -> None:
    module = _module("cmd_server")
    panel = "Team server"
    app.add_typer(module.user_app, name="user", help="Users of the team server.", rich_help_panel=panel)
    app.add_typer(
        module.token_app, name="token", help="API tokens (hashed, scoped, expiring).", rich_help_panel=panel
    )
    app.add_typer(
        module.role_app, name="role", help="Roles per project, optionally per level.", rich_help_panel=panel
    )
    module.register_serve(app, panel)


def _audit(app: typer.Typer) -> None:
    _module("cmd_audit").register(app, "Team server")


GROUPS: dict[Callable[[typer.Typer], None], tuple[str, ...]] = {
    # In the order `mltrl --help` shows their panels.
    _setup: ("init", "migrate", "doctor", "demo"),
    _levels: ("levels",),
    _projects: ("project", "fork"),
    _components: ("component", "version"),
    _lifecycle: ("import-graduation", "switchback", "pause", "resume", "retire"),
    _people: ("group", "handoff"),
    _targets: ("target",),
    _reviews: ("review", "ethics"),
    _requirements: ("req", "risk"),
    _datasets: ("dataset",),
    _evidence: ("evidence", "gate", "score"),
    _checks: ("golden", "relations"),
    _deploy: ("deploy",),
    _check: ("check",),
    _cards: ("card",),
    _monitor: ("monitor",),
    _views: ("status", "history", "report"),
    _server: ("serve", "user", "token", "role"),
    _audit: ("audit",),
}


def _module(name: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"mltrl.cli.{name}")


def command_word(args: list[str]) -> str | None:
    """The command the arguments name, skipping the global options before it."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def build_app(args: list[str]) -> typer.Typer:
    app = typer.Typer(
        name="mltrl",
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_global_options)
    word = command_word(args)
    chosen = [group for group, words in GROUPS.items() if word in words]
    for group in chosen or GROUPS:
        group(app)
    return app


def build_command(args: list[str]) -> click.Command:
    """The click command Typer makes of :func:`build_app`, its arguments shown by name (see below)."""
    command = typer.main.get_command(build_app(args))
    _name_arguments(command)
    return command


class _NamedArgument(typer.core.TyperArgument):
    """Usage shows ``mltrl review show ID``, not Typer's ``{review_id}``; optional ones in brackets."""

    def make_metavar(self, ctx: click.Context, *, usage: bool = False) -> str:
        name = self.metavar or (self.name or "").upper()
        if usage and not self.required and not name.startswith("["):
            name = f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")


def _name_arguments(command: click.Command) -> None:
    for param in command.params:
        if type(param) is typer.core.TyperArgument:
            param.__class__ = _NamedArgument
    for sub in getattr(command, "commands", {}).values():
        _name_arguments(sub)


def _global_options(
    db: str | None = typer.Option(
        None,
        "--db",
        help="Registry URL (sqlite:///PATH or postgresql+psycopg://...); default: nearest .mltrl/",
    ),
    actor: str | None = typer.Option(
        None, "--actor", help="Who makes the change (default: $MLTRL_ACTOR, then your user name)"
    ),
    policy: Path | None = typer.Option(
        None, "--policy", help="Organisation policy file (default: $MLTRL_POLICY, then .mltrl/policy.yaml)"
    ),
    version: bool = typer.Option(False, "--version", "-V", help="Print the version and exit"),
) -> None:
    if version:
        from mltrl import __version__

        print(f"mltrl {__version__}")
        raise typer.Exit(0)
    settings.db, settings.actor, settings.policy = db, actor, policy
