"""The event log's hash chain: every write path links its events, and any hand edit is named."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.command import upgrade
from alembic.config import Config
from sqlalchemy import create_engine

from mltrl.cli import main
from mltrl.service.registry import Registry
from mltrl.store.chain import GENESIS, event_hash


def _config() -> Config:
    from importlib.resources import files

    config = Config()
    config.set_main_option("script_location", str(files("mltrl.store") / "migrations"))
    return config


PAST = datetime.now(UTC) - timedelta(days=60)


def _sql(db_url: str, *statements: str) -> None:
    """Raw SQL as someone with write access to the database would run it, append-only triggers lifted."""
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if postgres:
            conn.exec_driver_sql("ALTER TABLE events DISABLE TRIGGER events_append_only")
        else:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS events_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS events_no_delete")
        for statement in statements:
            conn.exec_driver_sql(statement)
        if postgres:
            conn.exec_driver_sql("ALTER TABLE events ENABLE TRIGGER events_append_only")
    engine.dispose()


def _fill(reg: Registry) -> None:
    reg.projects.create("np", "Neuro", at=PAST)
    reg.components.add("np/1", "Model", kind="model", level=2, at=PAST, reason="prior work")
    reg.versions.register("np/1", "model", "1.0.0")
    reg.components.import_history(
        [
            {"ref": "np/1", "kind": "import", "approver": "panel", "at": PAST + timedelta(days=1)},
            {"ref": "np/1", "kind": "pause", "reason": "waiting", "at": PAST + timedelta(days=2)},
        ]
    )
    with reg.transaction(cards=False):  # the bulk path: events written behind, in one executemany
        reg.components.resume("np/1", at=PAST + timedelta(days=3))
        reg.components.switchback("np/1", 2, kind="discovery", reason="gap", at=PAST + timedelta(days=4))
    reg.evidence.record("np/1", "L2.reproducible", kind="metric", outcome="pass", metrics={"auc": 0.91})


def _doctor(capsys: pytest.CaptureFixture[str], db_url: str) -> tuple[int, dict]:
    code = main(["--db", db_url, "doctor", "--json"])
    return code, json.loads(capsys.readouterr().out)


def _event_ids(reg: Registry) -> list[int]:
    return [e["id"] for e in reg.audit.list()]


def test_every_write_path_links_its_events_and_doctor_finds_the_chain_whole(
    registry: Registry, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(registry)
    code, report = _doctor(capsys, db_url)
    assert code == 0 and report["healthy"], report["problems"]
    assert report["events_chained"] == len(_event_ids(registry)) >= 8
    assert main(["--db", db_url, "audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ("UPDATE events SET reason = 'nothing to see' WHERE id = {second}", "event {second} ("),
        ("UPDATE events SET actor = 'mallory' WHERE id = {second}", "was changed after it was written"),
        ("DELETE FROM events WHERE id = {second}", "does not follow event {first}"),
        ("DELETE FROM events WHERE id = {last}", "the last event(s) were deleted"),
    ],
)
def test_a_direct_sql_edit_or_delete_is_named_by_doctor(
    registry: Registry, db_url: str, capsys: pytest.CaptureFixture[str], edit: str, expected: str
) -> None:
    _fill(registry)
    ids = _event_ids(registry)
    where = {"first": ids[0], "second": ids[1], "last": ids[-1]}
    _sql(db_url, edit.format(**where))
    code, report = _doctor(capsys, db_url)
    assert code == 1 and not report["healthy"]
    chain = [p for p in report["problems"] if "event" in p["problem"]]
    assert expected.format(**where) in chain[0]["problem"], chain
    # Reported once, at the first broken link: the events after it hang on it.
    assert len([p for p in chain if "hash" in p["problem"] or "deleted" in p["problem"]]) == 1
    assert chain[0]["component"] in ("np", "(registry)")
    assert main(["--db", db_url, "audit", "verify"]) == 1


def test_a_rewritten_hash_breaks_the_next_link(registry: Registry, db_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    _fill(registry)
    ids = _event_ids(registry)
    # The editor knows the hash function and rehashes the edited event: the next link still breaks.
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        row = dict(conn.exec_driver_sql(f"SELECT * FROM events WHERE id = {ids[2]}").mappings().one())
    engine.dispose()
    row["reason"] = "x"
    forged = event_hash(row, row["prev_hash"])
    _sql(db_url, f"UPDATE events SET reason = 'x', hash = '{forged}' WHERE id = {ids[2]}")
    code, report = _doctor(capsys, db_url)
    assert code == 1
    assert f"event {ids[3]} " in report["problems"][0]["problem"]
    assert f"does not follow event {ids[2]}" in report["problems"][0]["problem"]


def test_concurrent_writers_keep_one_linear_chain(
    registry: Registry,
    db_url: str,
    racing: Callable[[str, list[list[str]]], list[subprocess.CompletedProcess[str]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    registry.projects.create("np", "Neuro")
    for n in range(4):
        registry.components.add(f"np/{n}", f"Part {n}", kind="model", level=4, reason="prior work")
    snippet = """
