"""Databases mltrl must not take over or cannot use: each refused in one line, with nothing changed.

Other applications' databases, registries of a newer mltrl, damaged files, read-only directories,
and where ``init`` creates the registry (issue 11, items 10, 11, 12 and 14).
"""

from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hostile_harness import snapshot
from sqlalchemy import create_engine, text

from mltrl.cli import main
from mltrl.errors import StoreError
from mltrl.service.registry import Registry


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(code: int, err: str, *fragments: str) -> None:
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, err


def execute(url: str, *statements: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


# --- another application's database ------------------------------------------------------------


@pytest.mark.parametrize("command", ["init", "migrate"])
def test_a_database_holding_other_tables_is_refused(
    db_url: str, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    execute(
        db_url,
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)",
        "INSERT INTO customers VALUES (1, 'A')",
    )
    before = snapshot(db_url)
    code, _, err = run(capsys, "--db", db_url, command)
    assert_refused(code, err, "not mltrl's (customers)", "--allow-other-tables")
    assert snapshot(db_url) == before
    with pytest.raises(StoreError, match="customers"):
        Registry.init(db=db_url)
    assert snapshot(db_url) == before


def test_sharing_a_database_on_purpose_keeps_the_other_tables(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    execute(db_url, "CREATE TABLE customers (id INTEGER PRIMARY KEY)", "INSERT INTO customers VALUES (7)")
    assert run(capsys, "--db", db_url, "init", "--allow-other-tables")[0] == 0
    assert run(capsys, "--db", db_url, "--actor", "t", "project", "create", "p1", "--name", "P")[0] == 0
    assert snapshot(db_url)["customers"] == [(7,)]
    code, _, err = run(capsys, "--db", db_url, "migrate")  # later upgrades need the same consent
    assert_refused(code, err, "customers")
    assert run(capsys, "--db", db_url, "migrate", "--allow-other-tables")[0] == 0


def test_a_sqlite_file_of_another_application_is_not_even_switched_to_wal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    content = path.read_bytes()
    for command in ("init", "migrate"):
        assert_refused(*run(capsys, "--db", f"sqlite:///{path}", command)[::2], "customers")
    assert path.read_bytes() == content


# --- a registry written by a newer mltrl ---------------------------------------------------------


def test_a_newer_schema_says_upgrade_mltrl_and_migrate_refuses_it(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--db", db_url, "init")[0] == 0
    execute(db_url, "UPDATE alembic_version SET version_num = '0099_from_the_future'")
    before = snapshot(db_url)
    for argv in (["status"], ["project", "create", "p1", "--name", "P"], ["card", "show", "p1"]):
        code, _, err = run(capsys, "--db", db_url, *argv)
        assert_refused(code, err, "'0099_from_the_future'", "newer", "upgrade mltrl")
        assert "run `mltrl migrate`" not in err
    code, _, err = run(capsys, "--db", db_url, "migrate")
    assert_refused(code, err, "newer than this mltrl", "nothing was changed")
    assert snapshot(db_url) == before


def test_an_older_schema_still_says_run_migrate(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", db_url, "init")[0] == 0
    execute(db_url, "UPDATE alembic_version SET version_num = '0006_actuals'")
    code, _, err = run(capsys, "--db", db_url, "status")
    assert_refused(code, err, "run `mltrl migrate`")


# --- a damaged SQLite file ----------------------------------------------------------------------

DAMAGED_READS = [
    ["status"],
    ["project", "list"],
    ["history", "p1"],
    ["report"],
    ["doctor"],
    ["review", "list"],
    ["dataset", "list"],
    ["card", "show", "p1"],
    ["monitor", "status"],
    ["project", "create", "p9", "--name", "P"],
    ["migrate"],
]


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small registry, then copies with garbage over the header, over every page, over some pages."""
    home = tmp_path_factory.mktemp("damaged")
    good = home / "good.db"
    url = f"sqlite:///{good}"
    for argv in (
        ["init"],
        ["project", "create", "p1", "--name", "P"],
        [
            "component",
            "add",
            "p1/1.1",
            "--name",
            "M",
            "--kind",
            "model",
            "--level",
            "3",
            "--reason",
            "work done before the registry",
        ],
        ["review", "open", "p1/1.1"],
    ):
        assert main(["--db", url, "--actor", "t", *argv]) == 0
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    content = good.read_bytes()
    page = 4096
    rng = random.Random(11)
    variants = {
        "header": rng.randbytes(100) + content[100:],
        "everything": rng.randbytes(len(content)),
    }
    # The header and the schema (page 1) intact, every table's pages garbage: SQLite opens the file
    # and fails on the first row it reads. (Damaging a few random pages instead left some commands
    # reading only pages the damage missed, which is SQLite working, not a refusal to test.)
    variants["pages"] = content[:page] + rng.randbytes(len(content) - page)
    paths = {}
    for name, data in variants.items():
        paths[name] = home / f"{name}.db"
        paths[name].write_bytes(data)
    return paths


@pytest.mark.parametrize("argv", DAMAGED_READS, ids=[" ".join(a) for a in DAMAGED_READS])
@pytest.mark.parametrize("damage", ["header", "everything", "pages"])
def test_a_damaged_sqlite_file_gives_one_line(
    damaged: dict[str, Path], capsys: pytest.CaptureFixture[str], damage: str, argv: list[str]
) -> None:
    path = damaged[damage]
    before = path.read_bytes()
    code, _, err = run(capsys, "--db", f"sqlite:///{path}", *argv)
    assert_refused(code, err, str(path))
    assert path.read_bytes() == before


# --- a read-only .mltrl/ --------------------------------------------------------------------------


@contextmanager
def read_only(directory: Path) -> Iterator[None]:
    """Make ``directory`` unwritable for this process: chmod for a user, the immutable flag for root."""
    if os.geteuid() == 0:  # root ignores permission bits, not the immutable attribute
        subprocess.run(["chattr", "+i", str(directory)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(directory)], check=True)
    else:
        mode = directory.stat().st_mode
        directory.chmod(0o555)
        try:
            yield
        finally:
            directory.chmod(mode)


def test_a_read_only_registry_reads_and_says_why_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLTRL_DATABASE_URL", raising=False)
    monkeypatch.setenv("MLTRL_ACTOR", "tester")
    for argv in (["init"], ["project", "create", "p1", "--name", "P"]):
        assert main(argv) == 0
    home = tmp_path / ".mltrl"
    engine = create_engine(f"sqlite:///{home / 'mltrl.db'}")
    with engine.connect() as conn:  # fold the WAL in and remove it, as after a clean shutdown
        conn.exec_driver_sql("PRAGMA journal_mode = DELETE")
    engine.dispose()
    before = sorted(p.name for p in home.iterdir())
    with read_only(home):
        for argv in (["status"], ["history", "p1"], ["project", "show", "p1"], ["card", "show", "p1"]):
            code, out, err = run(capsys, *argv)
            assert code == 0, err
            assert out.strip()
        code, _, err = run(capsys, "project", "create", "p2", "--name", "Q")
        assert_refused(code, err, f"the directory {home} is read-only", "read commands still work")
    assert sorted(p.name for p in home.iterdir()) == before
    assert main(["project", "list", "--json"]) == 0
    assert '"p2"' not in capsys.readouterr().out


# --- where init creates the registry -------------------------------------------------------------


def test_init_uses_the_database_url_from_the_environment(
    db_url: str, fresh_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLTRL_DATABASE_URL", db_url)
    code, out, err = run(capsys, "init")
    assert code == 0, err
    assert "initialised registry" in out
    assert not (fresh_home / ".mltrl").exists()
    assert run(capsys, "project", "create", "p1", "--name", "P")[0] == 0
    assert ("p1",) in [row[1:2] for row in snapshot(db_url)["projects"]]
