"""``reg.cards``: ``/projects/{key}/card``, its revisions and diff.

Plural like every other resource: it holds the project card and each component's card
(``component=``), and exports them all; the route is singular because a project has one card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mltrl.cards import render
from mltrl.cards.assemble import assemble, revision_content, revisions
from mltrl.cards.diff import changes, markdown_diff
from mltrl.cards.model import Card, Revision
from mltrl.errors import BadInput
from mltrl.service import cards, lookup
from mltrl.service.resources._base import Resource
from mltrl.store import queries


class Cards(Resource):
    """Assemble, edit, freeze, diff and export TRL Cards."""

    def get(self, project: str, component: str | None = None, *, revision: int | None = None) -> Card:
        """The card as the registry stands now (``GET /projects/{key}/card``), or a frozen
        ``revision`` (``GET /projects/{key}/card/revisions/{number}``)."""

        def view(r):  # type: ignore[no-untyped-def]
            key = lookup.project(r, project).key
            if revision is not None:
                return Card.model_validate(revision_content(r, key, component or "", revision))
            # The project's card asks the same things (the project, its requirements ...) for
            # each of its components: asked once.
            return assemble(r.memoized(), self.catalog, key, component or "")

        return self._read(view)

    def edit(self, project: str, sections: dict[str, str], component: str | None = None) -> list[str]:
        """Set hand-written sections (``PATCH /projects/{key}/card``): tldr, intended-use, caveats ...
        (``mltrl.cards.model.HANDWRITTEN``, and the sections the organisation's policy adds)."""
        return self._write(cards.edit, project, component or "", sections, self.catalog.card_section_ids)

    def freeze(self, project: str, component: str | None = None, *, reason: str = "frozen by hand") -> int:
        """Freeze the card as a new revision (``POST /projects/{key}/card/revisions``); its number."""
        return self._write(cards.freeze, self.catalog, project, component or "", reason)

    def revisions(self, project: str, component: str | None = None) -> list[Revision]:
        """The card's frozen revisions (``GET /projects/{key}/card/revisions``)."""
        return self._read(lambda r: revisions(r, lookup.project(r, project).key, component or ""))

    def diff(
        self, project: str, before: int, after: int | None = None, component: str | None = None
    ) -> dict[str, Any]:
        """Changes from revision ``before`` to revision ``after`` (default: the card as it is now);
        ``GET /projects/{key}/card/diff``."""

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

    def export(self, directory: str | Path) -> list[Path]:
        """Markdown of every project card and component card under ``directory``, for a git repository."""
        directory = Path(directory)
        written: list[Path] = []
        for relative, text in self.markdown_files().items():
            path = directory / relative
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            except (FileExistsError, NotADirectoryError):
                raise BadInput(f"{directory}: not a directory (a file is in the way of {path})") from None
            except OSError as exc:
                raise BadInput(f"{path}: cannot write: {exc.strerror or exc}") from None
            written.append(path)
        return written

    def markdown_files(self, project: str | None = None) -> dict[str, str]:
        """What :meth:`export` writes, as relative path -> Markdown: ``KEY.md`` for each project's card
        and ``KEY/CODE.md`` for each of its components' (only ``project``'s when given;
        ``GET /projects/{key}/card/export``)."""
        if project is None:
            keys = [p.key for p in self._read(queries.projects)]
        else:
            keys = [self._read(lambda r: lookup.project(r, project).key)]
        files: dict[str, str] = {}
        for key in keys:
            project_card = self.get(key)
            files[f"{key}.md"] = render.to_markdown(project_card)
            for component in project_card.summary.component_codes:
                files[f"{key}/{component}.md"] = render.to_markdown(self.get(key, component))
        return files
