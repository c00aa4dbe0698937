"""Registry at organisation scale: build time, and the wall time of the commands people run most.

    python benchmarks/registry_scale.py [--projects 1000] [--db URL]

Builds PROJECTS x 10 components x 20 lifecycle events through the Python API
(one transaction per project; graduations as imported history, the path an
organisation takes to load its past into mltrl), then times, as a user would run them:
``mltrl status PROJECT --json`` on this registry and on a one-project registry
(the peer: status must not grow with the registry), ``mltrl report --json``
over everything, and ``mltrl --version`` against a bare ``python -c pass``.
Targets (issue 2): build <= 60 s, status <= 0.3 s, report <= 2 s, start-up
<= 0.15 s above bare Python.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mltrl.service.registry import Registry

COMPONENTS = 10
EVENTS_PER_COMPONENT = 20
KINDS = ["model", "algorithm", "dataset", "data-pipeline", "software-module"]


def build(reg: Registry, projects: int, seed: int = 7) -> int:
    """Fill the registry; return the number of lifecycle events written."""
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=3 * 365)
    written = 0
    for p in range(projects):
        key = f"proj{p:04d}"
        with reg.transaction(cards=False):  # a history load: no card revisions
            reg.projects.create(key, f"Project {p}", at=start)
            for c in range(1, COMPONENTS + 1):
                written += _component_life(reg, f"{key}/{c}", rng, start)
    return written


def _component_life(reg: Registry, ref: str, rng: random.Random, start: datetime) -> int:
    """One component's 20 events: initiate, then legal graduations, switchbacks, pauses and resumes."""
    # Up to level 3 a reason is enough to enter; above it would take an entry review.
    level = entry = rng.randint(0, 3)
    at = start + timedelta(hours=rng.randint(0, 500))
    reason = "history loaded from the team's tracker" if level else ""
    reg.components.add(ref, "component", kind=rng.choice(KINDS), level=level, reason=reason, at=at)
    paused = False
    for _ in range(EVENTS_PER_COMPONENT - 1):
        at += timedelta(hours=rng.randint(1, 72))
        if paused:
            reg.components.resume(ref, at=at)
            paused = False
        elif level > entry and (level == 9 or rng.random() < 0.15):
            level = rng.randint(entry, level - 1)
            reg.components.switchback(ref, level, kind="discovery", reason="gap found", at=at)
        elif rng.random() < 0.1:
            reg.components.pause(ref, reason="waiting for data", at=at)
            paused = True
        else:
            reg.components.import_graduation(ref, approver="panel", to_level=level + 1, at=at)
            level += 1
    return EVENTS_PER_COMPONENT


def per_call_moves(directory: Path, synchronous: str, moves: int = 300) -> float:
    """Median seconds per level move, one transaction per call, under a SQLite synchronous mode."""
    import os

    os.environ["MLTRL_SQLITE_SYNCHRONOUS"] = synchronous
    try:
        url = f"sqlite:///{directory / f'moves-{synchronous.lower()}.db'}"
        with Registry.init(db=url, actor="bench") as reg:
            at = datetime.now(UTC) - timedelta(days=30)
            reg.projects.create("moves", "Moves", at=at)
            reg.components.add("moves/1", "Model", kind="model", level=0, at=at)
            level, times = 0, []
            for _ in range(moves):
                at += timedelta(seconds=1)
                began = time.perf_counter()
                if level < 9:
                    level = reg.components.import_graduation("moves/1", approver="history", at=at).level
                else:
                    level = reg.components.switchback(
                        "moves/1", 0, kind="discovery", reason="again", at=at
                    ).level
                times.append(time.perf_counter() - began)
        return statistics.median(times)
    finally:
        os.environ.pop("MLTRL_SQLITE_SYNCHRONOUS", None)


def wall(argv: list[str], runs: int) -> float:
    """Median wall time of a command, started fresh each run as a user would."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--db", help="registry URL (default: a new SQLite file in a temp dir)")
    args = parser.parse_args()
    mltrl = [sys.executable, "-c", "import sys; from mltrl.cli import main; sys.exit(main())"]
    script = Path(sys.executable).with_name("mltrl")
    if script.exists():
        mltrl = [str(script)]

    with tempfile.TemporaryDirectory() as tmp:
        big = args.db or f"sqlite:///{Path(tmp) / 'big.db'}"
        small = f"sqlite:///{Path(tmp) / 'small.db'}"
        with Registry.init(db=big, actor="bench") as reg:
            began = time.perf_counter()
            events = build(reg, args.projects)
            build_s = time.perf_counter() - began
            total = reg.counts()["events"]
        with Registry.init(db=small, actor="bench") as reg:
            build(reg, 1)

        status_big = wall([*mltrl, "--db", big, "status", "proj0000", "--json"], 7)
        status_small = wall([*mltrl, "--db", small, "status", "proj0000", "--json"], 7)
        report = wall([*mltrl, "--db", big, "report", "--json"], 3)
        version = wall([*mltrl, "--version"], 15)
        bare = wall([sys.executable, "-c", "pass"], 15)
        move_full = per_call_moves(Path(tmp), "FULL")
        move_normal = per_call_moves(Path(tmp), "NORMAL")

    rows = [
        (
            "registry",
            f"{args.projects} projects x {COMPONENTS} components x {EVENTS_PER_COMPONENT} events",
            "",
        ),
        ("lifecycle events written", f"{events:,} ({total:,} events in all)", ""),
        ("build through the Python API", f"{build_s:.1f} s ({events / build_s:,.0f} events/s)", "<= 60 s"),
        ("status PROJECT --json, this registry", f"{status_big:.3f} s", "<= 0.3 s"),
        ("status PROJECT --json, 1-project peer", f"{status_small:.3f} s", "same as above"),
        ("report --json, everything", f"{report:.3f} s", "<= 2 s"),
        ("mltrl --version", f"{version:.3f} s", ""),
        ("python -c pass (peer)", f"{bare:.3f} s", ""),
        ("start-up above bare python", f"{version - bare:.3f} s", "<= 0.15 s"),
        ("per-call move, synchronous FULL (default)", f"{move_full * 1000:.2f} ms", ""),
        ("per-call move, synchronous NORMAL (opt-out)", f"{move_normal * 1000:.2f} ms", ""),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<45} {target}")


if __name__ == "__main__":
    main()
