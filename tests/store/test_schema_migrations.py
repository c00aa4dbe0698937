"""The Alembic migrations build exactly the schema the code declares, and upgrades keep data."""

from __future__ import annotations

from importlib.resources import files

import pytest
from alembic.autogenerate import compare_metadata
from alembic.command import upgrade
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError

from mltrl.service.registry import Registry
from mltrl.store.schema import metadata


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("mltrl.store") / "migrations"))
    return config


def _engine(url: str):  # type: ignore[no-untyped-def]
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def test_migrations_create_exactly_the_declared_schema(registry: Registry, db_url: str) -> None:
    engine = _engine(db_url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert differences == []


def test_upgrading_from_the_first_schema_keeps_every_row(db_url: str) -> None:
    engine = _engine(db_url)
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        upgrade(config, "0001_initial")
    # Write with the first schema's columns only, as a registry made by mltrl 0.1 would hold.
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO projects (key, name, description, created_at, created_by) "
            "VALUES ('old', 'Old project', '', '2025-01-01 00:00:00', 'someone')"
        )
    engine.dispose()
    with Registry.init(db=db_url, actor="tester") as reg:
        assert not reg.created
        assert [p.key for p in reg.projects.list()] == ["old"]
        reg.components.add(
            "old/1", "still works", kind="model", level=3, reason="work done before the registry"
        )
        assert reg.doctor().healthy


def test_imported_graduations_of_older_registries_become_import_events(db_url: str) -> None:
    from datetime import UTC, datetime, timedelta

    from alembic.command import downgrade

    past = datetime.now(UTC) - timedelta(days=30)
    with Registry.init(db=db_url, actor="tester") as reg:
        reg.projects.create("old", "Old project", at=past)
        reg.components.add("old/1", "Model", kind="model", level=0, at=past)
        reg.components.import_graduation("old/1", approver="lab head", at=past + timedelta(days=1))
    engine = _engine(db_url)
    config = _config()
    with engine.begin() as conn:  # back to the schema before imports had their own kind
        config.attributes["connection"] = conn
        downgrade(config, "0007_alert_reviews")
    with engine.connect() as conn:
        kinds = [row[0] for row in conn.exec_driver_sql("SELECT kind FROM events WHERE seq = 2")]
    engine.dispose()
    assert kinds == ["graduate"]  # as mltrl 0.1 wrote it, marked only in its data
    with Registry.init(db=db_url, actor="tester") as reg:  # migrates forward
        assert [e.kind for e in reg.history("old/1", lifecycle_only=True)] == ["initiate", "import"]
        assert {c.status for c in reg.components.gate("old/1", 0).criteria if c.kind == "attestation"} == {
            "imported"
        }
        assert reg.doctor().healthy
    # The migration lifted the append-only trigger only for itself.
    engine = _engine(db_url)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.exec_driver_sql("UPDATE events SET reason = 'rewritten'")
    engine.dispose()
