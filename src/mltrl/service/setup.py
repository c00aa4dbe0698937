"""Creating and upgrading a registry: ``mltrl init`` and ``mltrl migrate``.

Both refuse, with nothing written, a database they should not touch:

- one that holds tables that are not mltrl's (an application's database given by mistake), unless
  ``allow_other_tables`` says sharing it is intended (``--allow-other-tables``);
- one whose schema is newer than this mltrl knows (an older mltrl must not "migrate" it).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import DBAPIError

from mltrl.errors import StoreError
from mltrl.store._revision import HEAD_REVISION
from mltrl.store.engine import make_engine, store_error
from mltrl.store.location import DATABASE_FILE, ENV_URL, REGISTRY_DIR, Location, locate, sqlite_url

#: Option that lets ``init`` and ``migrate`` put mltrl's tables beside other applications' tables.
ALLOW_OTHER_TABLES = "--allow-other-tables"
#: How many of the other tables a refusal names.
_NAMED = 5


def upgrade(engine: Engine, location: Location, *, allow_other_tables: bool = False) -> str:
    """Bring the schema to the head revision in one transaction; return the revision before."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(files("mltrl.store") / "migrations"))
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if location.is_sqlite and not allow_other_tables:
        # Before the engine's first connection, which turns on WAL: that alone would change the file.
        _refuse_other_tables(_sqlite_tables(location.sqlite_path), location)
    try:
        with engine.begin() as conn:
            before = current_revision(conn)
            if before is not None and before not in known:
                raise StoreError(
                    f"the registry at {location.display} has schema {before!r}, newer than this mltrl "
                    f"(which knows up to {HEAD_REVISION!r}); upgrade mltrl, nothing was changed"
                )
            if not allow_other_tables:
                _refuse_other_tables(inspect(conn).get_table_names(), location)
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except DBAPIError as exc:
        raise store_error(exc, location) from exc
    return before or ""


def _sqlite_tables(path: Path) -> list[str]:
    """The tables of an SQLite file, read without changing it; [] when there is nothing readable."""
    import sqlite3

    if not path.is_file():
        return []
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []  # damaged or unreadable: the engine reports that in its own words
    return [name for (name,) in rows if not name.startswith("sqlite_")]


def _refuse_other_tables(tables: list[str], location: Location) -> None:
    from mltrl.store.schema import metadata

    ours = {*metadata.tables, "alembic_version"}
    others = sorted(set(tables) - ours)
    if others:
        named = ", ".join(others[:_NAMED]) + (
            f" and {len(others) - _NAMED} more" if len(others) > _NAMED else ""
        )
        raise StoreError(
            f"{location.display} holds {len(others)} table(s) that are not mltrl's ({named}); nothing was "
            f"changed. Give mltrl a database (or PostgreSQL schema) of its own, or pass "
            f"{ALLOW_OTHER_TABLES} if sharing this one is intended"
        )


def current_revision(conn) -> str | None:  # type: ignore[no-untyped-def]
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def local_location(directory: Path) -> Location:
    """The SQLite registry ``mltrl init`` makes in ``directory/.mltrl/``."""
    home = directory / REGISTRY_DIR
    return Location(url=sqlite_url(home / DATABASE_FILE), home=home)


def init_location(directory: Path | None, db: str | None) -> Location:
    """Where ``init`` creates the registry: ``db``, else an explicit ``directory``'s ``.mltrl/``,
    else ``$MLTRL_DATABASE_URL`` (as every other command uses it), else ``./.mltrl/``."""
    import os

    url = db or (None if directory is not None else os.environ.get(ENV_URL))
    if url:
        return Location(url=locate(url).url, home=None)  # locate validates the URL
    return local_location(directory or Path.cwd())


def initialise(location: Location, *, allow_other_tables: bool = False) -> tuple[Engine, bool]:
    """Create (or upgrade) the registry at ``location``; True when it was new."""
    if location.home is not None:
        try:
            location.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {location.home}: {exc.strerror}") from exc
    engine = make_engine(location)
    try:
        before = upgrade(engine, location, allow_other_tables=allow_other_tables)
    except BaseException:
        engine.dispose()
        raise
    return engine, not before


__all__ = ["ALLOW_OTHER_TABLES", "HEAD_REVISION", "init_location", "initialise", "local_location", "upgrade"]
