"""``status``, ``history`` and ``report``: the read side, fast and with ``--json``."""

from __future__ import annotations

import functools

import typer

from mltrl.cli import _render
from mltrl.cli._context import catalog, console, emit_json, reading, say

JSON = typer.Option(False, "--json", help="Print JSON")


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status(
        project: str | None = typer.Argument(None, help="Project key; all projects when left out"),
        as_json: bool = JSON,
    ) -> None:
        """The component tree with levels, phases and the system TRL (lowest level of its parts)."""
        show_status(project, as_json)

    @app.command("history")
    def history(
        target: str = typer.Argument(..., help="PROJECT or PROJECT/CODE"),
        lifecycle: bool = typer.Option(False, "--lifecycle", help="Only level and status changes"),
        as_json: bool = JSON,
    ) -> None:
        """The timeline of transitions and other events, oldest first."""
        from mltrl.service import lookup
        from mltrl.views import history as views

        with reading() as r:
            if "/" in target:
                events = views.component_history(r, lookup.component(r, target), lifecycle_only=lifecycle)
            else:
                events = views.project_history(r, lookup.project(r, target), lifecycle_only=lifecycle)
        if as_json:
            emit_json([e.to_json() for e in events])
            return
        from rich.table import Table

        table = Table("when", "component", "event", "by", box=None, pad_edge=False)
        for e in events:
            # esc: an actor or a reason with a newline must not forge a line of the history.
            table.add_row(_render.when(e.at), *map(_render.esc, (e.code or "", views.describe(e), e.actor)))
        console().print(table)

    @app.command("report")
    def report(
        project: str | None = typer.Option(None, "--project", "-p", help="Only this project"),
        top: int = typer.Option(10, "--top", min=0, help="How many paths, cycles and transitions to list"),
        as_json: bool = JSON,
    ) -> None:
        """Time per level, switchbacks by kind, frequent paths and cycles, median time per level."""
        show_report(project, top, as_json)


def show_status(project: str | None, as_json: bool = False) -> None:
    from mltrl.service import lookup
    from mltrl.store import queries
    from mltrl.views.status import project_status

    with reading() as r:
        chosen = [lookup.project(r, project)] if project else queries.projects(r)
        # The policy is read only for projects with a deployed component (their review cadence).
        every = functools.cache(lambda: catalog().settings.review_every_days)
        results = [project_status(r, p, review_every_days=every) for p in chosen]
    if as_json:
        emit_json(results[0].to_json() if project else [s.to_json() for s in results])
        return
    if not results:
        say("no projects yet: `mltrl project create KEY --name NAME`")
    for result in results:
        console().print(_render.status_tree(result))
        if result.held_back_by:
            held = _render.esc(", ".join(result.held_back_by_names))
            say(f"  system TRL {result.system_level}: held back by {held}")


def show_report(project: str | None, top: int = 10, as_json: bool = False) -> None:
    from mltrl.analytics.report import report_with_targets
    from mltrl.service import inputs, lookup

    with reading() as r:
        key = lookup.project(r, project).key if project else None
        result = report_with_targets(r, inputs.now(), key, top=top)
    if as_json:
        emit_json(result.to_json())
        return
    _print_report(result)


def _print_report(result) -> None:  # type: ignore[no-untyped-def]
    from rich import box
    from rich.table import Table

    levels = sorted({int(k) for c in result.components for k in c.seconds_per_level})
    # Tight columns so a report fits an 80-column terminal or CI log.
    table = Table(
        title="Days spent per level (paused time excluded)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    width = max((len(f"{c.project}/{c.code}") for c in result.components[:200]), default=9)
    table.add_column("component", no_wrap=True, min_width=width)
    for name in ("now", *[f"L{n}" for n in levels], "sb"):
        table.add_column(name, no_wrap=True, justify="right" if name.startswith("L") else "left")
    for c in result.components[:200]:
        days = c.seconds_per_level
        table.add_row(
            _render.esc(f"{c.project}/{c.code}"),
            f"{c.level}{'' if c.status == 'active' else ' ' + c.status[0]}",
            *[_whole_days(days[n]) if n in days else "" for n in levels],
            " ".join(f"{k[0]}{v}" for k, v in sorted(c.switchbacks.items())),
        )
    console().print(table)
    say(
        "[dim]now: current level (p paused, r retired); sb: switchbacks (d discovery, r review, "
        "e embedded)[/]"
    )
    if len(result.components) > 200:
        say(f"[dim]... and {len(result.components) - 200} more components (use --json for all)[/]")
    say("switchbacks by kind: " + ", ".join(f"{k} {v}" for k, v in result.switchbacks_by_kind.items()))
    say(
        "median days per completed stay: "
        + (
            ", ".join(
                f"L{k} {v} (n={result.completed_stays_per_level[k]})"
                for k, v in result.median_days_per_level.items()
            )
            or "no completed stays yet"
        )
    )
    if result.top_transitions:
        say(
            "most frequent transitions: "
            + ", ".join(f"{t['from']}->{t['to']} {t['kind']} x{t['count']}" for t in result.top_transitions)
        )
    if result.top_paths:
        say(
            "most frequent paths: "
            + "; ".join("->".join(map(str, p["path"])) + f" x{p['count']}" for p in result.top_paths[:5])
        )
    if result.targets:
        met = [t for t in result.targets if t["state"] in ("met", "met late")]
        missed = [t for t in result.targets if t["state"] == "late"]
        still_open = len(result.targets) - len(met) - len(missed)
        say(f"targets: {len(met)} met, {len(missed)} late, {still_open} open")
        for t in result.targets:
            say(f"  {_render.esc(t['component'])} {_render.esc(t['describe'])}")
    if result.top_cycles:
        say(
            "most frequent cycles: "
            + "; ".join("->".join(map(str, c["cycle"])) + f" x{c['count']}" for c in result.top_cycles)
        )


def _whole_days(seconds: float) -> str:
    days = seconds / 86400
    return f"{days:.0f}" if days >= 1 else f"{days:.1f}"
