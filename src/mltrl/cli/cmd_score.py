"""``mltrl score``: a component's ML Test Score, item by item, computed from the registry."""

from __future__ import annotations

import typer

from mltrl.cli import _render
from mltrl.cli._context import catalog, console, reading, say
from mltrl.cli._output import FORMAT, JSON, Format, choose, emit

STYLE = {"automated": "green", "by-hand": "cyan", "stale": "yellow", "failing": "red", "none": "dim"}


def register(root: typer.Typer) -> None:
    @root.command("score", rich_help_panel="Evidence and cards")
    def score(
        ref: str = typer.Argument(..., metavar="PROJECT/CODE", help="Component, e.g. recycling/1.1"),
        fmt: Format = FORMAT,
        as_json: bool = JSON,
    ) -> None:
        """The ML Test Score (Breck et al. 2017): 28 tests, 1 point run automatically, 0.5 by hand.

        Four sections (data, model, infrastructure, monitoring) sum their items; the score is the lowest.

        Only passing evidence on the current versions counts; stale evidence is shown, not counted.

        Example: `mltrl score recycling/1.1 --format csv` (one row per item)
        """
        from datetime import UTC, datetime

        from mltrl.analytics.test_score import compute
        from mltrl.service import lookup

        fmt = choose(fmt, as_json)
        threshold = catalog().settings.ml_test_score_threshold
        with reading() as r:
            result = compute(r, lookup.component(r, ref), datetime.now(UTC))
        if fmt != Format.TABLE:
            data = {**result.to_json(), "threshold": threshold}
            rows = [{k: v for k, v in i.to_json().items() if k != "feeds"} for i in result.items]
            emit(fmt, data, rows)
            return
        _table(result, threshold)


def _table(result, threshold: float) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    esc = _render.esc
    table = Table("item", "test", "points", "status", "via")
    for section in result.sections:
        table.add_section()
        for item in (i for i in result.items if i.section == section.id):
            table.add_row(
                item.id,
                esc(item.title),
                f"{item.points:g}",
                f"[{STYLE[item.status]}]{item.status}[/]",
                esc(item.via),
            )
        table.add_row("", f"[bold]{esc(section.title)}[/]", f"[bold]{section.points:g}[/]", "", "")
    console().print(table)
    sums = ", ".join(f"{s.title.lower()} {s.points:g}" for s in result.sections)
    say(f"sections: {sums}")
    verdict = "[green]meets[/]" if result.score >= threshold else "[red]is below[/]"
    say(
        f"[bold]ML Test Score {result.score:g}[/] (lowest section: {result.weakest.title.lower()}): "
        f"{esc(result.band)}; it {verdict} the policy's {threshold:g} for L7.ml-test-score"
    )
