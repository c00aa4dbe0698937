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


def section_id(heading: str, extra: tuple[str, ...] = ()) -> str:
    """The section a heading names; ``extra``: the sections the organisation's policy adds."""
    slug = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")
    slug = ALIASES.get(slug, slug)
    if slug not in KNOWN and slug not in extra:
        raise BadInput(f"card section {heading!r} is not one of {', '.join((*KNOWN, *extra))}")
    return slug


def read_sections(path: Path, extra: tuple[str, ...] = ()) -> dict[str, str]:
    """``## Heading`` blocks of a Markdown file, or a YAML mapping, as section id -> text."""
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
    sections: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        heading = re.match(r"^##\s+(.+?)\s*#*\s*$", line)
        if heading:
            if current is not None:
                sections[current] = "\n".join(lines).strip()
            try:
                current = section_id(heading.group(1), extra)
            except BadInput as exc:
                raise BadInput(f"{path}:{number}: {exc.message}") from None
            lines = []
        elif current is not None:
            lines.append(line)
        elif line.strip() and not line.startswith("# "):
            raise BadInput(f"{path}:{number}: text before the first '## section' heading")
    if current is not None:
        sections[current] = "\n".join(lines).strip()
    if not sections:
        raise BadInput(f"{path}: no '## section' headings found")
    return sections
