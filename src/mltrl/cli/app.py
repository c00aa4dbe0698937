"""The Typer application: global options, and the command groups loaded on demand.

Typer builds a click command for every registered command on each run, and
importing every command module costs time too; read commands must start
fast. So :func:`build_app` registers only the group the command line asks for
(all of them for ``--help`` or an unknown command, so help and "no such
command" stay complete).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import typer

from mltrl.cli._context import settings

HELP = (
    "Machine Learning Technology Readiness Levels: track every model, data pipeline and module through "
    "levels 0-9 with gated reviews, evidence and an append-only event log."
)
#: Global options that take a value, so the command word can be found after them.
VALUE_OPTIONS = ("--db", "--actor", "--policy")


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
    app.add_typer(module.app, name="project", help="Create, list and show projects.")
    module.register_fork(app)


def _components(app: typer.Typer) -> None:
    module = _module("cmd_components")
    app.add_typer(module.component_app, name="component", help="Add, list, show and couple components.")
    app.add_typer(module.version_app, name="version", help="Register and list code/model/data versions.")


def _reviews(app: typer.Typer) -> None:
    module = _module("cmd_reviews")
    app.add_typer(module.app, name="review", help="Gated reviews: the only way up a level.")
    module.register_ethics(app)


def _requirements(app: typer.Typer) -> None:
    module = _module("cmd_requirements")
    app.add_typer(module.app, name="req", help="Requirements with V&V steps and risk.")
    module.register_risk(app)


def _datasets(app: typer.Typer) -> None:
    app.add_typer(
        _module("cmd_datasets").app, name="dataset", help="Data sets: versions, hashes, datasheets, links."
    )


def _evidence(app: typer.Typer) -> None:
    module = _module("cmd_evidence")
    app.add_typer(module.app, name="evidence", help="Evidence: check results on exact versions.")
    module.register_gate(app)


def _cards(app: typer.Typer) -> None:
    app.add_typer(
        _module("cmd_cards").app, name="card", help="TRL Cards: render, edit, freeze, diff, export."
    )


def _people(app: typer.Typer) -> None:
    module = _module("cmd_people")
    app.add_typer(module.app, name="group", help="A component's working group, level by level.")
    module.register_handoff(app)


def _targets(app: typer.Typer) -> None:
    app.add_typer(
        _module("cmd_targets").app, name="target", help="Readiness targets: reach level N by a date (OKRs)."
    )


def _monitor(app: typer.Typer) -> None:
    for name in ("cmd_monitor", "cmd_monitor_alerts", "cmd_monitor_eval"):
        _module(name)  # each registers its commands on the shared group
    app.add_typer(
        _module("_monitor_app").app,
        name="monitor",
        help="Data profiles, drift, data quality, skew, delayed actuals, alerts and reports.",
    )


GROUPS: dict[Callable[[typer.Typer], None], tuple[str, ...]] = {
    _setup: ("init", "migrate", "doctor", "demo"),
    _levels: ("levels",),
    _views: ("status", "history", "report"),
    _lifecycle: ("import-graduation", "switchback", "pause", "resume", "retire"),
    _projects: ("project", "fork"),
    _components: ("component", "version"),
    _reviews: ("review", "ethics"),
    _requirements: ("req", "risk"),
    _datasets: ("dataset",),
    _evidence: ("evidence", "gate"),
    _cards: ("card",),
    _targets: ("target",),
    _people: ("group", "handoff"),
    _monitor: ("monitor",),
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
        name="mltrl", help=HELP, no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False
    )
    app.callback()(_global_options)
    word = command_word(args)
    chosen = [group for group, words in GROUPS.items() if word in words]
    for group in chosen or GROUPS:
        group(app)
    return app


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
