"""docs/python-api.md's map holds: every REST operation the server publishes has the Python method the
map names, every method the map names exists, every CLI command it names exists, and every public
method of every resource is in it (DESIGN.md §7: the HTTP API, the Python API and the docs share one
map). Adding a route without its Python method, or renaming either side, fails here."""

from __future__ import annotations

import re
from pathlib import Path

import click

from mltrl.cli.app import build_command
from mltrl.server.app import create_app
from mltrl.service.registry import Registry
from mltrl.service.resources._base import Resource

DOC = Path(__file__).parents[2] / "docs" / "python-api.md"
ROW = re.compile(r"^\| `(?P<python>[^`]+)` \| (?P<http>`[^`]+`|—) \| (?P<cli>`[^`]+`|—) \|$")
#: What stays on the registry itself: opening, transactions and whole-registry views.
REGISTRY_OWN = {
    "open",
    "init",
    "migrate",
    "transaction",
    "close",
    "catalog",
    "location",
    "status",
    "history",
    "report",
    "doctor",
    "counts",
}


def _map() -> list[tuple[str, str | None, str | None]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## The map", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        m = ROW.match(line)
        if m:
            http, cli = m.group("http"), m.group("cli")
            rows.append(
                (
                    m.group("python"),
                    http.strip("`") if http != "—" else None,
                    cli.strip("`") if cli != "—" else None,
                )
            )
    assert len(rows) > 100, "the map in docs/python-api.md was not found or lost its rows"
    return rows


def _operations(db_url: str) -> set[str]:
    Registry.init(db=db_url, actor="tester").close()
    schema = create_app(db_url).openapi()
    return {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "health" not in operation.get("tags", [])
    }


def test_every_rest_operation_has_the_python_method_the_map_names(db_url: str) -> None:
    operations = _operations(db_url)
    mapped = {http for _, http, _ in _map() if http}
    assert sorted(operations - mapped) == [], "routes missing from docs/python-api.md's map"
    assert sorted(mapped - operations) == [], "the map names routes the server does not have"


def test_every_method_the_map_names_exists_on_a_registry(registry: Registry) -> None:
    missing = []
    for python, _http, _cli in _map():
        target: object = registry
        for part in python.removeprefix("reg.").split("."):
            target = getattr(target, part, None)
            if target is None:
                missing.append(python)
                break
    assert missing == []


def test_every_command_the_map_names_exists() -> None:
    root = build_command([])
    missing = []
    for python, _http, cli in _map():
        if cli is None:
            continue
        command: click.Command | None = root
        ctx = click.Context(root)
        for word in cli.split()[1:]:
            if not hasattr(command, "get_command"):
                command = None
                break
            command = command.get_command(ctx, word)  # type: ignore[union-attr]
            if command is None:
                break
            ctx = click.Context(command, parent=ctx)
        if command is None:
            missing.append(f"{python}: {cli}")
    assert missing == []


def test_every_public_method_of_every_resource_is_in_the_map(registry: Registry) -> None:
    named = {python.removeprefix("reg.") for python, _, _ in _map()}
    unmapped = []
    resources = {name: value for name, value in vars(registry).items() if not name.startswith("_")}
    resources = {
        name: value
        for name, value in resources.items()
        if hasattr(value, "_registry") or isinstance(value, Resource)
    }
    assert {"projects", "components", "reviews", "evidence", "monitor", "sessions"} <= set(resources)
    for name, resource in resources.items():
        for attr in dir(type(resource)):
            if (
                not attr.startswith("_")
                and callable(getattr(resource, attr))
                and f"{name}.{attr}" not in named
            ):
                unmapped.append(f"reg.{name}.{attr}")
    assert unmapped == [], "public methods missing from docs/python-api.md's map"


def test_the_registry_itself_keeps_only_what_is_not_a_resource() -> None:
    own = {name for name in dir(Registry) if not name.startswith("_")}
    # no mixin methods crept back: reg.open_review(...) is reg.reviews.open(...) now
    assert own == REGISTRY_OWN
