"""``init``, ``migrate``, ``doctor`` and ``demo``."""

from __future__ import annotations

from pathlib import Path

import typer

from mltrl.cli._context import emit_json, reading, say, settings, writing
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit
from mltrl.cli._render import esc

PANEL = "Setting up"

OTHER_TABLES = typer.Option(
    False,
    "--allow-other-tables",
    help="Put mltrl's tables in a database that already holds other tables (refused without this)",
)


def register(app: typer.Typer) -> None:
    @app.command("init", rich_help_panel=PANEL)
    def init(allow_other_tables: bool = OTHER_TABLES, as_json: bool = JSON_WRITE) -> None:
        """Create a registry in .mltrl/ here (or at --db / $MLTRL_DATABASE_URL); safe to run again.

        Example: `mltrl init`, or `mltrl --db postgresql+psycopg://me@db/mltrl init`
        """
        from mltrl.service.registry import Registry

        with Registry.init(
            db=settings.db, actor=settings.actor, allow_other_tables=allow_other_tables
        ) as reg:
            where = reg.location.display
            created = reg.created
        if as_json:
            emit_json({"registry": where, "created": created})
            return
        say(f"{'initialised' if created else 'already initialised:'} registry at {esc(where)}")
        if created and not settings.db:
            say("next: `mltrl project create KEY --name NAME`, then `mltrl component add KEY/1.1 ...`")

    @app.command("migrate", rich_help_panel=PANEL)
    def migrate(allow_other_tables: bool = OTHER_TABLES, as_json: bool = JSON_WRITE) -> None:
        """Upgrade the registry's schema to this version of mltrl.

        Example: `mltrl migrate` after upgrading the package
        """
        from mltrl.service import setup
        from mltrl.store.engine import make_engine
        from mltrl.store.location import locate

        location = locate(settings.db)
        engine = make_engine(location)
        try:
            before = setup.upgrade(engine, location, allow_other_tables=allow_other_tables)
        finally:
            engine.dispose()
        target = setup.HEAD_REVISION
        if as_json:
            emit_json({"schema": target, "was": before})
            return
        say(f"schema at {target}" + ("" if before == target else f" (was {before or 'empty'})"))

    @app.command("doctor", rich_help_panel=PANEL)
    def doctor(fmt: Format = FORMAT, as_json: bool = JSON) -> None:
        """Check the event log's hash chain and signatures, and that the log rebuilds the stored state
        exactly (exit 1 if not; the first broken link of the chain is named).

        Example: `mltrl doctor --format csv` (one row per problem)
        """
        from mltrl.errors import CheckFailed
        from mltrl.views.doctor import examine

        fmt = choose(fmt, as_json)
        with reading() as r:
            result = examine(r)
        if fmt != Format.TABLE:
            emit(fmt, result.to_json(), result.problems)
        else:
            for p in result.problems:
                say(f"[red]{esc(p['component'])}[/]: {esc(p['problem'])}")
            say(
                f"{result.components_checked} components, {result.events_replayed} events replayed, "
                f"{result.events_chained} events in the hash chain, {result.signatures_checked} signatures: "
                + (
                    "[green]the log rebuilds the stored state exactly[/]"
                    if result.healthy
                    else f"[red]{len(result.problems)} problem(s)[/]"
                )
            )
        if not result.healthy:
            raise CheckFailed(f"doctor found {len(result.problems)} problem(s) in the registry")

    @app.command("demo", rich_help_panel=PANEL)
    def demo(
        directory: Path = typer.Option(
            Path("mltrl-demo"), "--dir", help="Where to build the demo registry (its own .mltrl/)"
        ),
    ) -> None:
        """Build a demo registry from the paper's use-cases and show its status and report.

        Example: `mltrl demo --dir /tmp/mltrl-demo`
        """
        from mltrl.cli import cmd_views
        from mltrl.demo.run import build, run_suite
        from mltrl.store.location import sqlite_url

        home = build(directory)
        settings.db = sqlite_url(home / "mltrl.db")
        say(f"[bold]Demo registry built in {esc(home)}[/] from the MLTRL paper's use-cases.")
        # New photos (data 1.1.0) made the detector's level-7 evidence stale; CI reruns its suite.
        _passed, summary = run_suite(home.parent)
        say(
            f"The detector's level-7 suite ({esc(home.parent / 'suite')}) ran through the pytest plugin "
            f"on its current versions: {esc(summary)}\n"
        )
        cmd_views.show_status(None)
        say("")
        cmd_views.show_report(None, top=5)
        here = home.parent
        with writing() as reg:
            open_reviews = {r.ref: r.id for r in reg.reviews.list() if r.status == "open"}
        ready, causal = open_reviews.get("neuropath/1.1"), open_reviews.get("causal-dx/1.1")
        deployed = open_reviews.get("recycling/1")
        say(f"\n[bold]Try next[/] (in {esc(here)}):")
        say(f"  cd {esc(here)}")
        for command, why in (
            ("mltrl status recycling", "which component holds the app back"),
            ("mltrl history recycling/1.1", "the 8->7 review and 9->7 embedded switchbacks"),
            ("mltrl gate recycling/1.1", "met by the evidence the pytest suite just recorded"),
            ("mltrl score recycling/1.1", "the ML Test Score, computed item by item"),
            ("python -m pytest --mltrl-gate recycling/1.1@7 suite", "rerun the suite as CI would"),
            ("mltrl card show neuropath", "the paper's example TRL Card, from the registry"),
            ("mltrl card diff recycling 7 -c 1.1", "what the 9->7 switchback changed on the card"),
            (f"mltrl review show {ready}", "a complete level-4 review, ready to decide"),
            (f"mltrl review decide {ready} graduate", "... and the copilot's model climbs to level 5"),
            (f"mltrl review show {causal}", "a causal gate held up by its sensitivity analysis"),
            *(
                [
                    ("mltrl monitor status recycling", "the deployed app: drift and data-quality alerts"),
                    ("mltrl monitor report recycling/1", "an offline HTML report of the last week"),
                    ("mltrl monitor performance recycling/1", "accuracy per day as corrections arrive"),
                    (f"mltrl review show {deployed}", "the deployment review the alerts opened"),
                ]
                if deployed
                else [("pip install 'mltrl[monitor]'", "then rerun the demo to see production monitoring")]
            ),
            ("mltrl review show 1", "an entry review: a component that started at level 4"),
            ("mltrl target list", "a readiness target, forecast from the organisation's own pace"),
            ("mltrl group show recycling/1.1", "the working group as it changed over the levels"),
            ("mltrl review due", "deployed components overdue for their recurring review (exit 1)"),
            ("mltrl risk neuropath", "ranked risks, likelihood x impact matrix"),
            ("mltrl req export neuropath", "the requirements document with its V&V table"),
            ("mltrl dataset list", "data sets, versions and who uses them"),
            ("mltrl project show ppx", "the fork of etalumis"),
            ("mltrl levels 4", "what the level-4 gate asks"),
            ("mltrl report --json", "the report for machines"),
            ("mltrl doctor", "replay the log and check it"),
        ):
            line = f"{command:<32} # {why}"
            say(f"  {esc(line)}")
