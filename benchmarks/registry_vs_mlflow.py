"""The registry side by side with MLflow's model registry, on the same machine, in one run.

    python benchmarks/registry_vs_mlflow.py --setup        # once: MLflow in benchmarks/.venvs/mlflow
    python benchmarks/registry_vs_mlflow.py [--pg URL]     # ~10 min; --quick: a smoke run (~1 min)

The same logical workloads in both, each tool in a fresh process per run, runs interleaved, medians
of 3 (``--runs``): register 200 models and 1,000 versions; 1,000 level moves, each one call (mltrl:
``import_graduation``/``switchback`` with card freezing on, as a user gets it; MLflow: an alias and
a tag on a version, on its SQLite store); read every model's state and one model's history; a cold
read of one project's 10 models in a new process (``mltrl status``). mltrl keeps models as
components of projects of 10. Then mltrl alone: the median cost of a move with cards on in a
project of 10 and of 1,000 components, and what the registry grows by per move; synchronous FULL
(default) against NORMAL; bulk history import (``reg.components.import_history``) against a plain
``executemany`` of the very rows it wrote; and with ``--pg`` the moves on PostgreSQL (one
transaction per call) against SQLite's, with cards and bare (no card frozen: what the round trips
of the lifecycle alone cost). docs/benchmarks.md has the figures of a run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from peers import _venvs
from peers._venvs import run

HERE = Path(__file__).resolve().parent
MLTRL_RUN = HERE / "peers" / "mltrl_registry_run.py"
MLFLOW_RUN = HERE / "peers" / "mlflow_registry_peer.py"
MLFLOW = ["mlflow==3.17.*"]


def _wall(argv: list[str], env: dict[str, str] | None = None) -> float:
    began = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - began


def _mltrl_cli() -> list[str]:
    script = Path(sys.executable).with_name("mltrl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mltrl.cli"]


@contextmanager
def _pg_schema(base: str) -> Iterator[str]:
    """A fresh schema on the PostgreSQL server at ``base``, dropped afterwards; the URL to it."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    plain = base.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _median(runs: list[dict], key: str) -> float | None:  # type: ignore[type-arg]
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--setup", action="store_true", help="create MLflow's virtualenv and exit")
    parser.add_argument("--quick", action="store_true", help="a smoke run: small workloads, one run")
    parser.add_argument("--models", type=int, default=200)
    parser.add_argument("--versions", type=int, default=1000)
    parser.add_argument("--moves", type=int, default=1000)
    parser.add_argument("--big", type=int, default=1000, help="components of the big project")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--pg", help="PostgreSQL URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
    )
    args = parser.parse_args()
    if args.setup:
        _venvs.ensure("mlflow", MLFLOW)
        return
    if args.quick:
        args.models, args.versions, args.moves, args.big, args.runs = 20, 50, 30, 100, 1
    mlflow_python = _venvs.python_of("mlflow")
    sizes = (args.models, args.versions, args.moves)
    mltrl_runs: list[dict] = []  # type: ignore[type-arg]
    mlflow_runs: list[dict] = []  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.runs):  # interleaved: a slow minute of the machine hits both tools
            url = f"sqlite:///{tmp}/mltrl-{r}.db"
            mine = run(sys.executable, MLTRL_RUN, "compare", url, *sizes)
            if "error" not in mine:
                mine["cold_read_s"] = _wall([*_mltrl_cli(), "--db", url, "status", "proj0000", "--json"])
            mltrl_runs.append(mine)
            if mlflow_python.exists():
                directory = Path(tmp) / f"mlflow-{r}"
                directory.mkdir()
                theirs = run(mlflow_python, MLFLOW_RUN, directory, *sizes)
                if "error" not in theirs:
                    theirs["cold_read_s"] = _wall(
                        [str(mlflow_python), str(MLFLOW_RUN), directory, *map(str, sizes), "--cold"]
                    )
                mlflow_runs.append(theirs)
            else:
                mlflow_runs.append({"error": "not set up: run with --setup"})
        extra = _mltrl_alone(args, Path(tmp))
    _report(args, mltrl_runs, mlflow_runs, extra)


def _mltrl_alone(args: argparse.Namespace, tmp: Path) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    out: dict[str, list[dict]] = {  # type: ignore[type-arg]
        key: [] for key in ("small", "big", "normal", "bulk", "pg", "sqlite", "pg_bare", "sqlite_bare")
    }
    normal = {**os.environ, "MLTRL_SQLITE_SYNCHRONOUS": "NORMAL"}
    moves = min(args.moves, 200)
    for r in range(args.runs):
        out["small"].append(
            run(sys.executable, MLTRL_RUN, "moves", f"sqlite:///{tmp}/small-{r}.db", 10, moves)
        )
        out["big"].append(
            run(sys.executable, MLTRL_RUN, "moves", f"sqlite:///{tmp}/big-{r}.db", args.big, moves)
        )
        out["normal"].append(_run_env(normal, "moves", f"sqlite:///{tmp}/normal-{r}.db", 10, moves))
        out["bulk"].append(
            run(
                sys.executable,
                MLTRL_RUN,
                "bulk",
                f"sqlite:///{tmp}/bulk-{r}.db",
                args.big,
                f"sqlite:///{tmp}/raw-{r}.db",
            )
        )
        if args.pg:
            with _pg_schema(args.pg) as url:
                out["pg"].append(
                    run(sys.executable, MLTRL_RUN, "compare", url, args.models, args.versions, moves)
                )
            with _pg_schema(args.pg) as url:
                out["pg_bare"].append(run(sys.executable, MLTRL_RUN, "moves", url, 10, moves, "bare"))
            out["sqlite_bare"].append(
                run(sys.executable, MLTRL_RUN, "moves", f"sqlite:///{tmp}/bare-{r}.db", 10, moves, "bare")
            )
            out["sqlite"].append(
                run(
                    sys.executable,
                    MLTRL_RUN,
                    "compare",
                    f"sqlite:///{tmp}/pgpeer-{r}.db",
                    args.models,
                    args.versions,
                    moves,
                )
            )
    return out


