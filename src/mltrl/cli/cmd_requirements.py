"""``mltrl req ...`` (requirements with V&V) and ``mltrl risk``."""

from __future__ import annotations

from pathlib import Path

import typer

from mltrl.cli import _render
from mltrl.cli._context import console, emit_json, reading, say, write_output, writing
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, choose, emit
from mltrl.cli._render import esc

app = typer.Typer(no_args_is_help=True)
vv_app = typer.Typer(no_args_is_help=True)
app.add_typer(vv_app, name="vv", help="Verification and validation steps of a requirement.")
PROJECT = typer.Argument(..., metavar="PROJECT", help="Project key")
CODE = typer.Argument(
    ..., metavar="ID", help="Requirement id: N, N.M or N.M.K (requirement.subset.component)"
)


@app.command("add")
def add(
    project: str = PROJECT,
    code: str = CODE,
    statement: str = typer.Option(..., "--statement", "-s", help="What the system shall do"),
    kind: str = typer.Option(..., "--kind", "-k", help="research (from level 2) or product (from level 5)"),
    p_failure: str = typer.Option(..., "--p", help="Probability of failing it, 0-1"),
    value: str = typer.Option(..., "--value", help="What is at stake if it fails, 1-10"),
    category: str = typer.Option(
        ...,
        "--category",
        help="science, technical, product, project, security, privacy, ethics or sim-to-real",
    ),
    rationale: str = typer.Option("", "--rationale"),
    stakeholder: str = typer.Option("", "--stakeholder"),
    component: list[str] = typer.Option([], "--component", "-c", help="Linked component PROJECT/CODE"),
    scenario: list[str] = typer.Option([], "--scenario", help="A critical scenario tests must cover"),
    data_slice: list[str] = typer.Option([], "--slice", help="A data slice tests must cover"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Add a requirement with its risk (risk = p x value).

    Example: `mltrl req add neuropath 1.1 -s "The model shall flag tumour regions" -k research --p 0.3
    --value 8 --category science -c neuropath/1.1`
    """
    with writing() as reg:
        q = reg.requirements.add(
            project,
            code,
            statement,
            kind=kind,
            p_failure=p_failure,
            value=value,
            category=category,
            rationale=rationale,
            stakeholder=stakeholder,
            components=component,
            scenarios=scenario,
            slices=data_slice,
        )
    if as_json:
        emit_json(q.to_json())
        return
    say(f"requirement {esc(q.code)} added to {esc(project)} (risk {q.risk:g})")


@app.command("link")
def link(
    project: str = PROJECT,
    code: str = CODE,
    ref: str = typer.Argument(..., metavar="PROJECT/CODE", help="The component"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Link a requirement to a component.

    Example: `mltrl req link neuropath 1.1 neuropath/4.2`
    """
    with writing() as reg:
        reg.requirements.link(project, code, ref)
    if as_json:
        emit_json(_requirement(project, code).to_json())
        return
    say(f"requirement {esc(code)} linked to {esc(ref)}")


@app.command("list")
def list_(project: str = PROJECT, fmt: Format = FORMAT, as_json: bool = JSON) -> None:
    """A project's requirements with V&V progress and risk.

    Example: `mltrl req list neuropath --format csv`
    """
    fmt = choose(fmt, as_json)
    rows = _requirements(project)
    if fmt != Format.TABLE:
        items = [q.to_json() for q in rows]
        emit(fmt, {"project": project, "requirements": items}, items)
        return
    from rich.table import Table

    table = Table("id", "kind", "statement", "risk", "V&V", "components")
    for q in rows:
        done = sum(s.status in ("passed", "waived") for s in q.steps)
        table.add_row(
            *map(esc, (q.code, q.kind, q.statement)),
            f"{q.risk:g}",
            f"{done}/{len(q.steps)}",
            esc(", ".join(q.components)),
        )
    console().print(table)


@app.command("show")
def show(project: str = PROJECT, code: str = CODE, fmt: Format = FORMAT, as_json: bool = JSON) -> None:
    """One requirement with its V&V steps.

    Example: `mltrl req show neuropath 1.1 --format csv` (one row per V&V step)
    """
    fmt = choose(fmt, as_json)
    q = _requirement(project, code)
    if fmt != Format.TABLE:
        data = q.to_json()
        emit(fmt, data, [{"requirement": q.code, **step} for step in data["steps"]])
        return
    say(f"[bold]{esc(q.code)}[/] ({esc(q.kind)}, {esc(q.category)}) {esc(q.statement)}")
    say(f"  risk {q.risk:g} = p {q.p_failure:g} x value {q.value}; stakeholder: {esc(q.stakeholder or '-')}")
    for label, value in (
        ("rationale", q.rationale),
        ("components", ", ".join(q.components)),
        ("critical scenarios", "; ".join(q.scenarios)),
        ("data slices", "; ".join(q.slices)),
    ):
        if value:
            say(f"  {label}: {esc(value)}")
    for s in q.steps:
        say(
            f"  {s.number}. {esc(s.kind)} by {esc(s.method)}: [bold]{esc(s.status)}[/] {esc(s.description)}"
            + _step_note(s.status, s.waive_reason)
        )


def _step_note(status: str, reason: str) -> str:
    """Why a step has its status: a waiver's reason, or what set it (e.g. "evidence 3")."""
    if not reason:
        return ""
    return f" (waived: {esc(reason)})" if status == "waived" else f" ({esc(reason)})"


@app.command("export")
def export(
    project: str = PROJECT,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of standard output"),
) -> None:
    """The requirements document (Markdown) with its V&V table.

    Example: `mltrl req export neuropath -o docs/requirements.md`
    """
    from mltrl.service import inputs, lookup
    from mltrl.store import requirement_queries
    from mltrl.views.requirements_doc import requirements_markdown

    with reading() as r:
        record = lookup.project(r, project)
        text = requirements_markdown(record, requirement_queries.requirements(r, record.key), inputs.now())
    if output is None:
        print(_render.terminal_text(text), end="")
    else:
        write_output(output, text)
        say(f"wrote {_render.esc(output)}")


@vv_app.command("add")
def vv_add(
    project: str = PROJECT,
    code: str = CODE,
    kind: str = typer.Option(..., "--kind", "-k", help="verification or validation"),
    method: str = typer.Option(..., "--method", "-m", help="test, analysis, inspection or demonstration"),
    description: str = typer.Option(..., "--description", "-d"),
    status: str = typer.Option("planned", "--status", help="planned, passed or failed"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Add a verification or validation step.

    Example: `mltrl req vv add neuropath 1.1 -k verification -m test -d "golden slides, recall >= 0.9"`
    """
    with writing() as reg:
        number = reg.requirements.add_step(project, code, kind, description, method=method, status=status)
    if as_json:
        emit_json(_step(project, code, number))
        return
    say(f"requirement {esc(code)}: {esc(kind)} step {number} added")


@vv_app.command("set")
def vv_set(
    project: str = PROJECT,
    code: str = CODE,
    step: int = typer.Argument(..., metavar="STEP", help="Step number"),
    status: str = typer.Argument(..., metavar="STATUS", help="planned, passed, failed or waived"),
    reason: str = typer.Option("", "--reason", "-r", help="Required to waive"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Set a V&V step's status.

    Example: `mltrl req vv set neuropath 1.1 1 waived --reason "covered by the level-5 study"`
    """
    with writing() as reg:
        reg.requirements.set_step(project, code, step, status, reason=reason)
    if as_json:
        emit_json(_step(project, code, step))
        return
    say(f"requirement {esc(code)} step {step}: {esc(status)}")


def register_risk(root: typer.Typer) -> None:
    @root.command("risk", rich_help_panel="Requirements and data")
    def risk(project: str = PROJECT, fmt: Format = FORMAT, as_json: bool = JSON) -> None:
        """Requirements ranked by risk = p(failure) x value, and the likelihood x impact matrix.

        Example: `mltrl risk neuropath --format csv` (one row per requirement, highest risk first)
        """
        from mltrl.service import lookup
        from mltrl.store import evidence_queries, requirement_queries
        from mltrl.views.risk import IMPACT, LIKELIHOOD, risk_report

        fmt = choose(fmt, as_json)
        with reading() as r:
            key = lookup.project(r, project).key
            evidence = evidence_queries.evidence(r, project_key=key)
            report = risk_report(key, requirement_queries.requirements(r, key), evidence)
        if fmt != Format.TABLE:
            data = report.to_json()
            emit(fmt, data, data["ranked"])
            return
        from rich.table import Table

        measured = ["measured"] if report.measured else []
        ranked = Table(
            "rank",
            "id",
            "risk",
            "p",
            "value",
            "category",
            "statement",
            *measured,
            title=f"Risks of {esc(key)}",
        )
        for rank, q in enumerate(report.ranked, 1):
            ranked.add_row(
                str(rank),
                esc(q.code),
                f"{q.risk:g}",
                f"{q.p_failure:g}",
                str(q.value),
                *map(esc, (q.category, q.statement)),
                *([esc(report.measured.get(q.code, ""))] if measured else []),
            )
        console().print(ranked)
        matrix = Table("likelihood \\ impact", *IMPACT, title="Likelihood x impact")
        for band in reversed(range(len(LIKELIHOOD))):
            matrix.add_row(LIKELIHOOD[band], *[esc(", ".join(cell)) for cell in report.matrix[band]])
        console().print(matrix)


def _requirement(project: str, code: str):  # type: ignore[no-untyped-def]
    from mltrl.errors import NotFound

    found = [q for q in _requirements(project) if q.code == code]
    if not found:
        raise NotFound(f"no requirement {code!r} in project {project!r}")
    return found[0]


def _step(project: str, code: str, number: int) -> dict:  # type: ignore[type-arg]
    """A V&V step as JSON, with the requirement it belongs to."""
    data = _requirement(project, code).to_json()
    (step,) = [s for s in data["steps"] if s["number"] == number]
    return {"project": project, "requirement": data["code"], **step}


def _requirements(project: str):  # type: ignore[no-untyped-def]
    from mltrl.service import lookup
    from mltrl.store import requirement_queries

    with reading() as r:
        return requirement_queries.requirements(r, lookup.project(r, project).key)
