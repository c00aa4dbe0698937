"""Rich renderings shared by several commands."""

from __future__ import annotations

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
STATUS_STYLE = {"active": "", "paused": "yellow", "retired": "dim"}


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
    title = f"[bold]{project.key}[/] {project.name}  system TRL {system}"
    if project.parent_key:
        title += f"  [dim](fork of {project.parent_key})[/]"
    tree = Tree(title)

    def add(branch: Tree, node: StatusNode) -> None:
        c = node.component
        style = STATUS_STYLE.get(c.status, "")
        line = f"[bold]{c.code}[/] {c.name} [dim]({c.kind})[/]  {level(c.level)}"
        if c.status != "active":
            line += f"  [{style}]{c.status}[/]"
        if node.effective_level is not None and node.effective_level != c.level:
            line += f"  [red]effective L{node.effective_level}[/]"
        if c.code in status.held_back_by:
            line += "  [red]<- holds the system back[/]"
        if node.open_alerts:
            line += f"  [bold red]{node.open_alerts} open alert(s)[/]"
        if node.stale_evidence:
            line += f"  [yellow]stale evidence: {', '.join(node.stale_evidence)}[/]"
        child = branch.add(line)
        for grandchild in node.children:
            add(child, grandchild)

    for root in status.roots:
        add(tree, root)
    return tree
