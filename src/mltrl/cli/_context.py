"""What every command shares: the global options, opening the registry, printing results."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mltrl.store.location import locate
from mltrl.store.reader import Reader, open_reader

if TYPE_CHECKING:
    from rich.console import Console

    from mltrl.catalog import Catalog
    from mltrl.service.registry import Registry


@dataclass
class Settings:
    db: str | None = None
    actor: str | None = None
    policy: Path | None = None


settings = Settings()


@contextmanager
def reading() -> Iterator[Reader]:
    """A read-only connection that never imports SQLAlchemy (read commands must start fast)."""
    with open_reader(locate(settings.db)) as reader:
        yield reader


@contextmanager
def writing() -> Iterator[Registry]:
    from mltrl.service.registry import Registry

    with Registry.open(settings.db, actor=settings.actor, policy=settings.policy) as registry:
        registry.via = "cli"
        if settings.policy is not None:
            registry.catalog  # noqa: B018 - a missing or invalid --policy is refused before any write
        yield registry


def catalog() -> Catalog:
    from mltrl.catalog import find_policy, load_catalog
    from mltrl.store.location import find_home

    return load_catalog(find_policy(find_home(), settings.policy))


def emit_json(payload: Any) -> None:
    # Indented for people at a terminal; compact for pipes and files, where the C encoder
    # writes large reports (10,000 components) several times faster.
    # Strict JSON: a non-finite number is null, never the bare NaN/Infinity no other parser reads.
    from mltrl.jsonout import dumps

    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(dumps(payload, indent=indent))
    sys.stdout.write("\n")


_console: Console | None = None
#: The width Rich lays out for when standard output is not a terminal: wider than any line we print.
PIPE_WIDTH = 100_000


def console() -> Console:
    global _console
    if _console is None:
        from rich.console import Console

        if sys.stdout.isatty():
            _console = Console(highlight=False, emoji=False)
        else:
            # A pipe or a file is read by scripts (`mltrl project list | grep recycling`): never cut a
            # name to the 80 columns Rich assumes there, nor wrap it. Tables still take only the
            # width their cells need; COLUMNS is ignored, it describes a terminal that is not there.
            _console = Console(highlight=False, emoji=False, width=PIPE_WIDTH, soft_wrap=True)
    return _console


def say(message: str) -> None:
    console().print(message)


def read_yaml_mapping(file: Path, what: str) -> dict[str, str]:
    """A small YAML file of ``key: text`` pairs given on the command line, or a one-line error."""
    from mltrl.errors import BadInput
    from mltrl.userfiles import read_yaml

    data = read_yaml(file, f"mapping of {what}")
    if not isinstance(data, dict):
        raise BadInput(f"{file}: expected a mapping of {what}")
    return {str(k): "" if v is None else str(v) for k, v in data.items()}


def write_output(path: Path, content: str | bytes) -> None:
    """Write what a command produced to ``-o PATH`` (replacing a file there), or a one-line error."""
    from mltrl.errors import BadInput

    if path.is_dir():
        raise BadInput(f"{path}: is a directory; give a file name to write to")
    if not path.parent.is_dir():
        raise BadInput(f"{path}: the directory {path.parent} does not exist")
    try:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"{path}: cannot write: {exc.strerror or exc}") from None
