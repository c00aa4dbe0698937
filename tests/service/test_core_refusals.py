"""Bad input to the core registry: a one-line error naming what and where, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mltrl.errors import BadInput, Conflict, MltrlError, NotFound, RuleViolation, StoreError
from mltrl.service.registry import Registry

PAST = datetime.now(UTC) - timedelta(days=30)


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("np", "Neuropathology copilot", at=PAST)
    registry.components.add(
        "np/1", "System", kind="composite", level=4, at=PAST, reason="work done before the registry"
    )
    registry.components.add(
        "np/1.1", "Model", kind="model", level=4, parent="1", at=PAST, reason="work done before the registry"
    )
    registry.components.import_graduation("np/1.1", approver="panel", at=PAST + timedelta(days=1))
    registry.versions.register("np/1.1", "model", "1.0.0")
    return registry


CASES: list[tuple[str, Callable[[Registry], object], type[MltrlError], str]] = [
    (
        "level above 9",
        lambda r: r.components.add(
            "np/2", "x", kind="model", level=10, reason="work done before the registry"
        ),
        BadInput,
        "outside 0-9",
    ),
    (
        "level not a number",
        lambda r: r.components.add("np/2", "x", kind="model", level="four"),
        BadInput,
        "'four' is not a level",
    ),
    (
        "unknown project",
        lambda r: r.components.add(
            "zz/2", "x", kind="model", level=3, reason="work done before the registry"
        ),
        NotFound,
        "no project 'zz'",
    ),
    ("unknown component", lambda r: r.components.pause("np/7"), NotFound, "no component '7' in project 'np'"),
    ("duplicate project", lambda r: r.projects.create("np", "again"), BadInput, "already exists"),
    (
        "duplicate code",
        lambda r: r.components.add(
            "np/1.1", "x", kind="model", level=3, reason="work done before the registry"
        ),
        BadInput,
        "'1.1' already exists in project 'np'",
    ),
    (
        "bad code",
        lambda r: r.components.add(
            "np/a.b", "x", kind="model", level=3, reason="work done before the registry"
        ),
        BadInput,
        "component code",
    ),
    ("bad key", lambda r: r.projects.create("9lives", "x"), BadInput, "project key"),
    (
        "bad kind",
        lambda r: r.components.add(
            "np/2", "x", kind="robot", level=3, reason="work done before the registry"
        ),
        BadInput,
        "component kind",
    ),
    (
        "parent not composite",
        lambda r: r.components.add(
            "np/2", "x", kind="model", level=3, parent="1.1", reason="work done before the registry"
        ),
        BadInput,
        "not a composite",
    ),
    (
        "skip",
        lambda r: r.components.import_graduation(
            "np/1.1", approver="p", to_level=7, at=PAST + timedelta(days=2)
        ),
        RuleViolation,
        "np/1.1: graduating from 5 to 7 would skip level 6",
    ),
    (
        "graduate to the same level",
        lambda r: r.components.import_graduation(
            "np/1.1", approver="p", to_level=5, at=PAST + timedelta(days=2)
        ),
        Conflict,
        "already at level 5",
    ),
    (
        "import without a past date",
        lambda r: r.components.import_graduation("np/1.1", approver="p", at=None),
        BadInput,
        "dated in the past",
    ),
    (
        "switchback upwards",
        lambda r: r.components.switchback("np/1.1", 6, kind="review", reason="x"),
        RuleViolation,
        "goes down",
    ),
    (
        "switchback below entry",
        lambda r: r.components.switchback("np/1.1", 3, kind="review", reason="x"),
        RuleViolation,
        "entered at level 4, so level 3 was never done",
    ),
    (
        "switchback without kind",
        lambda r: r.components.switchback("np/1.1", 4, reason="x"),
        RuleViolation,
        "needs a kind",
    ),
    (
        "version with a space",
        lambda r: r.versions.register("np/1.1", "model", "1.2 beta"),
        BadInput,
        "one word without spaces",
    ),
    (
        "version with a control character",
        lambda r: r.versions.register("np/1.1", "model", "1.2\x1b[31m"),
        BadInput,
        "control characters",
    ),
    (
        "duplicate version",
        lambda r: r.versions.register("np/1.1", "model", "1.0.0"),
        BadInput,
        "already registered",
    ),
    (
        "bad sha256",
        lambda r: r.versions.register("np/1.1", "data", "1.0.0", sha256="abc"),
        BadInput,
        "64 hexadecimal",
    ),
    (
        "future time",
        lambda r: r.components.pause("np/1.1", at=datetime.now(UTC) + timedelta(days=1)),
        BadInput,
        "in the future",
    ),
    (
        "time before the last event",
        lambda r: r.components.pause("np/1.1", at=PAST),
        RuleViolation,
        "earlier than",
    ),
    ("couple to itself", lambda r: r.components.couple("np/1.1", "np/1.1"), BadInput, "coupled to itself"),
    (
        "resume an active component",
        lambda r: r.components.resume("np/1.1"),
        RuleViolation,
        "only a paused component",
    ),
    (
        "fork into an existing key",
        lambda r: r.projects.fork("np", "np", reason="x"),
        BadInput,
        "already exists",
    ),
    (
        "fork without reason",
        lambda r: r.projects.fork("np", "np2", reason=" "),
        BadInput,
        "must not be empty",
    ),
]


@pytest.mark.parametrize(("name", "action", "error", "message"), CASES, ids=[c[0] for c in CASES])
def test_refused_with_one_line_and_nothing_written(
    reg: Registry, name: str, action: Callable[[Registry], object], error: type[MltrlError], message: str
) -> None:
    before = reg.counts()
    with pytest.raises(error) as caught:
        action(reg)
    assert message in caught.value.message
    assert "\n" not in caught.value.message and caught.value.exit_code == 2
    assert reg.counts() == before


def test_a_transaction_is_all_or_nothing(reg: Registry) -> None:
    before = reg.counts()
    with pytest.raises(RuleViolation), reg.transaction():
        reg.components.add("np/2", "fine", kind="model", level=3, reason="work done before the registry")
        reg.components.pause("np/2")
        reg.components.switchback("np/2", 5, kind="review", reason="upwards is refused")
    assert reg.counts() == before


def test_the_event_log_is_append_only_in_the_database(reg: Registry, db_url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(db_url)
    for statement in ("UPDATE events SET reason = 'rewritten'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    engine.dispose()
    assert reg.doctor().healthy


def test_unreadable_registries_are_refused_with_one_line(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(bytes(range(256)) * 40)
    empty = tmp_path / "empty.db"
    empty.touch()
    for url, message in [
        (f"sqlite:///{tmp_path / 'missing.db'}", "no registry database"),
        (f"sqlite:///{garbage}", "file is not a database"),
        (f"sqlite:///{empty}", "not an mltrl registry"),
        ("mysql://somewhere/db", "not supported"),
    ]:
        with pytest.raises(StoreError, match=message) as caught:
            Registry.open(db=url)
        assert "\n" not in caught.value.message
    assert not (tmp_path / "missing.db").exists()


def test_doctor_finds_a_hand_edited_row(reg: Registry, db_url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE components SET level = 9 WHERE code = '1.1'"))
    engine.dispose()
    report = reg.doctor()
    assert not report.healthy
    assert report.problems == [{"component": "np/1.1", "problem": "stored level is 9 but the log says 5"}]
