"""``mltrl evidence ...`` and ``mltrl gate``: evidence on exact versions, and gates CI can run."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mltrl.cli import _render
from mltrl.cli._context import catalog, console, emit_json, reading, say, write_output, writing
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit
from mltrl.errors import BadInput, CheckFailed, NotFound

app = typer.Typer(no_args_is_help=True)
REF = typer.Argument(..., metavar="PROJECT/CODE", help="Component, e.g. recycling/1.1")
STATUS_STYLE = {"met": "green", "waived": "cyan", "stale": "yellow", "unmet": "red"}


@app.command("add")
def add(
    ref: str = REF,
    kind: str = typer.Option(
        ..., "--kind", "-k", help="test-run, metric, report, data-check, deployment-test or monitoring"
    ),
    outcome: str = typer.Option(..., "--outcome", "-o", help="pass or fail"),
    criterion: str | None = typer.Option(
        None, "--criterion", "-c", help="Gate criterion it backs, e.g. L7.golden-dataset"
    ),
    requirement: str | None = typer.Option(
        None, "--requirement", help="Requirement id of the V&V step it backs"
    ),
    step: int | None = typer.Option(None, "--step", help="V&V step number"),
    metric: list[str] = typer.Option([], "--metric", "-m", help="name=value, e.g. recall=0.93 (repeatable)"),
    metrics_file: Path | None = typer.Option(None, "--metrics-file", help="JSON object of metrics"),
    file: list[Path] = typer.Option([], "--file", "-f", help="Attach a file (stored by content hash)"),
    version: list[str] = typer.Option(
        [], "--version", help="kind=version it ran on (default: the current ones)"
    ),
    source: str = typer.Option("cli", "--source", help="cli, api, ci or pytest"),
    note: str = typer.Option("", "--note"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Record a check's result on the component's exact code, model and data versions.

    Example: `mltrl evidence add recycling/1.1 -k metric -o pass -c L7.golden-dataset -m recall=0.93`
    """
    metrics = _metrics(metric, metrics_file)
    versions = dict(_pair(v, "--version") for v in version) or None
    with writing() as reg:
        record = reg.evidence.record(
            ref,
            criterion,
            kind=kind,
            outcome=outcome,
            metrics=metrics,
            requirement=requirement,
            step=step,
            files=file,
            versions=versions,
            source=source,
            note=note,
        )
    if as_json:
        emit_json(record.to_json())
        return
    on = ", ".join(f"{k} {v}" for k, v in sorted(record.versions.items())) or "no registered versions"
    esc = _render.esc
    say(
        f"evidence [bold]{record.id}[/] ({esc(record.kind)}, {esc(record.outcome)}) "
        f"recorded for {esc(ref)} on {esc(on)}"
    )


@app.command("import")
def import_(
    ref: str = REF,
    path: Path = typer.Argument(..., metavar="FILE", help="A peer's result file"),
    criterion: str | None = typer.Option(
        None, "--criterion", "-c", help="Gate criterion it backs, e.g. L7.data-validation"
    ),
    requirement: str | None = typer.Option(
        None, "--requirement", help="Requirement id of the V&V step it backs"
    ),
    step: int | None = typer.Option(None, "--step", help="V&V step number"),
    tool: str = typer.Option(
        "auto", "--tool", "-t", help="auto, junit, deepchecks, great-expectations or evidently"
    ),
    source: str = typer.Option(
        "cli", "--source", help="cli (a person imports it) or ci (the pipeline that ran the tool)"
    ),
    as_json: bool = JSON_WRITE,
) -> None:
    """Record another tool's result file as evidence, keeping that tool's own verdict.

    Reads JUnit XML (pytest --junitxml and most test runners), Deepchecks suite/check JSON, Great
    Expectations 1.x validation results and Evidently report snapshots; the file is attached.
    Example: `mltrl evidence import recycling/1.2 gx.json -c L7.data-validation`
    """
    from mltrl.peers.record import import_file

    with writing() as reg:
        record, result = import_file(
            reg, ref, path, criterion=criterion, requirement=requirement, step=step, tool=tool, source=source
        )
    if as_json:
        emit_json(record.to_json())
        return
    esc = _render.esc
    verdict = "passed" if result.passed else "did not pass"
    counts = ", ".join(f"{n} {status}" for status, n in result.counts().items()) or "no items"
    say(
        f"evidence [bold]{record.id}[/] ({esc(record.kind)}, {esc(record.outcome)}) recorded for {esc(ref)}: "
        f"{esc(result.tool)} says {esc(result.title)!r} {verdict} ({esc(counts)})"
    )


@app.command("list")
def list_(ref: str = REF, fmt: Format = FORMAT, as_json: bool = JSON) -> None:
    """A component's evidence, with whether it is still fresh.

    Example: `mltrl evidence list recycling/1.1 --format csv`
    """
    from mltrl.service import lookup
    from mltrl.store import evidence_queries

    fmt = choose(fmt, as_json)
    with reading() as r:
        component = lookup.component(r, ref)
        rows = evidence_queries.evidence(r, component_id=component.id)
    if fmt != Format.TABLE:
        items = [e.to_json() for e in rows]
        emit(fmt, {"component": component.ref, "evidence": items}, items)
        return
    from rich.table import Table

    table = Table("id", "criterion / step", "kind", "outcome", "on versions", "fresh", "recorded")
    for e in rows:
        target = e.criterion_id or ""
        if e.requirement:
            target += f"{' / ' if target else ''}req {e.requirement} step {e.step_number}"
        table.add_row(
            str(e.id),
            *map(_render.esc, (target, e.kind, e.outcome)),
            _render.esc(", ".join(f"{k} {v}" for k, v in sorted(e.versions.items()))),
            "yes" if e.fresh else "[yellow]stale[/]",
            e.recorded_at.strftime("%Y-%m-%d"),
        )
    console().print(table)


