"""Render a card: Markdown (stable, for git), standalone sanitised HTML (printable), and JSON."""

from __future__ import annotations

from functools import cache
from typing import Any

from mltrl.cards.model import Card


def to_json(card: Card) -> str:
    from mltrl.jsonout import dumps

    return dumps(card.model_dump(), indent=2) + "\n"  # strict: a stored NaN metric is null


def _text(value: str) -> str:
    return value.strip() or "_Not written yet._"


def to_markdown(card: Card) -> str:
    """Deterministic Markdown: the same registry state gives the same bytes, so git diffs mean something."""
    s = card.summary
    level = "not set" if s.level is None else f"{s.level} ({s.phase})"
    revisions = ", ".join(f"r{v.number} (level {v.level}, {v.created_at[:10]})" for v in s.previous_revisions)
    rows = [
        ("Technology name", s.technology_name),
        ("Technology id", s.technology_id),
        ("TRL", level + (f" — previous cards: {revisions}" if revisions else "")),
        ("Held back by", ", ".join(s.held_back_by_names or s.held_back_by) or "-"),
        ("How it got here", "; ".join(s.how_reached) or "-"),
        ("Versions", ", ".join(s.versions) or "-"),
        ("Recurring reviews", "; ".join(s.recurring_reviews) or "-"),
        ("Targets", "; ".join(s.targets) or "-"),
        ("Working group", "; ".join(s.working_group) or "-"),
        ("Hand-offs", "; ".join(s.handoffs) or "-"),
        ("R&D owner / reviewer", f"{s.rd_owner or '-'} / {s.rd_reviewer or '-'}"),
        ("Product owner / reviewer", f"{s.product_owner or '-'} / {s.product_reviewer or '-'}"),
        ("Component codes", ", ".join(s.component_codes) or "-"),
        ("Coupled components", "; ".join(s.coupled_components) or "-"),
        ("Links", " · ".join(f"[{k}]({v})" for k, v in s.links.items()) or "-"),
    ]
    out = [f"# TRL Card: {s.technology_name}", ""]
    if s.generated_at:  # the day only, so a card regenerated the same day stays byte-identical
        out += [f"_Generated {s.generated_at[:10]} from the registry._", ""]
    out += ["| | |", "|---|---|"]
    out += [f"| {label} | {_cell(value)} |" for label, value in rows]
    out += ["", "## TL;DR", "", _text(card.tldr), "", "## Top-level requirements", ""]
    if card.top_requirements:
        out += ["| id | kind | requirement | risk | V&V done |", "|---|---|---|---|---|"]
        out += [
            f"| {q.id} | {q.kind} | {_cell(q.statement)} | {q.risk:g} | {q.vv} |"
            for q in card.top_requirements
        ]
    else:
        out.append("_No requirements recorded._")
    out += ["", "## Model / algorithm details", "", _text(card.model_details)]
    out += [
        "",
        "## Intended use",
        "",
        _text(card.intended_use),
        "",
        "### Unacceptable uses",
        "",
        _text(card.unacceptable_uses),
    ]
    out += ["", "## Testing status", ""]
    if card.testing_status:
        out += ["| criterion | status | detail |", "|---|---|---|"]
        out += [f"| {t.criterion} | {t.status} | {_cell(t.detail)} |" for t in card.testing_status]
    else:
        out.append("_No evidence criteria behind the current level._")
    out += ["", "## Data considerations", "", _text(card.data_considerations), ""]
    if card.datasets:
        out += ["| data set | kind | versions | used as | sensitive |", "|---|---|---|---|---|"]
        out += [
            f"| {d.name} (`{d.key}`) | {d.kind} | {', '.join(d.versions) or '-'} | {', '.join(d.used_as)} | "
            f"{', '.join(d.sensitive) or '-'} |"
            for d in card.datasets
        ]
    out += ["", "## Ethics", "", _text(card.ethics)]
    out += [f"- {line}" for line in card.ethics_reviews]
    out += [f"- {line}" for line in card.ethics_facts]
    out += ["", "## Metrics and results", "", _text(card.metrics), ""]
    if card.metric_results:
        out += ["| metric | value | evidence | fresh |", "|---|---|---|---|"]
        out += [
            f"| {m.name} | {m.value} | {m.evidence} | {'yes' if m.fresh else 'stale'} |"
            for m in card.metric_results
        ]
    out += ["", "## Caveats, known edge cases, recommendations", "", _text(card.caveats)]
    out += ["", "## Key assumptions", "", _text(card.assumptions), ""]
    for section in card.custom_sections:  # the organisation's own sections, in its policy's order
        out += [f"## {section.title}", "", _text(section.text), ""]
    if card.policy_notes:
        out += ["## Organisation policy", ""] + [f"- {note}" for note in card.policy_notes] + [""]
    return "\n".join(out)


def to_html(card: Card) -> str:
    """A standalone page (no external assets) with every hand-written section sanitised."""
    template = _environment().get_template("card.html.j2")
    return template.render(card=card, md=_markdown_to_safe_html)


def _cell(value: Any) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")


@cache
def _environment():  # type: ignore[no-untyped-def]
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("mltrl.cards", "templates"), autoescape=select_autoescape(["j2", "html"])
    )


def _markdown_to_safe_html(text: str) -> str:
    """Hand-written Markdown to HTML: raw HTML is not rendered, and the result is cleaned by nh3."""
    import nh3
    from markupsafe import Markup

    return Markup(nh3.clean(_parser().render(text or "")))


@cache
def _parser():  # type: ignore[no-untyped-def]
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")
