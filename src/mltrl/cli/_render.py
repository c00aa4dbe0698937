"""Rich renderings shared by several commands, and the escaping of user text inside them.

Every command prints with Rich markup (``[bold]...[/]``), so any text a user typed
(names, reasons, notes, actors, file names, column names of their data ...) must pass
through :func:`esc` before it is put into a markup string, a table cell or a tree label:
otherwise a name holding ``[/x]`` crashes the command (after its write was saved) and every
later read of it, and ``[link=...]`` or a terminal escape sequence could dress up output.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from mltrl.domain.model import phase_of

if TYPE_CHECKING:
    from rich.tree import Tree

    from mltrl.views.status import ProjectStatus, StatusNode

PHASE_STYLE = {
    "research": "magenta",
    "prototyping": "yellow",
    "productization": "cyan",
    "deployment": "green",
}
STATUS_STYLE = {"active": "", "paused": "yellow", "retired": "dim", "entering": "magenta"}

# C0 controls (but tab), DEL, C1 controls (0x9b alone starts a CSI sequence on some terminals),
# and the Unicode bidirectional overrides and isolates that can reorder what a line appears to say.
_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r"}.get(char) or (
        f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    )


def esc(value: object) -> str:
    """User text made safe inside Rich markup, on one line: markup escaped, controls shown as ``\\xNN``.

    A newline becomes a visible ``\\n``, so an actor or a reason can never forge a line of
    ``history``; an escape sequence (``\\x1b[2J``) is shown, not obeyed.
    """
    from rich.markup import escape

    return escape(_CONTROLS.sub(_visible, str(value)))


def terminal_text(text: str) -> str:
    """A plain document (Markdown, not Rich markup) for standard output: controls shown, lines kept."""
    return _LINE_CONTROLS.sub(_visible, text.replace("\r\n", "\n"))


def esc_block(value: object) -> str:
    """Like :func:`esc` for multi-line text (a debrief, a card section): keeps its line breaks."""
    from rich.markup import escape

    return escape(_LINE_CONTROLS.sub(_visible, str(value).replace("\r\n", "\n")))


def level(value: int | None) -> str:
    if value is None:
        return "[dim]-[/dim]"
    phase = phase_of(value)
    return f"[bold {PHASE_STYLE[phase]}]L{value}[/] [{PHASE_STYLE[phase]}]{phase}[/]"


def when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def status_tree(status: ProjectStatus) -> Tree:
    from rich.tree import Tree

    project = status.project
    system = level(status.system_level)
    title = f"[bold]{esc(project.key)}[/] {esc(project.name)}  system TRL {system}"
    if project.parent_key:
        title += f"  [dim](fork of {esc(project.parent_key)})[/]"
    tree = Tree(title)

    def add(branch: Tree, node: StatusNode) -> None:
        c = node.component
        style = STATUS_STYLE.get(c.status, "")
        line = f"[bold]{esc(c.code)}[/] {esc(c.name)} [dim]({esc(c.kind)})[/]  {level(c.level)}"
        if c.status != "active":
            line += f"  [{style}]{c.status}[/]"
        if node.effective_level is not None and node.effective_level != c.level:
            line += f"  [red]effective L{node.effective_level}[/]"
        if c.code in status.held_back_by:
            line += "  [red]<- holds the system back[/]"
        if node.open_alerts:
            line += f"  [bold red]{node.open_alerts} open alert(s)[/]"
        if node.stale_evidence:
            line += f"  [yellow]stale evidence: {esc(', '.join(node.stale_evidence))}[/]"
        for label in node.labels:  # how it came to its level, when that is not a review here
            line += f"  [magenta]{esc(label)}[/]"
        child = branch.add(line)
        for grandchild in node.children:
            add(child, grandchild)

    for root in status.roots:
        add(tree, root)
    return tree
