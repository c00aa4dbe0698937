"""The Typer application: global options and the command groups."""

from __future__ import annotations

from pathlib import Path

import typer

from mltrl.cli import (
    cmd_cards,
    cmd_components,
    cmd_datasets,
    cmd_evidence,
    cmd_levels,
    cmd_lifecycle,
    cmd_projects,
    cmd_requirements,
    cmd_reviews,
    cmd_setup,
    cmd_views,
)
from mltrl.cli._context import settings

app = typer.Typer(
    name="mltrl",
    help="Machine Learning Technology Readiness Levels: track every model, data pipeline and module "
    "through levels 0-9 with gated reviews and an append-only event log.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
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


for module in (cmd_setup, cmd_levels, cmd_views, cmd_lifecycle):
    module.register(app)
app.add_typer(cmd_projects.app, name="project", help="Create, list and show projects.")
cmd_projects.register_fork(app)
app.add_typer(cmd_components.component_app, name="component", help="Add, list, show and couple components.")
app.add_typer(cmd_components.version_app, name="version", help="Register and list code/model/data versions.")
app.add_typer(cmd_reviews.app, name="review", help="Gated reviews: the only way up a level.")
cmd_reviews.register_ethics(app)
app.add_typer(cmd_requirements.app, name="req", help="Requirements with V&V steps and risk.")
cmd_requirements.register_risk(app)
app.add_typer(cmd_datasets.app, name="dataset", help="Data sets: versions, hashes, datasheets, links.")
app.add_typer(cmd_evidence.app, name="evidence", help="Evidence: check results on exact versions.")
cmd_evidence.register_gate(app)
app.add_typer(cmd_cards.app, name="card", help="TRL Cards: render, edit, freeze, diff, export.")