@app.command("show")
def show(
    evidence_id: int = typer.Argument(..., metavar="ID", help="Evidence number (see `evidence list`)"),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """One piece of evidence with its metrics and attachments.

    Example: `mltrl evidence show 12 --json`
    """
    from mltrl.store import evidence_queries

    fmt = choose(fmt, as_json)
    with reading() as r:
        found = evidence_queries.evidence(r, evidence_id=evidence_id)
    if not found:
        raise NotFound(f"no evidence {evidence_id}")
    e = found[0]
    if fmt != Format.TABLE:
        emit(fmt, e.to_json())
        return
    esc = _render.esc
    say(
        f"[bold]evidence {e.id}[/] for {esc(e.ref)}: {esc(e.kind)}, {esc(e.outcome)}, "
        + ("fresh" if e.fresh else "[yellow]stale[/]")
    )
    on = ", ".join(f"{k} {v}" for k, v in sorted(e.versions.items())) or "no registered versions"
    say(f"  on {esc(on)}; {esc(e.source)} by {esc(e.recorded_by)} at {e.recorded_at.isoformat()}")
    for name, value in e.metrics.items():
        say(f"  {esc(name)} = {esc(value)}")
    for f in e.files:
        say(f"  file {esc(f['name'])} ({f['size']} bytes) sha256 {esc(f['sha256'])}")


@app.command("file")
def file_(
    sha256: str = typer.Argument(..., metavar="SHA256", help="The attachment's sha256 (see `evidence show`)"),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write it"),
) -> None:
    """Write an attached file back out.

    Example: `mltrl evidence file 3f7a...e2 -o confusion.png`
    """
    from mltrl.store import evidence_queries

    with reading() as r:
        content = evidence_queries.blob(r, sha256.lower())
    if content is None:
        raise NotFound(f"no attachment with sha256 {sha256}")
    write_output(output, content)
    say(f"wrote {_render.esc(output)} ({len(content)} bytes)")


def register_gate(root: typer.Typer) -> None:
    @root.command("gate", rich_help_panel="Evidence and cards")
    def gate(
        ref: str = REF,
        level: str | None = typer.Option(None, "--level", "-l", help="The gate at the end of this level"),
        upcoming: bool = typer.Option(False, "--next", help="The gate ahead (at the component's own level)"),
        fmt: Format = FORMAT,
        as_json: bool = JSON,
    ) -> None:
        """Evaluate a gate: met / unmet / stale / waived per criterion. Exit 1 when it does not hold.

        By default, the gate the component's level claims it passed (the end of the level below).

        Example, in CI: `mltrl gate recycling/1.1 --format csv` (one row per criterion)
        """
        from mltrl.domain.rules import parse_level
        from mltrl.gates import default_gate, evaluate_gate
        from mltrl.service import lookup

        if level is not None and upcoming:
            raise BadInput("give --level or --next, not both")
        fmt = choose(fmt, as_json)
        cat = catalog()
        with reading() as r:
            component = lookup.component(r, ref)
            chosen = (
                component.level
                if upcoming
                else (parse_level(level, "--level") if level is not None else default_gate(component))
            )
            if chosen is None:
                raise BadInput(f"{ref} is at level 0 and has passed no gate; use --next for the one ahead")
            result = evaluate_gate(r, cat, component, chosen)
        if fmt != Format.TABLE:
            data = result.to_json()
            emit(fmt, data, data["criteria"])
        else:
            say(
                f"[bold]{_render.esc(ref)}[/] (at level {result.component_level}): "
                f"gate at the end of level {result.level}"
                + (f", review {result.review_id}" if result.review_id else "")
            )
            for c in result.criteria:
                say(
                    f"  [{STATUS_STYLE[c.status]}]{c.status:<6}[/] {c.id} ({c.kind}): {_render.esc(c.reason)}"
                )
            say("[green]the gate holds[/]" if result.holds else "[red]the gate does not hold[/]")
        if not result.holds:
            failing = [c.id for c in result.criteria if c.status in ("unmet", "stale")]
            raise CheckFailed(f"{ref}: the level-{result.level} gate does not hold ({', '.join(failing)})")


def _pair(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise BadInput(f"{option} {text!r}: write name=value")
    return name.strip(), value.strip()


def _metrics(pairs: list[str], file: Path | None) -> dict[str, object]:
    metrics: dict[str, object] = {}
    if file is not None:
        from mltrl.userfiles import read_text

        try:
            loaded = json.loads(read_text(file, "metrics file"))
        except json.JSONDecodeError as exc:
            raise BadInput(f"{file}: not valid JSON (line {exc.lineno}): {exc.msg}") from None
        if not isinstance(loaded, dict):
            raise BadInput(f"{file}: expected a JSON object of metric name to value")
        metrics.update(loaded)
    for pair in pairs:
        name, value = _pair(pair, "--metric")
        metrics[name] = _number(value)
    return metrics


def _number(text: str) -> object:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text