CRITERION = "L4.applications-demonstrated"
reg = Registry.open(db=sys.argv[2], actor=sys.argv[3])
for k in range(6):
    next_round(k)
    try:
        reg.versions.register(sys.argv[4], "model", f"1.{k}.0")
        reg.evidence.record(sys.argv[4], CRITERION, kind="metric", outcome="pass", metrics={"k": k})
    except MltrlError as exc:
        print(exc.message)
reg.close()
"""
    results = racing(snippet, [[db_url, f"w{n}", f"np/{n % 4}"] for n in range(4)])
    assert all(r.returncode == 0 and not r.stdout for r in results), [r.stdout + r.stderr for r in results]
    code, report = _doctor(capsys, db_url)
    assert code == 0, report["problems"]
    assert report["events_chained"] == len(_event_ids(registry))
    assert report["events_chained"] >= 1 + 4 * 2 + 4 * 6  # every write of every writer is in it


def test_the_migration_chains_the_events_of_an_older_registry(db_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        upgrade(config, "0011_card_storage")
    # Rows as a registry below revision 0012 holds them; Registry.init upgrades and chains them.
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO projects (key, name, description, created_at, created_by) "
            "VALUES ('old', 'Old', '', '2025-01-01 00:00:00', 'someone')"
        )
        conn.exec_driver_sql(
            "INSERT INTO events (project_id, kind, reason, actor, at, data) VALUES "
            "(1, 'project.create', '', 'someone', '2025-01-01 00:00:00', '{\"note\": 1.5}')"
        )
    engine.dispose()
    with Registry.init(db=db_url, actor="tester") as reg:
        reg.projects.create("new", "New")
        assert [e["kind"] for e in reg.audit.list()] == ["project.create", "project.create"]
    code, report = _doctor(capsys, db_url)
    assert code == 0 and report["events_chained"] == 2, report["problems"]


def test_the_chain_starts_from_genesis(registry: Registry, db_url: str) -> None:
    registry.projects.create("np", "Neuro")
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        first = conn.exec_driver_sql("SELECT prev_hash, hash FROM events ORDER BY id").first()
        head = conn.exec_driver_sql("SELECT last_hash, length FROM event_chain").first()
    engine.dispose()
    assert first[0] == GENESIS and len(first[1]) == 64
    assert tuple(head) == (first[1], 1)


def test_imported_history_is_chained_like_single_writes(registry: Registry, tmp_path: Path) -> None:
    registry.projects.create("h", "History", at=PAST)
    registry.components.add("h/1", "Old model", kind="model", level=0, at=PAST, reason="prior work")
    events = [
        {"ref": "h/1", "kind": "import", "approver": "panel", "at": PAST + timedelta(hours=h)}
        for h in range(1, 6)
    ]
    assert registry.components.import_history(events) == 5
    result = registry.audit.verify()
    assert result.problems == [] and result.events_checked == 7


def test_each_hash_is_the_documented_sha256_of_the_event_whatever_encoder_computes_it(
    registry: Registry, db_url: str
) -> None:
    """The formula existing registries were chained with, recomputed from the stored rows with
    nothing but hashlib and json.dumps: a faster encoder must give the very same text."""
    import hashlib

    from mltrl.store.chain import HASHED

    registry.projects.create("np", "Neuro — π", at=PAST)
    registry.components.add("np/1", 'Modèle "ü"', kind="model", level=2, at=PAST, reason="prior\twork é")
    registry.evidence.record("np/1", "L2.reproducible", kind="metric", outcome="pass", metrics={"auc": 0.91})
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.exec_driver_sql("SELECT * FROM events ORDER BY id")]
    engine.dispose()
    assert len(rows) >= 3
    prev = GENESIS
    for row in rows:
        values = [row[c] for c in HASHED]
        at = values[11]
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        values[11] = (at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at).isoformat(
            sep=" ", timespec="microseconds"
        )
        values[12] = json.loads(values[12]) if isinstance(values[12], str) else values[12]
        text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        expected = hashlib.sha256(f"{prev}\n{text}".encode()).hexdigest()
        assert (row["prev_hash"], row["hash"]) == (prev, expected)
        prev = expected
