"""Reading hand-written card sections from a Markdown or YAML file."""

from __future__ import annotations

import re
from pathlib import Path

from mltrl.cards.model import HANDWRITTEN, PEOPLE_AND_LINKS
from mltrl.errors import BadInput

#: Headings people naturally write, mapped to section ids.
ALIASES = {
    "tl-dr": "tldr",
    "model-algorithm-details": "model-details",
    "model-details": "model-details",
    "caveats-known-edge-cases-recommendations": "caveats",
    "key-assumptions": "assumptions",
    "metrics-and-results": "metrics",
    "metrics-results": "metrics",
    "data-considerations": "data-considerations",
}
KNOWN = (*HANDWRITTEN, *PEOPLE_AND_LINKS)
#: Sections the rendered card puts under a ``###`` heading (so a card's own Markdown reads back).
SUBSECTIONS = ("unacceptable-uses",)


def section_id(heading: str, extra: tuple[str, ...] = ()) -> str:
    """The section a heading names; ``extra``: the sections the organisation's policy adds."""
    slug = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")
    slug = ALIASES.get(slug, slug)
    if slug not in KNOWN and slug not in extra:
        raise BadInput(f"card section {heading!r} is not one of {', '.join((*KNOWN, *extra))}")
    return slug


def read_sections(path: Path, extra: tuple[str, ...] = ()) -> dict[str, str]:
    """``## Heading`` blocks of a Markdown file (and ``### Unacceptable uses``, printed so on the card),
    or a YAML mapping, as section id -> text."""
    from mltrl.userfiles import load_yaml, read_text, yaml_problem  # UTF-8, bounded size and aliases

    text = read_text(path, "card sections file")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            data = load_yaml(text)
        except yaml.YAMLError as exc:
            raise BadInput(f"{path}: not valid YAML: {yaml_problem(exc)}") from None
        if not isinstance(data, dict):
            raise BadInput(f"{path}: expected a mapping of card section to text")
        return {section_id(str(k), extra): "" if v is None else str(v).strip() for k, v in data.items()}
    return _markdown_sections(path, text, extra)


def _markdown_sections(path: Path, text: str, extra: tuple[str, ...]) -> dict[str, str]:
    """Split at the document's own ``##`` headings, found by markdown-it-py's parser, so a ``## ...``
    line inside a fenced code block, an HTML block or a block quote stays part of its section. A
    section's text is its source lines, verbatim (it is Markdown, rendered when the card is)."""
    from markdown_it import MarkdownIt

    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tokens = MarkdownIt("commonmark").parse(text)
    starts: list[tuple[str, int, int]] = []  # (section id, first line of the heading, first line after)
    for index, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.type.endswith("_close"):
            continue
        first = token.map[0] + 1
        heading = tokens[index + 1].content if token.type == "heading_open" else ""
        if token.tag == "h2" or (token.tag == "h3" and _subsection(heading, extra)):
            try:
                starts.append((section_id(heading, extra), token.map[0], token.map[1]))
            except BadInput as exc:
                raise BadInput(f"{path}:{first}: {exc.message}") from None
        elif not starts and token.tag != "h1" and token.type != "inline":
            raise BadInput(f"{path}:{first}: text before the first '## section' heading")
    if not starts:
        raise BadInput(f"{path}: no '## section' headings found")
    sections: dict[str, str] = {}
    for (section, _heading, body), after in zip(starts, [*starts[1:], None], strict=True):
        end = len(lines) if after is None else after[1]
        sections[section] = "\n".join(lines[body:end]).strip()
    return sections


def _subsection(heading: str, extra: tuple[str, ...]) -> bool:
    """A ``###`` heading starts a section only where the card itself prints one at that level
    (``### Unacceptable uses`` under ``## Intended use``); any other stays in its section's text."""
    try:
        return section_id(heading, extra) in SUBSECTIONS
    except BadInput:
        return False
