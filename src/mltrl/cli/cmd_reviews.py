"""``mltrl review ...``: the gated review, the only way up a level; and ``mltrl ethics``."""

from __future__ import annotations

from pathlib import Path

import typer

from mltrl.cli import _render
from mltrl.cli._context import catalog, console, emit_json, reading, say, writing
from mltrl.cli._output import FORMAT, JSON, JSON_WRITE, Format, emit
from mltrl.cli._output import choose as choose_format  # `choose` is the command below
from mltrl.cli._render import esc, esc_block
from mltrl.errors import BadInput

app = typer.Typer(no_args_is_help=True)
ID = typer.Argument(..., metavar="ID", help="Review number (see `mltrl review list`)")


@app.command("open")
def open_(
    ref: str = typer.Argument(..., metavar="PROJECT/CODE", help="Component, e.g. recycling/1.1"),
    entry: bool | None = typer.Option(
        None,
        "--entry/--gate",
        help="Insist on an entry review (the component waits to enter) or on a gate review",
    ),
    from_review: int | None = typer.Option(
        None, "--from", metavar="N", help="Start from review N's panel and ethics answers (never its results)"
    ),
    file: Path | None = typer.Option(
        None, "--file", metavar="REVIEW.yaml", help="Record a whole review file (see `mltrl review template`)"
    ),
    as_json: bool = JSON_WRITE,
) -> None:
    """Open the gate review of a component at its current level (its entry review if it waits to enter).

    Example: `mltrl review open neuropath/1.1 --json` prints the review with its id
    """
    applied = None
    with writing() as reg:
        if from_review is None and file is None:
            review = reg.reviews.open(ref, entry=entry)
        else:
            applied = reg.reviews.apply(ref, file or {}, entry=entry, from_review=from_review)
            review = applied.review
    if as_json:
        _emit_review(review.id)
        return
    if applied is not None:
        from mltrl.cli.cmd_review_files import say_applied

        say_applied(applied, file)
        return
    if review.template.get("entry"):
        say(
            f"opened entry review [bold]{review.id}[/] of {esc(review.ref)}: the level-{review.level} gate, "
            f"into level {review.level + 1}"
        )
    else:
        say(f"opened review [bold]{review.id}[/] of {esc(review.ref)} at the level-{review.level} gate")
    say(f"next: `mltrl review show {review.id}` lists the panel roles, criteria and checklist to complete")


