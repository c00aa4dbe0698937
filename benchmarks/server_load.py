"""The team server under load, side by side with `mlflow server`, on the same machine, in one run.

    python benchmarks/server_load.py --setup                 # once: MLflow in benchmarks/.venvs/mlflow
    python benchmarks/server_load.py [--pg URL]              # 50 clients x 60 s per server, ~6 min
    python benchmarks/server_load.py --quick [--no-mlflow]   # a smoke run (seconds)

Loopback only. Locust (as a library, benchmarks/peers/load_driver.py) runs ``--clients`` simulated
people for ``--duration`` seconds against each server, joining at ``--spawn-rate`` (10) a second as
people arrive (the ramp-up is part of the figures), each waiting ``--wait`` seconds between
tasks: mixed reads (status, card, component, evidence list, gate) and writes (evidence, and a
level-0 review taken round: open, panel, sign, decide). mltrl runs on SQLite with one worker and,
with ``--pg``, on PostgreSQL with ``--pg-workers`` (4); MLflow's registry server (its own
virtualenv) does the closest work — read registered models, versions and aliases; register model
versions, set aliases and tags — on the same backends and worker counts.

Printed: p50/p95/p99 of reads and of writes, throughput, 5xx count, and for mltrl the events in
the log afterwards against the acknowledged writes (zero lost, zero duplicated); then the cost of
token authentication: the median of an authenticated cheap read (GET /api/v1/me) against the
anonymous /healthz, sequential, on an idle server. docs/benchmarks.md has the figures of a run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from peers import _venvs

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "peers" / "load_driver.py"
MLFLOW = ["mlflow==3.17.*", "psycopg2-binary>=2.9"]
PROJECT = "load"
#: The event each acknowledged write leaves in the log: exactly one.
EVENT_OF = {
    "evidence": "evidence.record",
    "review-open": "review.open",
    "review-panel": "review.member",
    "review-sign": "review.sign",
    "review-decide": "review.decide",
}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"the server did not become ready: {log.read_text()[-2000:]}")


@contextmanager
def _process(argv: list[str], ready: str, log: Path, env: dict[str, str] | None = None) -> Iterator[None]:
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env or os.environ.copy())
    try:
        _wait_ready(ready, process, log)
        yield
    finally:
        process.terminate()  # SIGTERM: both drain what is in flight
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def _pg_schema(base: str, scheme: str | None = None) -> Iterator[str]:
    """A fresh schema on the PostgreSQL server at ``base``, dropped afterwards; a URL into it."""
    import psycopg

    schema = f"load_{uuid.uuid4().hex[:10]}"
    plain = base.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = base if scheme is None else plain.replace("postgresql://", f"{scheme}://", 1)
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _mltrl() -> str:
    script = Path(sys.executable).with_name("mltrl")
    return str(script) if script.exists() else f"{sys.executable} -m mltrl.cli"


# --- mltrl ------------------------------------------------------------------------------------------


def _populate_mltrl(db: str, clients: int) -> list[dict[str, Any]]:
    """Project ``load`` with one level-0 component per client, owned by someone else; one user per
    client, admin of the project (every action), with a token; returns what the driver needs."""
    from mltrl.service.registry import Registry

    people = []
    with Registry.init(db=db, actor="bench-setup") as reg, reg.transaction(cards=False):
        reg.projects.create(PROJECT, "Load test", rd_owner="olga")
        ids = reg
        for i in range(clients):
            code = str(i + 1)
            reg.components.add(f"{PROJECT}/{code}", f"Model {code}", kind="model", level=0, owner="olga")
            name = f"user{i + 1}"
            ids.users.add(name)
            ids.roles.grant(name, PROJECT, "admin")
            _, token = ids.tokens.create(name, scopes=["read", "write", "approve"], expires="1d")
            people.append({"name": name, "token": token, "project": PROJECT, "component": code})
    return people


def _events(db: str) -> Counter[str]:
    from mltrl.service.registry import Registry

    with Registry.open(db, actor="bench-count") as reg:
        return Counter(e.kind for e in reg.history(PROJECT))


def _auth_overhead(url: str, token: str, rounds: int) -> dict[str, float]:
    """Medians of /healthz (anonymous) and GET /api/v1/me (token checked), interleaved, one
    keep-alive connection, so the difference is what checking the token costs."""
    anonymous: list[float] = []
    authenticated: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(20):  # warm both paths
            client.get("/healthz")
            client.get("/api/v1/me", headers=headers)
        for _ in range(rounds):
            began = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            anonymous.append(time.perf_counter() - began)
            began = time.perf_counter()
            assert client.get("/api/v1/me", headers=headers).status_code == 200
            authenticated.append(time.perf_counter() - began)
    a, b = statistics.median(anonymous) * 1000, statistics.median(authenticated) * 1000
    return {"anonymous_ms": round(a, 3), "token_ms": round(b, 3), "overhead_ms": round(b - a, 3)}


def run_mltrl(db: str, args: argparse.Namespace, workers: int, work: Path, auth: bool) -> dict[str, Any]:
    people = _populate_mltrl(db, args.clients)
    users = work / f"mltrl-users-{workers}.json"
    users.write_text(json.dumps(people))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [*_mltrl().split(), "--db", db, "serve", "--port", str(port), "--workers", str(workers)]
    result: dict[str, Any] = {}
    with _process(argv, f"{url}/readyz", work / f"mltrl-{workers}.log"):
        if auth:
            result["auth"] = _auth_overhead(url, people[0]["token"], args.auth_rounds)
        before = _events(db)
        result.update(_drive("mltrl", url, args, users))
    after = _events(db)
    result["events"] = _event_check(before, after, result.get("outcomes", {}))
    return result


def _event_check(before: Counter[str], after: Counter[str], outcomes: dict[str, int]) -> dict[str, Any]:
    """Per kind: the events the log gained against the writes the server acknowledged (2xx)."""
    acknowledged: Counter[str] = Counter()
    for key, n in outcomes.items():
        op, status = key.rsplit(" ", 1)
        if op in EVENT_OF and 200 <= int(status) < 300:
            acknowledged[EVENT_OF[op]] += n
    gained = after - before
    kinds = sorted(set(acknowledged) | set(gained))
    mismatched = {
        k: {"acknowledged": acknowledged[k], "in_log": gained[k]}
        for k in kinds
        if acknowledged[k] != gained[k]
    }
    return {
        "acknowledged": sum(acknowledged.values()),
        "in_log": sum(gained.values()),
        "lost": sum(max(0, acknowledged[k] - gained[k]) for k in kinds),
        "duplicated": sum(max(0, gained[k] - acknowledged[k]) for k in kinds),
        "mismatched": mismatched,
    }


# --- MLflow -----------------------------------------------------------------------------------------


def _populate_mlflow(url: str, clients: int) -> list[dict[str, Any]]:
    people = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for i in range(clients):
            name = f"model{i + 1}"
            client.post("/api/2.0/mlflow/registered-models/create", json={"name": name}).raise_for_status()
            client.post(
                "/api/2.0/mlflow/model-versions/create",
                json={"name": name, "source": f"s3://models/{name}/1"},
            ).raise_for_status()
            alias = {"name": name, "alias": "champion", "version": "1"}
            client.post("/api/2.0/mlflow/registered-models/alias", json=alias).raise_for_status()
            people.append({"model": name})
        # Each route once before the clock starts, as mltrl's are by its readiness probe and setup.
        for path in (
            "registered-models/get",
            "model-versions/search",
            "registered-models/get-latest-versions",
        ):
            client.get(f"/api/2.0/mlflow/{path}", params={"name": "model1", "filter": "name='model1'"})
    return people


def run_mlflow(backend: str, args: argparse.Namespace, workers: int, work: Path) -> dict[str, Any]:
    python = _venvs.python_of("mlflow")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    artifacts = work / f"mlflow-artifacts-{workers}"
    argv = [
        str(python.with_name("mlflow")),
        "server",
        "--backend-store-uri",
        backend,
        "--default-artifact-root",
        artifacts.as_uri(),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with _process(argv, f"{url}/health", work / f"mlflow-{workers}.log"):
        users = work / f"mlflow-users-{workers}.json"
        users.write_text(json.dumps(_populate_mlflow(url, args.clients)))
        return _drive("mlflow", url, args, users)


# --- common -----------------------------------------------------------------------------------------


def _drive(target: str, url: str, args: argparse.Namespace, users: Path) -> dict[str, Any]:
    low, high = args.wait
    return _venvs.run(
        sys.executable,
        DRIVER,
        target,
        url,
        args.clients,
        args.duration,
        low,
        high,
        users,
        args.spawn_rate,
        timeout=args.duration + 120,
    )


def _row(label: str, r: dict[str, Any]) -> str:
    if "error" in r:
        return f"{label:<34} error: {r['error']}"

    def cell(group: str) -> str:
        g = r.get(group, {})
        if not g.get("n"):
            return f"{'-':>24}"
        return f"{g['p50_ms']:>6.0f} {g['p95_ms']:>6.0f} {g['p99_ms']:>6.0f} {g['rps']:>5.1f}"

    events = r.get("events")
    check = (
        ""
        if events is None
        else f"  lost {events['lost']}, duplicated {events['duplicated']} of {events['acknowledged']}"
    )
    return f"{label:<34} {cell('read')}   {cell('write')}   {r.get('server_errors', '?'):>4}{check}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--setup", action="store_true", help="create MLflow's virtualenv and exit")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5 clients for 4 s")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load per server")
    parser.add_argument(
        "--wait", type=float, nargs=2, default=(0.5, 1.5), metavar=("MIN", "MAX"), help="think time, seconds"
    )
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=10,
        help="clients joining per second until all are in (locust's spawn rate; default 10)",
    )
    parser.add_argument("--pg", metavar="URL", help="also PostgreSQL (postgresql+psycopg://...)")
    parser.add_argument("--pg-workers", type=int, default=4)
    parser.add_argument("--no-mlflow", action="store_true", help="mltrl alone")
    parser.add_argument("--auth-rounds", type=int, default=500)
    parser.add_argument("--json", action="store_true", help="also print every figure as one JSON line")
    args = parser.parse_args()
    if args.setup:
        _venvs.ensure("mlflow", MLFLOW)
        return
    if args.quick:
        args.clients, args.duration, args.auth_rounds = min(args.clients, 5), min(args.duration, 4), 100
        args.wait = (0.05, 0.2)
        args.spawn_rate = max(args.spawn_rate, args.clients)
    mlflow = not args.no_mlflow
    if mlflow and not _venvs.python_of("mlflow").exists():
        raise SystemExit("MLflow's virtualenv is missing: run with --setup once (or --no-mlflow)")
    figures: dict[str, Any] = {}
    work = Path(tempfile.mkdtemp(prefix="mltrl-load-"))
    try:
        think = f"think time {args.wait[0]:g}-{args.wait[1]:g} s"
        ramp = f"joining at {args.spawn_rate:g}/s"
        print(f"{args.clients} clients x {args.duration:g} s per server ({ramp}), {think}")
        figures["mltrl sqlite, 1 worker"] = run_mltrl(
            f"sqlite:///{work / 'mltrl.db'}", args, 1, work, auth=True
        )
        if mlflow:
            backend = f"sqlite:///{work / 'mlflow.db'}"
            figures["mlflow server sqlite, 1 worker"] = run_mlflow(backend, args, 1, work)
        if args.pg:
            w = args.pg_workers
            with _pg_schema(args.pg) as url:
                figures[f"mltrl postgresql, {w} workers"] = run_mltrl(url, args, w, work, auth=False)
            if mlflow:
                with _pg_schema(args.pg, scheme="postgresql+psycopg2") as url:  # MLflow's driver
                    figures[f"mlflow server postgresql, {w} workers"] = run_mlflow(url, args, w, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(
        f"{'':<34} {'reads: p50 p95 p99 ms, req/s':>24}   {'writes: p50 p95 p99 ms, req/s':>24}   5xx  events"
    )
    for label, result in figures.items():
        print(_row(label, result))
    settled = {k: r["read_settled"] for k, r in figures.items() if r.get("read_settled", {}).get("n")}
    if settled:
        print("\nreads p99 once every client is in (after the ramp-up):")
        for label, s in settled.items():
            print(f"  {label:<32} {s['p99_ms']:>6.0f} ms  (of {s['n']} reads)")
    auth = figures["mltrl sqlite, 1 worker"].get("auth")
    if auth:
        print(
            f"\ntoken authentication: /healthz {auth['anonymous_ms']:.2f} ms, GET /api/v1/me with a token "
            f"{auth['token_ms']:.2f} ms (medians): {auth['overhead_ms']:+.2f} ms (target <= 2 ms)"
        )
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