def _run_env(env: dict[str, str], *args: object) -> dict:  # type: ignore[type-arg]
    previous = dict(os.environ)
    os.environ.update(env)
    try:
        return run(sys.executable, MLTRL_RUN, *args)
    finally:
        os.environ.clear()
        os.environ.update(previous)


def _report(
    args: argparse.Namespace, mine: list[dict], theirs: list[dict], extra: dict[str, list[dict]]
) -> None:  # type: ignore[type-arg]
    def cell(value: float | None, pattern: str) -> str:
        return "-" if value is None else pattern.format(value)

    errors = [r["error"] for r in mine + theirs + [x for v in extra.values() for x in v] if "error" in r]
    print(
        f"registry vs MLflow: {args.models} models, {args.versions} versions, {args.moves} moves; "
        f"medians of {args.runs} run(s), each tool in a fresh process"
    )
    print(f"{'':40}{'mltrl':>12}{'MLflow':>12}{'MLflow/mltrl':>14}")
    for label, key, pattern in (
        ("register models + versions (s)", "register_s", "{:.2f}"),
        ("moves, one call each, cards on (s)", "moves_s", "{:.2f}"),
        ("  median move (ms)", "move_median_ms", "{:.2f}"),
        ("read every model's state (s)", "read_states_s", "{:.4f}"),
        ("read one model's history (s)", "read_history_s", "{:.4f}"),
        ("cold read, new process (s)", "cold_read_s", "{:.3f}"),
        ("registry growth per move (bytes)", "bytes_per_move", "{:,.0f}"),
    ):
        a, b = _median(mine, key), _median(theirs, key)
        ratio = f"{b / a:.2f}x" if a and b else "-"
        print(f"{label:40}{cell(a, pattern):>12}{cell(b, pattern):>12}{ratio:>14}")
    print()
    small, big = _median(extra["small"], "move_median_ms"), _median(extra["big"], "move_median_ms")
    normal = _median(extra["normal"], "move_median_ms")
    print("mltrl alone")
    print(f"  move, cards on, project of 10 components      {cell(small, '{:.2f} ms')}")
    print(
        f"  move, cards on, project of {args.big:,} components {cell(big, '{:.2f} ms')}"
        + (f"   ({big / small:.2f}x the small project's)" if small and big else "")
    )
    print(
        f"  growth per move, project of 10 / of {args.big:,}     "
        f"{cell(_median(extra['small'], 'bytes_per_move'), '{:,.0f}')} / "
        f"{cell(_median(extra['big'], 'bytes_per_move'), '{:,.0f}')} bytes"
    )
    print(
        f"  move, synchronous FULL (default) / NORMAL     {cell(small, '{:.2f}')} / "
        f"{cell(normal, '{:.2f} ms')}"
    )
    imp, raw = _median(extra["bulk"], "import_per_s"), _median(extra["bulk"], "raw_per_s")
    print(
        f"  bulk import / raw executemany, same rows      {cell(imp, '{:,.0f}')} / "
        f"{cell(raw, '{:,.0f}')} events/s" + (f"   ({imp / raw:.2f}x)" if imp and raw else "")
    )
    if args.pg:
        pg, lite = _median(extra["pg"], "move_median_ms"), _median(extra["sqlite"], "move_median_ms")
        print(
            f"  PostgreSQL / SQLite median move, cards on     {cell(pg, '{:.2f}')} / "
            f"{cell(lite, '{:.2f} ms')}" + (f"   ({pg / lite:.2f}x)" if pg and lite else "")
        )
        pg = _median(extra["pg_bare"], "move_median_ms")
        lite = _median(extra["sqlite_bare"], "move_median_ms")
        print(
            f"  PostgreSQL / SQLite median move, no card      {cell(pg, '{:.2f}')} / "
            f"{cell(lite, '{:.2f} ms')}" + (f"   ({pg / lite:.2f}x)" if pg and lite else "")
        )
        print(
            "  PostgreSQL / SQLite register (s)              "
            f"{cell(_median(extra['pg'], 'register_s'), '{:.2f}')} / "
            f"{cell(_median(extra['sqlite'], 'register_s'), '{:.2f}')}"
        )
    for error in dict.fromkeys(errors):
        print(f"error: {error}")


if __name__ == "__main__":
    main()
