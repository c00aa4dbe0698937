"""Run with mltrl's own interpreter: the registry workloads of registry_vs_mlflow.py, JSON out.

    python mltrl_registry_run.py compare URL MODELS VERSIONS MOVES   # the workloads MLflow runs too
    python mltrl_registry_run.py moves URL COMPONENTS MOVES [bare]   # per-call moves, cards on (or off)
    python mltrl_registry_run.py bulk URL COMPONENTS RAW_URL         # import_history vs executemany

``compare``: MODELS models as components of projects of 10, VERSIONS model versions between them,
then MOVES level moves, each one call (one transaction) with card freezing on, as a user gets it;
then every project's status and one component's history. ``moves``: one project of COMPONENTS
components, MOVES moves spread over its first 10: the median cost of one move and the bytes the
registry grows by per move (``bare``: each move in a transaction that freezes no card, what the
lifecycle alone costs). ``bulk``: 19 history events for each of COMPONENTS components through
``reg.components.import_history``, then the very rows it wrote inserted with a plain
``executemany`` into the same empty registry at RAW_URL (SQLite only).
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import time
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mltrl.service.registry import Registry
from mltrl.store.chain import HASHED

PER_PROJECT = 10
START = datetime.now(UTC) - timedelta(days=900)


def _size(url: str) -> int | None:
    """Bytes of a SQLite registry with its write-ahead log checkpointed; None for PostgreSQL."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Path(path).stat().st_size


def _moves(reg: Registry, refs: list[str], moves: int, at: datetime, *, cards: bool = True) -> list[float]:
    """``moves`` level moves, one call each, round the components: up to 9, then back to 0.
    ``cards=False``: each in a transaction of its own that freezes no card (the bare move)."""
    levels = {ref: reg.components.get(ref).level for ref in refs}
    times = []
    for i in range(moves):
        ref = refs[i % len(refs)]
        at += timedelta(seconds=1)
        began = time.perf_counter()
        with nullcontext() if cards else reg.transaction(cards=False):
            if levels[ref] < 9:
                levels[ref] = reg.components.import_graduation(ref, approver="panel", at=at).level
            else:
                levels[ref] = reg.components.switchback(ref, 0, kind="discovery", reason="again", at=at).level
        times.append(time.perf_counter() - began)
    return times


def compare(url: str, models: int, versions: int, moves: int) -> dict[str, float]:
    out: dict[str, float] = {}
    with Registry.init(db=url, actor="bench") as reg:
        reg.catalog  # noqa: B018 (the policy is read once, as any first write would)
        refs = [f"proj{m // PER_PROJECT:04d}/{m % PER_PROJECT + 1}" for m in range(models)]
        began = time.perf_counter()
        for key in sorted({r.split("/")[0] for r in refs}):
            reg.projects.create(key, key, at=START)
        for ref in refs:
            reg.components.add(ref, "model", kind="model", level=0, at=START)
        for v in range(versions):
            reg.versions.register(refs[v % models], "model", f"1.{v // models}", uri=f"file:///models/{v}")
        out["register_s"] = time.perf_counter() - began
        before = _size(url)
        times = _moves(reg, refs, moves, START)
        out["moves_s"] = sum(times)
        out["move_median_ms"] = statistics.median(times) * 1000
        after = _size(url)
        if before is not None and after is not None:
            out["bytes_per_move"] = (after - before) / max(1, moves)
        began = time.perf_counter()
        for project in reg.projects.list():
            reg.status(project.key)
        out["read_states_s"] = time.perf_counter() - began
        began = time.perf_counter()
        reg.history(refs[0])
        out["read_history_s"] = time.perf_counter() - began
    return out


def project_moves(url: str, components: int, moves: int, cards: bool = True) -> dict[str, float]:
    with Registry.init(db=url, actor="bench") as reg:
        reg.catalog  # noqa: B018
        with reg.transaction(cards=False):
            reg.projects.create("big", "Big", at=START)
            for c in range(1, components + 1):
                reg.components.add(f"big/{c}", "model", kind="model", level=0, at=START)
        refs = [f"big/{c}" for c in range(1, min(components, PER_PROJECT) + 1)]
        _moves(reg, refs, min(len(refs), moves), START, cards=cards)  # first revisions: stored whole
        before = _size(url)
        times = _moves(reg, refs, moves, START + timedelta(days=1), cards=cards)
        after = _size(url)
    out = {"move_median_ms": statistics.median(times) * 1000}
    if before is not None and after is not None:
        out["bytes_per_move"] = (after - before) / moves
    return out


def bulk(url: str, components: int, raw_url: str) -> dict[str, float]:
    import random

    from mltrl.service._store import _INSERT_EVENT
    from mltrl.store.engine import sqlite_synchronous

    rng = random.Random(7)
    for target in (url, raw_url):
        with Registry.init(db=target, actor="bench") as reg, reg.transaction(cards=False):
            reg.projects.create("hist", "History", at=START)
            for c in range(components):
                reg.components.add(f"hist/{c}", "model", kind="model", level=0, at=START)
    events: list[dict[str, object]] = []
    for c in range(components):
        level, at, paused = 0, START, False
        for _ in range(19):
            at += timedelta(hours=rng.randint(1, 30))
            ref = f"hist/{c}"
            if paused:
                events.append({"ref": ref, "kind": "resume", "at": at})
                paused = False
            elif level > 0 and (level == 9 or rng.random() < 0.15):
                level = rng.randint(0, level - 1)
                events.append(
                    {
                        "ref": ref,
                        "kind": "switchback",
                        "to_level": level,
                        "switchback": "discovery",
                        "reason": "gap found",
                        "at": at,
                    }
                )
            elif rng.random() < 0.1:
                events.append({"ref": ref, "kind": "pause", "reason": "waiting for data", "at": at})
                paused = True
            else:
                events.append({"ref": ref, "kind": "import", "approver": "panel", "at": at})
                level += 1
    with Registry.open(db=url, actor="bench") as reg:
        reg.catalog  # noqa: B018
        began = time.perf_counter()
        written = reg.components.import_history(events)
        import_s = time.perf_counter() - began
    # The raw insert writes the hashes the import computed (it computes none).
    columns = [*HASHED, "prev_hash", "hash"]
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        rows = [
            dict(zip(columns, row, strict=True))
            for row in conn.execute(f"SELECT {', '.join(columns)} FROM events WHERE seq > 1 ORDER BY id")
        ]
    raw = sqlite3.connect(raw_url.removeprefix("sqlite:///"), isolation_level=None)
    raw.execute(f"PRAGMA synchronous={sqlite_synchronous()}")  # as the import committed
    raw.execute("PRAGMA journal_mode=WAL")
    began = time.perf_counter()
    raw.execute("BEGIN")
    raw.executemany(_INSERT_EVENT, rows)
    raw.execute("COMMIT")
    raw_s = time.perf_counter() - began
    raw.close()
    return {"events": written, "import_per_s": written / import_s, "raw_per_s": len(rows) / raw_s}


if __name__ == "__main__":
    mode, url, *rest = sys.argv[1:]
    if mode == "compare":
        result = compare(url, *map(int, rest))
    elif mode == "moves":
        result = project_moves(url, int(rest[0]), int(rest[1]), cards=rest[2:] != ["bare"])
    else:
        result = bulk(url, int(rest[0]), rest[1])
    print(json.dumps(result))
