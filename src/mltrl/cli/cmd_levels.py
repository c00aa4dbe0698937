"""``mltrl levels [N]``: the catalogue, with the organisation's policy applied."""

from __future__ import annotations

import typer

from mltrl.cli import _render
from mltrl.cli._context import catalog, console, say
from mltrl.cli._output import FORMAT, JSON, Format, choose, emit


def register(app: typer.Typer) -> None:
    @app.command("levels", rich_help_panel="Setting up")
    def levels(
        level: str | None = typer.Argument(None, metavar="[LEVEL]", help="One level (0-9) in full"),
        fmt: Format = FORMAT,
        as_json: bool = JSON,
    ) -> None:
        """The levels 0-9: phase, code caliber, panel, deliverables, decisions and gate criteria.

        Example: `mltrl levels 4` (as CSV or TSV: one row per level, or per gate criterion of level N)
        """
        from mltrl.domain.rules import parse_level

        fmt = choose(fmt, as_json)
        cat = catalog()
        if level is not None:
            chosen = cat.level(parse_level(level))
            if fmt != Format.TABLE:
                data = chosen.to_json()
                emit(fmt, data, _criteria_rows([data]))
            else:
                _print_level(chosen)
            return
        if fmt != Format.TABLE:
            data = cat.to_json()
            emit(fmt, data, data["levels"])
            return
        from rich import box
        from rich.table import Table

        table = Table(box=box.SIMPLE_HEAD, title="MLTRL levels", pad_edge=False)
        for header in ("level", "name", "code", "roles", "criteria", "evidence"):
            table.add_column(header, no_wrap=True)
        for lv in cat.levels:
            table.add_row(
                f"[{_render.PHASE_STYLE[cat.phase_of(lv.level).id]}]L{lv.level}[/]",
                _render.esc(lv.name),
                lv.code_caliber,
                str(len(lv.required_roles)),
                str(len(lv.criteria)),
                str(len(lv.evidence_criteria)),
            )
        console().print(table)
        say("[dim]`mltrl levels N` shows a level in full[/]")


def _criteria_rows(levels: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    return [{"level": lv["level"], **criterion} for lv in levels for criterion in lv["criteria"]]


def _print_level(lv) -> None:  # type: ignore[no-untyped-def]
    # Names and texts may come from the organisation's policy file: escaped like any user text.
    esc, block = _render.esc, _render.esc_block
    say(f"{_render.level(lv.level)}  [bold]{esc(lv.name)}[/]  (code caliber: {lv.code_caliber})")
    say(f"\n{block(lv.summary)}\n")
    say(f"[bold]Data[/]: {block(lv.data)}")
    say(f"[bold]Review focus[/]: {block(lv.review_focus)}")
    say(
        "[bold]Panel[/]: "
        + ", ".join(f"{esc(r.name)}{'' if r.required else ' (optional)'}" for r in lv.panel_roles)
    )
    say("[bold]Deliverables[/]:")
    for d in lv.deliverables:
        say(f"  - {esc(d)}")
    for dp in lv.decision_points:
        say(f"[bold]Decision[/] {dp.id}: {esc(dp.question)} " + " / ".join(esc(o.label) for o in dp.options))
    say("[bold]Gate criteria[/]:")
    for c in lv.criteria:
        say(f"  [{'cyan' if c.kind == 'evidence' else 'white'}]{c.id}[/] ({c.kind}) {block(c.text)}")
