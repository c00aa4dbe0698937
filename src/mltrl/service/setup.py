"""Creating and upgrading a registry: ``mltrl init`` and ``mltrl migrate``."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import DBAPIError

from mltrl.errors import StoreError
from mltrl.store._revision import HEAD_REVISION
from mltrl.store.engine import make_engine, store_error
from mltrl.store.location import DATABASE_FILE, REGISTRY_DIR, Location, sqlite_url


def upgrade(engine: Engine, location: Location) -> str:
    """Bring the schema to the head revision in one transaction; return the revision before."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("mltrl.store") / "migrations"))
    try:
        with engine.begin() as conn:
            before = current_revision(conn)
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except DBAPIError as exc:
        raise store_error(exc, location) from exc
    return before or ""


def current_revision(conn) -> str | None:  # type: ignore[no-untyped-def]
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def local_location(directory: Path) -> Location:
    """The SQLite registry ``mltrl init`` makes in ``directory/.mltrl/``."""
    home = directory / REGISTRY_DIR
    return Location(url=sqlite_url(home / DATABASE_FILE), home=home)


def initialise(location: Location) -> tuple[Engine, bool]:
    """Create (or upgrade) the registry at ``location``; True when it was new."""
    if location.home is not None:
        try:
            location.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {location.home}: {exc.strerror}") from exc
    engine = make_engine(location)
    before = upgrade(engine, location)
    return engine, not before


__all__ = ["HEAD_REVISION", "initialise", "local_location", "upgrade"]
