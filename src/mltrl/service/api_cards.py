"""The TRL Card part of the :class:`~mltrl.service.registry.Registry` API."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mltrl.cards import render
from mltrl.cards.assemble import assemble, revision_content, revisions
from mltrl.cards.diff import changes, markdown_diff
from mltrl.cards.model import Card, Revision
from mltrl.errors import BadInput
from mltrl.service import cards, lookup
from mltrl.store import queries

if TYPE_CHECKING:
    from mltrl.catalog import Catalog


class CardAPI:
    """Assemble, edit, freeze, diff and export TRL Cards."""

    catalog: Catalog
    _write: Any
    _read: Any

    def card(self, project: str, component: str | None = None, *, revision: int | None = None) -> Card:
        """The card as the registry stands now, or a frozen ``revision``."""

        def view(r):  # type: ignore[no-untyped-def]
            key = lookup.project(r, project).key
            if revision is not None:
                return Card.model_validate(revision_content(r, key, component or "", revision))
            return assemble(r, self.catalog, key, component or "")

        return self._read(view)

    def edit_card(self, project: str, sections: dict[str, str], component: str | None = None) -> list[str]:
        """Set hand-written sections (tldr, intended-use, caveats ...: ``mltrl.cards.model.HANDWRITTEN``,
        and the sections the organisation's policy adds)."""
        return self._write(cards.edit, project, component or "", sections, self.catalog.card_section_ids)

    def freeze_card(
        self, project: str, component: str | None = None, *, reason: str = "frozen by hand"
    ) -> int:
        return self._write(cards.freeze, self.catalog, project, component or "", reason)

    def card_revisions(self, project: str, component: str | None = None) -> list[Revision]:
        return self._read(lambda r: revisions(r, lookup.project(r, project).key, component or ""))

    def card_diff(
        self, project: str, before: int, after: int | None = None, component: str | None = None
    ) -> dict[str, Any]:
        """Changes from revision ``before`` to revision ``after`` (default: the card as it is now)."""

        def view(r):  # type: ignore[no-untyped-def]
            key = lookup.project(r, project).key
            scope = component or ""
            a = revision_content(r, key, scope, before)
            b = (
                assemble(r, self.catalog, key, scope).model_dump()
                if after is None
                else revision_content(r, key, scope, after)
            )
            names = (f"r{before}", "current" if after is None else f"r{after}")
            return {
                "from": names[0],
                "to": names[1],
                "changes": changes(a, b),
                "markdown": markdown_diff(a, b, names),
            }

        return self._read(view)

    def export_cards(self, directory: str | Path) -> list[Path]:
        """Markdown of every project card and component card under ``directory``, for a git repository."""
        directory = Path(directory)
        written: list[Path] = []

        def write(path: Path, text: str) -> None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            except (FileExistsError, NotADirectoryError):
                raise BadInput(f"{directory}: not a directory (a file is in the way of {path})") from None
            except OSError as exc:
                raise BadInput(f"{path}: cannot write: {exc.strerror or exc}") from None
            written.append(path)

        for project in self._read(queries.projects):
            project_card = self.card(project.key)
            write(directory / f"{project.key}.md", render.to_markdown(project_card))
            for component in project_card.summary.component_codes:
                card = self.card(project.key, component)
                write(directory / project.key / f"{component}.md", render.to_markdown(card))
        return written
