"""The load generator of benchmarks/server_load.py: locust, as a library, in a process of its own.

    python load_driver.py TARGET URL CLIENTS SECONDS WAIT_MIN WAIT_MAX USERS.json SPAWN_RATE

TARGET is ``mltrl`` or ``mlflow``; USERS.json lists one entry per simulated client (its token and
component for mltrl, its model for MLflow). Clients join at SPAWN_RATE a second (locust's spawn
rate), as people arrive, until all CLIENTS are in; each sends its first request as it joins and
then waits WAIT_MIN..WAIT_MAX seconds between
tasks, as a person or a CI job does. Requests are grouped as ``read`` and ``write`` in locust's
statistics (their percentiles are what the benchmark prints); each write's operation and status
are counted apart, so the caller can check that every acknowledged write left exactly its events.
Prints one JSON object on its last line.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()  # before anything imports ssl or sockets: locust runs its clients as greenlets

import itertools  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
from locust import HttpUser, between, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

TARGET, URL, CLIENTS, SECONDS, WAIT_MIN, WAIT_MAX, USERS, SPAWN_RATE = sys.argv[1:9]
PEOPLE: list[dict[str, Any]] = json.loads(open(USERS).read())  # noqa: SIM115
NEXT = itertools.count()
#: (operation, HTTP status) of every request, and of writes only the acknowledged ones matter.
OUTCOMES: Counter[tuple[str, int]] = Counter()
TIMEOUT = 60
#: Percentiles are also given for what follows the ramp-up (every client in), the load itself.
RAMP_S = int(CLIENTS) / float(SPAWN_RATE)
#: (seconds since the start, group, milliseconds) of every request.
TIMES: list[tuple[float, str, float]] = []
STARTED = [0.0]


@events.request.add_listener
def _count(
    name: str, response: Any, context: dict[str, Any], exception: Any, response_time: float = 0.0, **_: Any
) -> None:
    status = getattr(response, "status_code", 0) or 0  # 0: no answer (a connection error)
    OUTCOMES[(context.get("op", name), status)] += 1
    TIMES.append((time.monotonic() - STARTED[0], name, response_time))


class _Client(HttpUser):
    abstract = True
    wait_time = between(float(WAIT_MIN), float(WAIT_MAX))

    def on_start(self) -> None:
        self.me = PEOPLE[next(NEXT) % len(PEOPLE)]

    def read(self, op: str, path: str, **kwargs: Any) -> Any:
        return self._call("GET", "read", op, path, **kwargs)

    def write(self, method: str, op: str, path: str, body: dict[str, Any]) -> Any:
        return self._call(method, "write", op, path, json=body)

    def _call(self, method: str, group: str, op: str, path: str, **kwargs: Any) -> Any:
        with self.client.request(
            method,
            path,
            name=group,
            context={"op": op},
            headers=self.headers(),
            timeout=TIMEOUT,
            catch_response=True,
            **kwargs,
        ) as response:
            if response.status_code >= 400:
                response.failure(f"{op}: {response.status_code}")
            return response

    def headers(self) -> dict[str, str]:
        return {}


class Mltrl(_Client):
    """A team member on the mltrl server: reads status, cards, components, evidence and gates;
    records evidence; and takes a level-0 review of their own component round and round (open,
    sit on the panel, sign asking for changes, decide "tasks"): five kinds of write, each one event."""

    def on_start(self) -> None:
        super().on_start()
        self.base = f"/api/v1/projects/{self.me['project']}"
        self.code = self.me["component"]
        self.step, self.review = 0, None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.me['token']}"}

    @task(3)
    def status(self) -> None:
        self.read("status", f"{self.base}/status")

    @task(2)
    def card(self) -> None:
        self.read("card", f"{self.base}/card", params={"component": self.code})

    @task(2)
    def component(self) -> None:
        self.read("component", f"{self.base}/components/{self.code}")

    @task(2)
    def evidence_list(self) -> None:
        self.read("evidence-list", f"{self.base}/components/{self.code}/evidence")

    @task(1)
    def gate(self) -> None:
        self.read("gate", f"{self.base}/components/{self.code}/gate", params={"next": "true"})

    @task(2)
    def evidence(self) -> None:
        body = {
            "kind": "data-check",
            "outcome": "pass",
            "criterion": "L0.data-readiness",
            "metrics": {"rows": 1000},
        }
        self.write("POST", "evidence", f"{self.base}/components/{self.code}/evidence", body)

    @task(2)
    def review_step(self) -> None:
        """One step of the review round; a refused step starts the round again."""
        me = self.me["name"]
        if self.step == 0:
            r = self.write("POST", "review-open", f"{self.base}/components/{self.code}/reviews", {})
            self.review = r.json().get("id") if r.status_code == 201 else None
        elif self.step == 1:
            body = {"role": "research-lead", "person": me}
            r = self.write("POST", "review-panel", f"{self.base}/reviews/{self.review}/panel", body)
        elif self.step == 2:
            body = {"verdict": "request-changes", "tasks": ["more data => 1000 labelled rows"]}
            r = self.write("POST", "review-sign", f"{self.base}/reviews/{self.review}/signatures", body)
        else:
            r = self.write(
                "POST", "review-decide", f"{self.base}/reviews/{self.review}/decision", {"decision": "tasks"}
            )
        ok = r.status_code < 300 and (self.step != 0 or self.review is not None)
        self.step = (self.step + 1) % 4 if ok else 0


class Mlflow(_Client):
    """The closest work on MLflow's model registry: read a registered model, its versions and an
    alias; register model versions, set aliases and tags on them."""

    def on_start(self) -> None:
        super().on_start()
        self.model = self.me["model"]
        self.latest = "1"
        self.flip = False

    @task(3)
    def get_model(self) -> None:
        self.read("get-model", "/api/2.0/mlflow/registered-models/get", params={"name": self.model})

    @task(2)
    def get_version(self) -> None:
        params = {"name": self.model, "version": self.latest}
        self.read("get-version", "/api/2.0/mlflow/model-versions/get", params=params)

    @task(2)
    def search_versions(self) -> None:
        params = {"filter": f"name='{self.model}'", "max_results": 50}
        self.read("search-versions", "/api/2.0/mlflow/model-versions/search", params=params)

    @task(2)
    def get_alias(self) -> None:
        params = {"name": self.model, "alias": "champion"}
        self.read("get-alias", "/api/2.0/mlflow/registered-models/alias", params=params)

    @task(1)
    def latest_versions(self) -> None:
        self.read(
            "latest", "/api/2.0/mlflow/registered-models/get-latest-versions", params={"name": self.model}
        )

    @task(2)
    def create_version(self) -> None:
        body = {
            "name": self.model,
            "source": f"s3://models/{self.model}/{self.latest}",
            "description": "load",
        }
        r = self.write("POST", "version-create", "/api/2.0/mlflow/model-versions/create", body)
        if r.status_code == 200:
            self.latest = r.json()["model_version"]["version"]

    @task(2)
    def alias_or_tag(self) -> None:
        self.flip = not self.flip
        if self.flip:
            body = {"name": self.model, "alias": "champion", "version": self.latest}
            self.write("POST", "alias-set", "/api/2.0/mlflow/registered-models/alias", body)
        else:
            body = {"name": self.model, "version": self.latest, "key": "stage", "value": "canary"}
            self.write("POST", "tag-set", "/api/2.0/mlflow/model-versions/set-tag", body)


def _percentiles(entry: Any) -> dict[str, Any]:
    if entry.num_requests == 0:
        return {"n": 0}
    return {
        "n": entry.num_requests,
        "failures": entry.num_failures,
        "p50_ms": entry.get_response_time_percentile(0.50),
        "p95_ms": entry.get_response_time_percentile(0.95),
        "p99_ms": entry.get_response_time_percentile(0.99),
        "rps": round(entry.total_rps, 1),
    }


def main() -> None:
    user = {"mltrl": Mltrl, "mlflow": Mlflow}[TARGET]
    # When the time is up, each client finishes the task it is in (its request answered and counted)
    # before it stops: a client killed mid-request would leave a write in the log nobody counted.
    env = Environment(user_classes=[user], host=URL, events=events, stop_timeout=TIMEOUT)
    runner = env.create_local_runner()
    clients = int(CLIENTS)
    STARTED[0] = time.monotonic()
    runner.start(clients, spawn_rate=float(SPAWN_RATE))
    gevent.spawn_later(float(SECONDS), runner.quit)
    runner.greenlet.join()
    stats = env.stats
    writes = Counter()
    for (op, status), n in OUTCOMES.items():
        writes[f"{op} {status}"] += n
    print(
        json.dumps(
            {
                "read": _percentiles(stats.get("read", "GET")),
                "read_settled": _settled("read"),
                "write": _percentiles(_merged(stats, "write")),
                "server_errors": sum(n for (_, status), n in OUTCOMES.items() if status >= 500),
                "no_answer": sum(n for (_, status), n in OUTCOMES.items() if status == 0),
                "outcomes": dict(sorted(writes.items())),
            }
        )
    )


def _settled(group: str) -> dict[str, Any]:
    """The p99 of ``group`` once every client is in (after :data:`RAMP_S` seconds)."""
    times = sorted(ms for at, name, ms in TIMES if name == group and at >= RAMP_S)
    if not times:
        return {"n": 0}
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return {"n": len(times), "after_s": RAMP_S, "p99_ms": p99}


def _merged(stats: Any, name: str) -> Any:
    """The write entries of every method (POST, PATCH) as one, for one set of percentiles."""
    from locust.stats import StatsEntry

    merged = StatsEntry(stats, name, "ANY", use_response_times_cache=False)
    for entry in stats.entries.values():
        if entry.name == name:
            merged.extend(entry)
    return merged


if __name__ == "__main__":
    main()
