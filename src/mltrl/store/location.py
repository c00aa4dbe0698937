"""Where the registry lives: ``--db`` > ``MLTRL_DATABASE_URL`` > the nearest ``.mltrl/``.

Like git, commands look for ``.mltrl/`` in the current directory and then in
each parent. This module imports nothing heavy: the CLI calls it on start-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mltrl.errors import StoreError

REGISTRY_DIR = ".mltrl"
DATABASE_FILE = "mltrl.db"
POLICY_FILE = "policy.yaml"
ENV_URL = "MLTRL_DATABASE_URL"


@dataclass(frozen=True)
class Location:
    url: str
    home: Path | None  # the .mltrl directory, when the registry is a local one

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        return sqlite_path(self.url)

    @property
    def display(self) -> str:
        """The URL without a password, fit for messages."""
        return redact(self.url)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def sqlite_path(url: str) -> Path:
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix:
        raise StoreError(f"{url!r}: mltrl needs a file-backed SQLite URL like sqlite:////path/to/mltrl.db")
    return Path(url[len(prefix) :].split("?", 1)[0])


def redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url


def read_only_reason(path: Path) -> str | None:
    """Why this process may not write the SQLite registry at ``path``; None when it may.

    SQLite writes its journal (``-wal``, ``-shm``) beside the database, so the directory must be
    writable too, not only the file.
    """
    directory = path.parent
    if directory.is_dir() and not os.access(directory, os.W_OK):
        return f"the directory {directory} is read-only for you"
    if path.is_file() and not os.access(path, os.W_OK):
        return f"the database file {path} is read-only for you"
    return None


def sqlite_read_only_uri(path: Path) -> str:
    """An SQLite URI that reads ``path`` without writing anything beside it.

    ``immutable=1`` lets SQLite skip the shared-memory file it cannot create in a read-only
    directory; it is only safe when no ``-wal`` file holds writes not yet in the database.
    """
    wal = path.with_name(path.name + "-wal")
    pending = wal.is_file() and wal.stat().st_size > 0
    return f"{path.resolve().as_uri()}?mode=ro" + ("" if pending else "&immutable=1")


def find_home(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / REGISTRY_DIR
        if candidate.is_dir():
            return candidate
    return None


def locate(db: str | None = None, start: Path | None = None) -> Location:
    """The registry a command works on, or a one-line error saying how to make one."""
    url = db or os.environ.get(ENV_URL)
    home = find_home(start)
    if url:
        _check_url(url)
        return Location(url=url, home=home if url.startswith("sqlite") and _inside(url, home) else None)
    if home is None:
        raise StoreError(
            f"no {REGISTRY_DIR}/ registry in {(start or Path.cwd()).resolve()} or any parent; "
            f"run `mltrl init` here, or pass --db URL / set {ENV_URL}"
        )
    return Location(url=sqlite_url(home / DATABASE_FILE), home=home)


def _check_url(url: str) -> None:
    if url.startswith("sqlite"):
        sqlite_path(url)
    elif not url.startswith(("postgresql://", "postgresql+psycopg://")):
        raise StoreError(
            f"database URL {redact(url)!r} is not supported; use sqlite:///PATH or postgresql+psycopg://..."
        )
    else:
        from urllib.parse import urlsplit

        try:
            urlsplit(url).port  # noqa: B018  (parses the host and port: "[::1" or ":99999" fail here)
        except ValueError as exc:
            raise StoreError(f"database URL {redact(url)!r} is malformed: {exc}") from None


def _inside(url: str, home: Path | None) -> bool:
    return home is not None and sqlite_path(url).resolve().parent == home.resolve()