@app.command("panel")
def panel(
    review_id: int = ID,
    role: str = typer.Option(..., "--role", help="Panel role id of the level (see `review show`)"),
    person: str = typer.Option(..., "--person", help="Who fills it"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Put a person on the review panel in one of the level's roles.

    Example: `mltrl review panel 1 --role research-lead --person "G. Renard"`
    """
    with writing() as reg:
        reg.reviews.add_member(review_id, role, person)
    if as_json:
        _emit_review(review_id)
        return
    say(f"review {review_id}: {esc(person)} joins the panel as {esc(role)}")


@app.command("result")
def result(
    review_id: int = ID,
    criterion: str = typer.Argument(..., metavar="CRITERION", help="Criterion id, e.g. L4.real-data"),
    value: str = typer.Argument(..., metavar="RESULT", help="met, unmet, waived or not-applicable"),
    note: str = typer.Option(
        "", "--note", help="Evidence or reason (required to waive or mark not applicable)"
    ),
    as_json: bool = JSON_WRITE,
) -> None:
    """Record a gate criterion's result (it can be changed until the review is decided).

    Example: `mltrl review result 1 L4.real-data met --note "BioLab pilot, 212 slides"`
    """
    with writing() as reg:
        reg.reviews.record_result(review_id, criterion, value, note)
    if as_json:
        _emit_review(review_id)
        return
    say(f"review {review_id}: {esc(criterion)} {esc(value)}")


@app.command("ethics")
def ethics(
    review_id: int = ID,
    file: Path | None = typer.Option(None, "--file", help="YAML mapping of question id to answer"),
    question: str | None = typer.Option(None, "--question", help="One question id"),
    answer: str | None = typer.Option(None, "--answer", help="Its answer"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Answer the ethics checklist for this review (all questions must be answered to graduate).

    Example: `mltrl review ethics 1 --file answers.yaml`
    """
    answers = _answers(file, question, answer)
    with writing() as reg:
        reg.reviews.answer_ethics(review_id, answers)
    if as_json:
        _emit_review(review_id)
        return
    say(f"review {review_id}: {len(answers)} ethics answer(s) recorded")


@app.command("choose")
def choose(
    review_id: int = ID,
    point: str = typer.Argument(
        ..., metavar="POINT", help="Key decision point, e.g. research-path, continue-or-pause, go-no-go"
    ),
    option: str = typer.Argument(..., metavar="OPTION", help="The option chosen"),
    date: str | None = typer.Option(None, "--date", help="YYYY-MM-DD (a level-8 'go' needs one)"),
    note: str = typer.Option("", "--note"),
    as_json: bool = JSON_WRITE,
) -> None:
    """Record a key decision of the level.

    Example: `mltrl review choose 1 continue-or-pause continue`
    """
    with writing() as reg:
        reg.reviews.record_choice(review_id, point, option, on_date=date, note=note)
    if as_json:
        _emit_review(review_id)
        return
    say(f"review {review_id}: {esc(point)} = {esc(option)}" + (f" on {esc(date)}" if date else ""))


@app.command("sign")
def sign(
    review_id: int = ID,
    person: str = typer.Option(..., "--person", help="A panel member"),
    approve: bool = typer.Option(False, "--approve", help="Approve the graduation"),
    request_changes: bool = typer.Option(False, "--request-changes", help="Ask for specific tasks first"),
    task: list[str] = typer.Option(
        [], "--task", help="A task, optionally with a target after '=>', e.g. 'raise recall => >= 0.9'"
    ),
    note: str = typer.Option("", "--note"),
    ssh_key: Path | None = typer.Option(
        None,
        "--ssh-key",
        help="Also sign with this SSH private key (ssh-keygen -Y sign); it must be listed for --person "
        "in the allowed-signers file",
    ),
    as_json: bool = JSON_WRITE,
) -> None:
    """Sign the review: approve, or request changes with a list of tasks.

    The signature keeps a digest of what the review shows now; once that changes (a new version or
    evidence, a criterion's result, an ethics answer) it is "signed on different evidence" and may
    be made again.

    Example: `mltrl review sign 1 --person "G. Renard" --request-changes --task "raise recall => >= 0.9"`
    """
    if approve == request_changes:
        raise BadInput("sign with exactly one of --approve or --request-changes")
    tasks = [_task(text) for text in task]
    verdict = "approve" if approve else "request-changes"
    with writing() as reg:
        signature = None
        if ssh_key is not None:
            from mltrl import sshsig

            signature = sshsig.sign(ssh_key, reg.reviews.statement(review_id, person, verdict))
        reg.reviews.sign(review_id, person, verdict, tasks=tasks, note=note, ssh_signature=signature)
    if as_json:
        _emit_review(review_id)
        return
    say(f"review {review_id}: {esc(person)} {'approved' if approve else f'requested {len(tasks)} change(s)'}")


@app.command("decide")
def decide(
    review_id: int = ID,
    decision: str = typer.Argument(
        ...,
        metavar="DECISION",
        help="graduate, tasks, switchback, pause, or stay (decided, stays at this level: level-2 more "
        "research, level-8 no-go, level-9 keep)",
    ),
    to: str | None = typer.Option(None, "--to", help="Level to switch back to"),
    reason: str = typer.Option("", "--reason", "-r"),
    debrief: str = typer.Option("", "--debrief", help="Debrief / post-mortem note kept with the review"),
    fork_key: str | None = typer.Option(
        None, "--fork-key", help="New project when the level-2 path is 'both'"
    ),
    as_json: bool = JSON_WRITE,
) -> None:
    """Decide the review; 'graduate' moves the component up one level (or admits it, on an entry review).

    A decided review never changes.

    Example: `mltrl review decide 1 graduate --reason "every criterion met; panel approved"`
    """
    from mltrl.domain.rules import parse_level

    with writing() as reg:
        review = reg.reviews.decide(
            review_id,
            decision,
            to_level=None if to is None else parse_level(to, "--to"),
            reason=reason,
            debrief=debrief,
            fork_key=fork_key,
        )
        component = reg.components.get(review.ref)
        view = reg.reviews.get(review_id)
        outcome = view.outcome
    if as_json:
        emit_json({**view.to_json(), "component": component.to_json()})
        return
    say(
        f"review {review_id} decided: {esc(outcome)}; "
        f"{esc(review.ref)} is at {_render.level(component.level)} "
        f"({component.status})"
    )


@app.command("list")
def list_(
    target: str | None = typer.Argument(
        None, metavar="[PROJECT[/CODE]]", help="A project or a component (default: every review)"
    ),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """List reviews, newest last.

    Example: `mltrl review list recycling --format csv`
    """
    from mltrl.service import lookup
    from mltrl.store import review_queries

    fmt = choose_format(fmt, as_json)
    with reading() as r:
        if target is None:
            rows = review_queries.reviews(r)
        elif "/" in target:
            rows = review_queries.reviews(r, component_id=lookup.component(r, target).id)
        else:
            rows = review_queries.reviews(r, project_key=lookup.project(r, target).key)
    if fmt != Format.TABLE:
        items = [row.to_json() for row in rows]
        emit(fmt, {"reviews": items}, items)
        return
    from rich.table import Table

    table = Table("id", "component", "gate", "status", "decision", "opened", "decided")
    for row in rows:
        table.add_row(
            str(row.id),
            esc(row.ref),
            f"L{row.level}",
            esc(row.status),
            esc(row.decision or ""),
            _render.when(row.opened_at),
            _render.when(row.decided_at) if row.decided_at else "",
        )
    console().print(table)


@app.command("show")
def show(review_id: int = ID, fmt: Format = FORMAT, as_json: bool = JSON) -> None:
    """A review: panel, criteria, ethics, key decisions, signatures, what blocks graduation, and context.

    Example: `mltrl review show 1 --format csv` (one row per gate criterion with its result)
    """
    from mltrl.views.review import review_view

    fmt = choose_format(fmt, as_json)
    cat = catalog()
    with reading() as r:
        view = review_view(r, review_id, cat, _signers(cat))
    if fmt != Format.TABLE:
        emit(fmt, view.to_json(), _criteria_rows(view))
        return
    _print_review(view)


def register_ethics(root: typer.Typer) -> None:
    ethics_app = typer.Typer()
    root.add_typer(
        ethics_app,
        name="ethics",
        help="The organisation's ethics checklist, answered at every review.",
        rich_help_panel="Reviews",
    )

    @ethics_app.callback(invoke_without_command=True)
    def ethics_checklist(ctx: typer.Context, fmt: Format = FORMAT, as_json: bool = JSON) -> None:
        """The organisation's ethics checklist, answered at every review.

        Example: `mltrl ethics --format csv` (one row per question)
        """
        if ctx.invoked_subcommand is not None:
            return
        fmt = choose_format(fmt, as_json)
        checklist = catalog().ethics
        if fmt != Format.TABLE:
            data = checklist.to_json()
            rows = [
                {"section": section["id"], **question}
                for section in data["sections"]
                for question in section["questions"]
            ]
            emit(fmt, data, rows)
            return
        for section in checklist.sections:
            say(f"[bold]{esc(section.title)}[/] ({esc(section.id)})")
            for q in section.questions:
                say(f"  [cyan]{esc(q.id)}[/] {esc_block(q.text)}")

    from mltrl.cli import cmd_review_files

    cmd_review_files.register_ethics(ethics_app)


def _emit_review(review_id: int) -> None:
    """A write command's ``--json``: the review as `review show --json` prints it, id included."""
    from mltrl.views.review import review_view

    cat = catalog()
    with reading() as r:
        emit_json(review_view(r, review_id, cat, _signers(cat)).to_json())


def _signers(cat) -> Path | None:  # type: ignore[no-untyped-def]
    """The allowed-signers file SSH signatures are checked against (docs/trust.md)."""
    from mltrl import sshsig
    from mltrl.cli._context import settings
    from mltrl.store.location import locate

    return sshsig.allowed_signers(cat.settings.ssh_allowed_signers, locate(settings.db).home)


def _criteria_rows(view) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    """The review's gate criteria, one row each with the result recorded (empty when none yet)."""
    results = {row["criterion_id"]: row for row in view.details["results"]}
    return [
        {
            "review": view.record.id,
            "criterion": c.id,
            "kind": c.kind,
            "result": results.get(c.id, {}).get("result"),
            "note": results.get(c.id, {}).get("note"),
        }
        for c in view.template.criteria
    ]


def _answers(file: Path | None, question: str | None, answer: str | None) -> dict[str, str]:
    if file is not None:
        from mltrl.service.review_file import read_answers

        return read_answers(file)
    if question is None or answer is None:
        raise BadInput("give --file answers.yaml, or both --question and --answer")
    return {question: answer}


def _task(text: str) -> dict[str, str]:
    task, _, target = text.partition("=>")
    return {"task": task.strip(), "target": target.strip()} if target.strip() else {"task": task.strip()}


def _print_review(view) -> None:  # type: ignore[no-untyped-def]
    rec, t, d = view.record, view.template, view.details
    kind = (
        f"entry review into level {rec.level + 1} (the level-{rec.level} gate)"
        if view.entry
        else (f"at the level-{rec.level} gate")
    )
    say(f"[bold]review {rec.id}[/]: {esc(rec.ref)} {kind}, {esc(view.outcome)}")
    if rec.status == "superseded":
        say(f"  {esc(rec.decision_reason)}")
    opened = f"opened {_render.when(rec.opened_at)} by {esc(rec.opened_by)}"
    say(f"  {opened}; owner of the work: {esc(view.owner or '-')}")
    members = {}
    for row in d["panel"]:
        members.setdefault(row["role"], []).append(row["person"])
    signed = {row["person"]: row for row in d["signatures"]}
    say("[bold]Panel[/]")
    for role in t.roles:
        people = members.get(role.id, [])
        shown = esc(
            ", ".join(f"{p} ({signed[p]['verdict']})" if p in signed else f"{p} (not signed)" for p in people)
        )
        say(f"  {esc(role.id)}{'' if role.required else ' (optional)'}: {shown or '[red]nobody[/]'}")
    results = {row["criterion_id"]: row for row in d["results"]}
    say("[bold]Criteria[/]")
    for c in t.criteria:
        row = results.get(c.id)
        mark = esc(row["result"]) if row else "[red]no result[/]"
        say(f"  {esc(c.id)} ({c.kind}): {mark}{' - ' + esc(row['note']) if row and row['note'] else ''}")
    say(f"[bold]Ethics checklist[/]: {len(d['ethics'])} of {len(t.ethics)} answered")
    for p in t.points:
        chosen = next((row for row in d["choices"] if row["point_id"] == p.id), None)
        say(
            f"[bold]Key decision[/] {esc(p.id)}: "
            + (
                esc(chosen["option_id"]) + (f" on {esc(chosen['on_date'])}" if chosen["on_date"] else "")
                if chosen
                else "[red]not recorded[/] (" + esc(" / ".join(p.options)) + ")"
            )
        )
    for row in d["signatures"]:
        _print_signature(row)
    for row in d["signatures"]:
        for task in row["tasks"]:
            say(
                f"  task from {esc(row['person'])}: {esc(task['task'])}"
                + (f" (target {esc(task['target'])})" if task.get("target") else "")
            )
    _print_context(view.context)
    if rec.status == "open":
        if view.blockers:
            say("[bold red]Cannot graduate yet[/]:")
            for b in view.blockers:
                say(f"  - {esc(b)}")
        elif rec.level == 9 and not view.entry:
            say(f"[bold green]Passes[/]: `mltrl review decide {rec.id} stay` keeps it deployed")
        else:
            say(f"[bold green]Ready[/]: `mltrl review decide {rec.id} graduate`")
    if rec.debrief:
        say(f"[bold]Debrief[/]: {esc_block(rec.debrief)}")


def _print_signature(row: dict) -> None:  # type: ignore[type-arg]
    """One line per signature: whether it still matches what the review shows, and its SSH key."""
    status = row.get("status", "matches")
    color = "green" if status == "matches" else "yellow" if row.get("matches") is None else "red"
    text = f"  signature of {esc(row['person'])} ({esc(row['verdict'])}): [{color}]{esc(status)}[/]"
    if row.get("changes") and status != "matches":
        text += f" - {esc('; '.join(row['changes']))}"
    ssh = row.get("ssh")
    if ssh:
        text += (
            f"; SSH key {esc(ssh['key'])} [green]verified[/]"
            if ssh["verified"]
            else f"; SSH signature [red]not verified[/]: {esc(ssh['problem'])}"
        )
    say(text)


def _print_context(context: dict) -> None:  # type: ignore[type-arg]
    """What the level asks the panel to look at, in readable lines."""
    if context.get("requirements"):
        say("[bold]Requirements of this component[/]")
        for q in context["requirements"]:
            say(f"  {esc(q['id'])} ({esc(q['kind'])}, risk {q['risk']:g}) {esc(q['statement'])}")
            for step in q["vv"]:
                say(f"      {esc(step)}")
    if context.get("datasets"):
        say("[bold]Data sets used[/]")
        for d in context["datasets"]:
            say(
                f"  {esc(d['dataset_key'])} ({esc(d['dataset_kind'])}) as {esc(d['role'])}"
                + (f", version {esc(d['version'])}" if d["version"] else "")
            )
    if "research_requirements" in context:
        say(f"[bold]Research requirements of the project[/]: {len(context['research_requirements'])}")
        for q in context["research_requirements"]:
            say(f"  {esc(q['id'])} {esc(q['statement'])} - V&V: {esc('; '.join(q['vv']) or 'none yet')}")
    if "real_data_linked" in context:
        say(
            "[bold]Real data linked[/]: "
            + (
                "yes"
                if context["real_data_linked"]
                else "[red]no[/] (level 4 needs real, representative data)"
            )
        )
    if "research_vv_complete" in context:
        say(
            "[bold]Level-2 V&V complete[/]: "
            + (
                "yes"
                if context["research_vv_complete"]
                else "[red]no[/] - open: "
                + esc(", ".join(context["research_vv_open"]) or "no research requirements")
            )
        )
        say(
            "[bold]Product requirements[/]: "
            + (esc(", ".join(context["product_requirements"])) or "[red]none yet[/]")
        )
    if context.get("alerts"):
        say(f"[bold]Monitoring alerts before this review[/]: {len(context['alerts'])}")
        for alert in context["alerts"]:
            state = (
                f"acknowledged by {esc(alert['acknowledged_by'])}"
                if alert["acknowledged_by"]
                else "[red]open[/]"
            )
            say(
                f"  alert {alert['id']} ({esc(alert['kind'])}, {esc(alert['created_at'][:10])}): "
                f"{esc(alert['message'])} - {state}"
            )
    if "deployment_setting" in context:
        setting = context["deployment_setting"]
        say(
            "[bold]Deployment setting[/]: "
            + ", ".join(
                f"{esc(k.split('-')[-1])} {esc(v) if v else '[red]not decided[/]'}"
                for k, v in setting.items()
            )
        )


@app.command("due")
def due(
    project: str | None = typer.Argument(
        None, metavar="[PROJECT]", help="Project key; every project when left out"
    ),
    fmt: Format = FORMAT,
    as_json: bool = JSON,
) -> None:
    """Deployed components and when their recurring review is due (exit 1 when any is overdue).

    Example, in a scheduled CI job: `mltrl review due || notify-the-owners`.
    """
    fmt = choose_format(fmt, as_json)
    from mltrl.errors import CheckFailed
    from mltrl.service import inputs, lookup
    from mltrl.views.cadence import schedule

    every = catalog().settings.review_every_days
    with reading() as r:
        key = lookup.project(r, project).key if project else None
        rows = schedule(r, every, inputs.now(), key)
    overdue = [d.ref for d in rows if d.overdue]
    if fmt != Format.TABLE:
        items = [d.to_json() for d in rows]
        emit(fmt, {"default_every_days": every, "components": items}, items)
    elif not rows:
        say("no deployed components")
    else:
        from rich.table import Table

        table = Table("component", "every", "since", "due", "", box=None, pad_edge=False)
        for d in rows:
            mark = "[bold red]overdue[/]" if d.overdue else ""
            table.add_row(
                esc(d.ref), f"{d.every_days} d", _render.when(d.since), _render.when(d.due_at), mark
            )
        console().print(table)
    if overdue:
        raise CheckFailed(
            f"recurring review overdue: {', '.join(overdue)} (open one: `mltrl review open REF`)"
        )


# `review template` lives with the other review-file commands.
from mltrl.cli import cmd_review_files  # noqa: E402

cmd_review_files.register_review(app)
