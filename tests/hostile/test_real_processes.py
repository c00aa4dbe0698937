"""A few hostile inputs through a real ``mltrl`` process: what a user's shell sees, stderr and exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hostile_harness import ALIAS_BOMB, snapshot
from sqlalchemy import create_engine, text


def mltrl(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("mltrl")), *argv],  # the installed console script
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={"MLTRL_ACTOR": "tester", "PATH": "/usr/bin:/bin"},
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr and fragment in result.stderr


@pytest.fixture
def url(db_url: str) -> str:
    assert mltrl("--db", db_url, "init").returncode == 0
    assert mltrl("--db", db_url, "project", "create", "p1", "--name", "a[/x]b").returncode == 0
    return db_url


def test_an_alias_bomb_is_refused_at_once(url: str, tmp_path: Path) -> None:
    bomb = tmp_path / "sections.yaml"
    bomb.write_text(ALIAS_BOMB, encoding="utf-8")
    before = snapshot(url)
    assert_one_line_error(mltrl("--db", url, "card", "edit", "p1", "--file", str(bomb)), "alias")
    assert snapshot(url) == before


def test_a_stored_markup_name_prints_as_text(url: str) -> None:
    result = mltrl("--db", url, "project", "show", "p1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("p1 a[/x]b\n") and result.stderr == ""


def test_migrating_a_newer_registry_is_one_line(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    engine.dispose()
    assert_one_line_error(mltrl("--db", url, "migrate"), "newer than this mltrl")


def test_a_malformed_postgresql_url_is_one_line() -> None:
    assert_one_line_error(mltrl("--db", "postgresql://me@[::1/registry", "status"), "malformed")
