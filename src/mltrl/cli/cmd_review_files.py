"""Review files on the command line: ``mltrl review template``, ``mltrl ethics template``, and what
``mltrl review open --file/--from`` says it recorded.

The files themselves (schema, reading, writing) live in :mod:`mltrl.service.review_file` and
:mod:`mltrl.service.review_skeleton`; this module only registers the commands and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mltrl.cli import _render
from mltrl.cli._context import catalog, reading, say
from mltrl.cli._render import esc
from mltrl.errors import BadInput

if TYPE_CHECKING:
    from mltrl.service.review_prefill import AppliedReview

OUTPUT = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to FILE (default: print it)")
FORCE = typer.Option(False, "--force", help="Replace FILE if it exists")


def register_review(app: typer.Typer) -> None:
    app.command("template")(template)


def register_ethics(ethics_app: typer.Typer) -> None:
    ethics_app.command("template")(ethics_template)


def template(
    ref: str = typer.Argument(..., metavar="PROJECT/CODE", help="The component to review"),
    output: Path | None = OUTPUT,
    force: bool = FORCE,
) -> None:
    """Write a review file to fill in for the component's next gate: roles, criteria, checklist, options.

    Example: `mltrl review template vision/1.1 -o review.yaml`, fill it in, then
    `mltrl review open vision/1.1 --file review.yaml`
    """
    from mltrl.domain.model import Status
    from mltrl.service import lookup
    from mltrl.service.review_skeleton import review_template

    with reading() as r:
        component = lookup.component(r, ref)
        traits = lookup.project(r, component.project_key).traits
    if component.status not in (Status.ACTIVE, Status.ENTERING):
        raise BadInput(f"{component.ref} is {component.status}; only an active component can be reviewed")
    entering = component.status == Status.ENTERING
    gate = component.level - 1 if entering else component.level
    _write_template(
        review_template(catalog(), component.ref, gate, entry=entering, traits=traits), output, force
    )


def ethics_template(output: Path | None = OUTPUT, force: bool = FORCE) -> None:
    """Write the checklist as YAML to fill in: each question's text as a comment, an empty answer.

    Example: `mltrl ethics template -o ethics.yaml`, fill it in, then
    `mltrl review ethics 1 --file ethics.yaml`
    """
    from mltrl.service.review_skeleton import ethics_template as render

    _write_template(render(catalog()), output, force)


def _write_template(text: str, output: Path | None, force: bool) -> None:
    if output is None:
        import sys

        sys.stdout.write(text)
        return
    from mltrl.cli._context import write_output

    # A template is filled in where it was written: writing it again must not wipe the answers.
    if output.exists() and not output.is_dir() and not force:
        raise BadInput(f"{output}: exists (it may hold answers already); choose another file or add --force")
    write_output(output, text)
    say(f"wrote {esc(str(output))}: fill it in, empty values are left unrecorded")


def say_applied(applied: AppliedReview, file: Path | None) -> None:
    """What `review open --from/--file` opened, recorded, left out and decided."""
    review = applied.review
    kind = "entry review" if review.template.get("entry") else "review"
    sources = [f"review {applied.copied_from}"] if applied.copied_from is not None else []
    sources += [str(file)] if file is not None else []
    say(
        f"opened {kind} [bold]{review.id}[/] of {esc(review.ref)} at the level-{review.level} gate "
        f"from {esc(' and '.join(sources))}"
    )
    recorded = [
        f"{n} {what}"
        for n, what in (
            (applied.panel, "panel member(s)"),
            (applied.results, "result(s)"),
            (applied.ethics, "ethics answer(s)"),
            (applied.key_decisions, "key decision(s)"),
            (applied.signatures, "signature(s)"),
        )
        if n
    ]
    say(f"  recorded: {esc(', '.join(recorded) or 'nothing')}")
    for item in applied.left_out:
        say(f"  left out: {esc(item)}")
    if applied.decision is None:
        say(f"next: `mltrl review show {review.id}` lists what is still missing")
        return
    from mltrl.service import lookup
    from mltrl.views.review import review_view

    with reading() as r:
        component = lookup.component(r, review.ref)
        outcome = review_view(r, review.id, catalog()).outcome
    say(
        f"review {review.id} decided: {esc(outcome)}; {esc(review.ref)} is at "
        f"{_render.level(component.level)} ({component.status})"
    )
