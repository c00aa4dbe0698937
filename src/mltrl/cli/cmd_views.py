"""``status``, ``history`` and ``report``: the read side, fast and with ``--json``."""

from __future__ import annotations

import functools

import typer

from mltrl.cli import _render
from mltrl.cli._context import catalog, console, reading, say, settings
from mltrl.cli._output import FORMAT, JSON, Format, choose, emit

TARGET = typer.Argument(..., metavar="PROJECT[/CODE]", help="A project, or one component as PROJECT/CODE")


def register(app: typer.Typer) -> None:
    @app.command("status", rich_help_panel="Views")
    def status(
        project: str | None = typer.Argument(
            None, metavar="[PROJECT]", help="Project key; all projects when left out"
        ),
        fmt: Format = FORMAT,
        as_json: bool = JSON,
    ) -> None:
        """The component tree with levels, phases and the system TRL (lowest level of its parts).

        Example: `mltrl status recycling`
        """
        show_status(project, choose(fmt, as_json))

    @app.command("history", rich_help_panel="Views")
    def history(
        target: str = TARGET,
        lifecycle: bool = typer.Option(False, "--lifecycle", help="Only level and status changes"),
        since: str | None = typer.Option(
            None,
            "--since",
            metavar="WHEN",
            help="From this date or time (2026-03-01), or a span back: 7d, 12h",
        ),
        until: str | None = typer.Option(
            None, "--until", metavar="WHEN", help="Up to this date (the whole day) or time"
        ),
        kind: list[str] = typer.Option(
            [],
            "--kind",
            metavar="KIND",
            help="Only this kind (graduate, review.sign ...) or family (review, alert ...); repeatable",
        ),
        limit: int | None = typer.Option(None, "--limit", metavar="N", help="Only the N most recent events"),
        fmt: Format = FORMAT,
        as_json: bool = JSON,
    ) -> None:
        """The timeline of transitions and other events, oldest first.

        Example: `mltrl history recycling --kind review --since 30d --limit 20`
        """
        from mltrl.service import lookup
        from mltrl.views import history as views

        fmt = choose(fmt, as_json)
        chosen = views.filters(since=since, until=until, kinds=kind, limit=limit, lifecycle_only=lifecycle)
        with reading() as r:
            if "/" in target:
                events = views.component_history(r, lookup.component(r, target), chosen)
            else:
                events = views.project_history(r, lookup.project(r, target), chosen)
        if fmt != Format.TABLE:
            items = [{**e.to_json(), "description": views.describe(e)} for e in events]
            emit(fmt, {"events": items}, items)
            return
        from rich.table import Table

        table = Table("when", "component", "event", "by", box=None, pad_edge=False)
        for e in events:
            # esc: an actor or a reason with a newline must not forge a line of the history.
            table.add_row(_render.when(e.at), *map(_render.esc, (e.code or "", views.describe(e), e.actor)))
        console().print(table)

    @app.command("report", rich_help_panel="Views")
    def report(
        project: str | None = typer.Option(
            None, "--project", "-p", metavar="PROJECT", help="Only this project"
        ),
        top: int = typer.Option(10, "--top", min=0, help="How many paths, cycles and transitions to list"),
        fmt: Format = FORMAT,
        as_json: bool = JSON,
    ) -> None:
        """Time per level, switchbacks by kind, frequent paths and cycles, median time per level.

        Example: `mltrl report --project recycling --format csv` (one row per component)
        """
        show_report(project, top, choose(fmt, as_json))


def _status_rows(results) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    """One row per component, the tree flattened: its project and the composite it is part of."""
    rows = []

    def walk(key: str, parent: str | None, node: dict) -> None:  # type: ignore[type-arg]
        rows.append({"project": key, "parent": parent, **{k: v for k, v in node.items() if k != "children"}})
        for child in node["children"]:
            walk(key, node["code"], child)

    for result in results:
        data = result.to_json()
        for root in data["components"]:
            walk(result.project.key, None, root)
    return rows


def _review_every_days() -> int:
    """The policy's cadence of level-9 reviews, read only for a project with a deployed component,
    and without loading the catalogue (pydantic) when no policy file applies."""
    from mltrl.catalog import find_policy
    from mltrl.domain.model import DEFAULT_REVIEW_EVERY_DAYS
    from mltrl.store.location import find_home

    if find_policy(find_home(), settings.policy) is None:
        return DEFAULT_REVIEW_EVERY_DAYS
    return catalog().settings.review_every_days


def show_status(project: str | None, fmt: Format = Format.TABLE) -> None:
    from mltrl.service import lookup
    from mltrl.store import queries
    from mltrl.views.status import project_status

    with reading() as r:
        chosen = [lookup.project(r, project)] if project else queries.projects(r)
        every = functools.cache(_review_every_days)
        results = [project_status(r, p, review_every_days=every) for p in chosen]
    if fmt != Format.TABLE:
        payload = results[0].to_json() if project else {"projects": [s.to_json() for s in results]}
        emit(fmt, payload, _status_rows(results))
        return
    if not results:
        say("no projects yet: `mltrl project create KEY --name NAME`")
    for result in results:
        console().print(_render.status_tree(result))
        if result.held_back_by:
            held = _render.esc(", ".join(result.held_back_by_names))
            say(f"  system TRL {result.system_level}: held back by {held}")


def show_report(project: str | None, top: int = 10, fmt: Format = Format.TABLE) -> None:
    from mltrl.analytics.report import report_with_targets
    from mltrl.service import inputs, lookup

    with reading() as r:
        key = lookup.project(r, project).key if project else None
        result = report_with_targets(r, inputs.now(), key, top=top)
    if fmt != Format.TABLE:
        data = result.to_json()
        emit(fmt, data, data["components"])
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
