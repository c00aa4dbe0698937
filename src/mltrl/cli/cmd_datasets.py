"""``mltrl dataset ...``: data sets with versions, content hashes, datasheets and links."""

from __future__ import annotations

from pathlib import Path

import typer

from mltrl.cli._context import console, emit_json, read_yaml_mapping, reading, say, writing
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit
from mltrl.cli._render import esc, esc_block

app = typer.Typer(no_args_is_help=True)
KEY = typer.Argument(..., metavar="KEY", help="Data set key, e.g. biolab-pilot")


@app.command("add")
def add(
    project: str = typer.Argument(..., metavar="PROJECT", help="Project that registers it"),
    key: str = KEY,
    name: str = typer.Option(..., "--name", "-n"),
    kind: str = typer.Option(..., "--kind", "-k", help="real, synthetic, simulated, benchmark or sample"),
    source: str = typer.Option("", "--source"),
    owner: str = typer.Option("", "--owner"),
    sensitive: list[str] = typer.Option(
        [],
        "--sensitive",
        help="personal, health, biometric, financial, minors, location, protected-attributes or confidential",
    ),
    datasheet: Path | None = typer.Option(None, "--datasheet", help="YAML file with datasheet sections"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Register a data set (its datasheet sections: motivation ... maintenance).

    Example: `mltrl dataset add neuropath biolab-pilot --name "BioLab pilot slides" --kind real`
    """
    sections = _sections(datasheet) if datasheet else None
    with writing() as reg:
        record = reg.datasets.add(
            project, key, name, kind=kind, source=source, owner=owner, sensitive=sensitive, datasheet=sections
        )
    if as_json:
        emit_json(record.to_json())
        return
    say(f"registered data set [bold]{esc(record.key)}[/] ({esc(record.kind)})")


@app.command("version")
def version(
    key: str = KEY,
    version_: str = typer.Argument(..., metavar="VERSION", help="Semantic version"),
    path: Path | None = typer.Option(None, "--path", "-p", help="File or directory to hash (sha256)"),
    sha256: str | None = typer.Option(None, "--sha256"),
    uri: str | None = typer.Option(None, "--uri"),
    note: str = typer.Option("", "--note"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Register a version of a data set.

    Example: `mltrl dataset version biolab-pilot 1.0.0 --path slides/`
    """
    with writing() as reg:
        record = reg.datasets.add_version(key, version_, path=path, sha256=sha256, uri=uri, note=note)
    if as_json:
        emit_json(record.to_json())
        return
    latest = record.versions[-1]
    say(
        f"data set {esc(key)} version {esc(latest.version)}"
        + (f" (sha256 {esc(latest.sha256)})" if latest.sha256 else "")
    )


@app.command("link")
def link(
    key: str = KEY,
    ref: str = typer.Argument(..., metavar="PROJECT/CODE", help="The component that uses it"),
    role: str = typer.Option(..., "--role", help="train, validation, test, golden or reference"),
    version_: str | None = typer.Option(None, "--version", help="Pin the data set version used"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Link a data set to a component with the role it plays.

    Example: `mltrl dataset link biolab-pilot neuropath/1.1 --role validation --version 1.0.0`
    """
    with writing() as reg:
        reg.datasets.link(key, ref, role, version=version_)
        record = reg.datasets.get(key)
    if as_json:
        emit_json(record.to_json())
        return
    say(f"data set {esc(key)} linked to {esc(ref)} as {esc(role)}")


@app.command("datasheet")
def datasheet(
    key: str = KEY,
    file: Path = typer.Option(..., "--file", help="YAML file with datasheet sections to set"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Fill in or revise datasheet sections.

    Example: `mltrl dataset datasheet biolab-pilot --file datasheet.yaml`
    """
    sections = _sections(file)
    with writing() as reg:
        record = reg.datasets.update_datasheet(key, sections)
    if as_json:
        emit_json(record.to_json())
        return
    say(f"data set {esc(key)}: datasheet sections {esc(', '.join(sorted(sections)))} saved")


@app.command("demographics")
def demographics(
    key: str = KEY,
    file: Path = typer.Option(..., "--file", help="The data (CSV or Parquet)"),
    column: list[str] = typer.Option(..., "--column", "-c", help="A group column to count (repeatable)"),
    version: str | None = typer.Option(
        None, "--version", help="The data set version the file is (checked against its sha256)"
    ),
    as_json: bool = JSON_WRITE,
) -> None:
    """Count the rows of each group (sex, age band, region ...) and state them on the datasheet.

    The counts come from the data, so the card's ethics section states who is in it; fairness checks
    compare the groups named here.

    Example: `mltrl dataset demographics biolab-pilot --file pilot.csv -c sex -c site --version 1.0.0`
    """
    with writing() as reg:
        record = reg.datasets.count_demographics(key, file, column, version=version)
    if as_json:
        emit_json(record.to_json())
        return
    for entry in record.demographics:
        if entry["column"] in column:
            say(f"data set {esc(key)}: {esc(entry['column'])}: {esc(_groups(entry))}")


def _groups(entry: dict) -> str:  # type: ignore[type-arg]
    rows = max(entry["rows"], 1)
    return ", ".join(f"{group} {n} ({n / rows:.0%})" for group, n in entry["groups"].items())


@app.command("list")
def list_(
    project: str | None = typer.Option(
        None, "--project", "-p", metavar="PROJECT", help="Only this project's"
    ),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Data sets with their latest version and uses.

    Example: `mltrl dataset list --project neuropath --format csv`
    """
    from mltrl.service import lookup
    from mltrl.store import dataset_queries

    fmt = choose(fmt, as_json)
    with reading() as r:
        rows = dataset_queries.datasets(r, project_key=lookup.project(r, project).key if project else None)
    if fmt != Format.TABLE:
        items = [d.to_json() for d in rows]
        emit(fmt, {"datasets": items}, items)
        return
    from rich.table import Table

    table = Table("key", "name", "kind", "versions", "used by", "sensitive")
    for d in rows:
        table.add_row(
            esc(d.key),
            esc(d.name),
            esc(d.kind),
            esc(", ".join(v.version for v in d.versions)),
            esc(", ".join(f"{x.component} ({x.role})" for x in d.links)),
            esc(", ".join(d.sensitive)),
        )
    console().print(table)


@app.command("show")
def show(key: str = KEY, fmt: Format = FORMAT, as_json: bool = JSON) -> None:
    """A data set with its datasheet, versions and links.

    Example: `mltrl dataset show biolab-pilot --json`
    """
    fmt = choose(fmt, as_json)
    d = _dataset(key)
    if fmt != Format.TABLE:
        emit(fmt, d.to_json())
        return
    say(f"[bold]{esc(d.key)}[/] {esc(d.name)} ({esc(d.kind)}); registered by project {esc(d.project_key)}")
    sensitive = ", ".join(d.sensitive) or "none"
    say(f"  source: {esc(d.source or '-')}; owner: {esc(d.owner or '-')}; sensitive: {esc(sensitive)}")
    for v in d.versions:
        say(
            f"  version {esc(v.version)}"
            + (f" sha256 {esc(v.sha256[:12])}" if v.sha256 else "")
            + (f" {esc(v.note)}" if v.note else "")
        )
    for x in d.links:
        pinned = f" (version {esc(x.version)})" if x.version else ""
        say(f"  used by {esc(x.component)} as {esc(x.role)}{pinned}")
    for section, text in d.datasheet.items():
        say(f"  [bold]{esc(section)}[/]: {esc_block(text)}")
    for entry in d.demographics:
        say(
            f"  [bold]groups by {esc(entry['column'])}[/]: {esc(_groups(entry))} "
            f"— {esc(entry['counted_from'])}"
        )


def _dataset(key: str):  # type: ignore[no-untyped-def]
    from mltrl.errors import NotFound
    from mltrl.store import dataset_queries

    with reading() as r:
        found = dataset_queries.datasets(r, key=key)
    if not found:
        raise NotFound(f"no data set {key!r} (see `mltrl dataset list`)")
    return found[0]


def _sections(file: Path) -> dict[str, str]:
    return read_yaml_mapping(file, "datasheet section to text")
