"""Helpers of the server tests: a real `mltrl serve` process on a free port over a fresh registry
(SQLite, or PostgreSQL when ``MLTRL_TEST_DATABASE_URL`` is set), with one user per project role and
a token for each."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from mltrl.service.registry import Registry

#: The ``database_in`` fixture (tests/conftest.py): an empty database on the backend under test.
DatabaseIn = Callable[[Path], AbstractContextManager[str]]

MLTRL = str(Path(sys.executable).parent / "mltrl")
#: One user per role on project ``p``; ``outsider`` has a role on ``q`` only; ``root`` is a site admin.
ROLE_USERS = {
    "viewer": "vera",
    "contributor": "carl",
    "reviewer": "rita",
    "approver": "alan",
    "admin": "adele",
}


@dataclass
class Site:
    url: str
    db: str
    tokens: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes]
    extra: dict[str, Any] = field(default_factory=dict)

    def client(self, user: str | None) -> httpx.Client:
        headers = {} if user is None else {"Authorization": f"Bearer {self.tokens[user]}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def registry(self) -> Registry:
        return Registry.open(self.db, actor="test-setup")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db: str, log: Path, *args: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [MLTRL, "--db", db, "serve", "--port", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text()}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return url, process
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise AssertionError(f"the server did not become ready: {log.read_text()}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # SIGTERM: uvicorn's graceful shutdown
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def populate(reg: Registry) -> dict[str, str]:
    """Projects ``p`` and ``q``, components p/1 (level 1) and p/7 (level 7), users, roles, tokens."""
    reg.projects.create("p", "Project P", rd_owner="olga")
    reg.projects.create("q", "Project Q")
    reg.components.add("p/1", "Detector", kind="model", level=1, reason="research done", owner="olga")
    reg.components.add("p/7", "Ranker", kind="model", level=7, reason="imported at 7", owner="olga")
    reg.components.add("q/1", "Other", kind="model", level=1, reason="research done")
    ids = reg
    tokens = {}
    ids.users.add("root", password="root password", is_admin=True)
    for role, name in ROLE_USERS.items():
        ids.users.add(name, display_name=name.title())
        ids.roles.grant(name, "p", role)
    ids.users.add("quentin")  # approver on q only
    ids.roles.grant("quentin", "q", "approver")
    ids.users.add("qa")  # approves from level 7 only
    ids.roles.grant("qa", "p", "approver", min_level=7)
    everything = ["read", "write", "approve", "admin"]
    for name in ("root", *ROLE_USERS.values(), "quentin", "qa"):
        _, tokens[name] = ids.tokens.create(name, scopes=everything, expires="1d")
    return tokens


#: As in tests/conftest.py: a policy letting components enter at any level.
LENIENT_ENTRY = "version: 1\nsettings:\n  entry_without_review_up_to: 9\n"
