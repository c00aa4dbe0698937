"""A real `mltrl serve` for the dashboard's tests: users with passwords, project ``p`` with a
level-3 component ready for its gate review into level 4 and one at level 4, and a project whose
every free-text field holds markup (XSS attempts). On SQLite, or on a schema of its own on
PostgreSQL."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
from server_site import Site, free_port, start_server, stop_server

from mltrl.service.registry import Registry

#: The organisation's policy: components enter at any level with a reason, and the level-3 panel
#: needs two signatures (research lead and applied AI), so three people can do the whole review.
POLICY = """version: 1
settings:
  entry_without_review_up_to: 9
levels:
  3:
    change_roles:
      software-engineering: {required: false}
"""
#: Markup in every free-text field: it must show as text, never run.
XSS = "<script>alert('xss')</script><img src=x onerror=alert(2)>"
PASSWORDS = {name: f"{name} password" for name in ("carl", "rita", "alan", "vera", "root", "mallory", "dora")}


def populate(reg: Registry) -> None:
    reg.projects.create("p", "Project P", rd_owner="olga")
    reg.components.add("p/3", "Detector", kind="model", level=3, reason="prototype built", owner="olga")
    reg.cards.edit("p", {"ethics": "Reviewed with the clinic's ethics board."}, component="3")
    reg.components.add("p/4", "Ranker", kind="model", level=4, reason="proof of concept", owner="olga")
    ids = reg
    ids.users.add("root", password=PASSWORDS["root"], is_admin=True)
    for name, role in (
        ("carl", "contributor"),
        ("rita", "reviewer"),
        ("alan", "approver"),
        ("vera", "viewer"),
        ("dora", "viewer"),
    ):
        ids.users.add(name, display_name=name.title(), password=PASSWORDS[name])
        ids.roles.grant(name, "p", role)
    # A project where every free text a page shows holds markup.
    reg.projects.create("x", XSS, rd_owner="olga")
    reg.components.add("x/1", XSS, kind="model", level=1, reason=XSS, owner="olga")
    # ... monitored: a reference, a day's window that drifted, and an alert saying so.
    rng = np.random.default_rng(0)
    reg.monitor.set_reference("x/1", pd.DataFrame({"score": rng.normal(0, 1, 500)}))
    reg.monitor.log("x/1", pd.DataFrame({"score": rng.normal(1, 1, 500)}), at="2026-11-20T10:00:00Z")
    reg.alerts.create("x/1", "drift", XSS)
    reg.evidence.record("x/1", reg.catalog.level(1).criteria[0].id, kind="report", outcome="pass", note=XSS)
    reg.requirements.add(
        "x", "1.1.1", f"It shall not run {XSS}", kind="research", p_failure=0.5, value=8, category="science"
    )
    reg.datasets.add("x", "xd", XSS, kind="real", owner=XSS)
    ids.users.add("mallory", display_name=XSS, password=PASSWORDS["mallory"])
    for name in ("carl", "rita", "alan", "mallory"):
        ids.roles.grant(name, "x", "admin" if name == "mallory" else "approver")


@contextmanager
def dashboard_site(db: str, directory: Path, env: dict[str, str] | None = None, *args: str) -> Iterator[Site]:
    """The site on the empty database ``db``, served by `mltrl serve ARGS` with ``env`` added to
    the environment."""
    policy = directory / "policy.yaml"
    policy.write_text(POLICY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLTRL_POLICY", str(policy))
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        with Registry.init(db=db, actor="test-setup") as reg:
            populate(reg)
        log = directory / "server.log"
        url, process = start_server(db, log, *args)
        try:
            yield Site(url, db, {}, log, process)
        finally:
            stop_server(process)


def logged_in(site: Site, name: str) -> httpx.Client:
    """An HTTP client holding ``name``'s session cookie (as a browser would)."""
    client = httpx.Client(base_url=site.url, timeout=30)
    answer = client.post("/login", data={"username": name, "password": PASSWORDS[name], "next": "/"})
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, "the page holds no form with a CSRF token"
    return found.group(1)


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A Slack-like incoming webhook on the loopback: its URL, and the JSON bodies it received."""
    received: list[dict[str, Any]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", received
    finally:
        server.shutdown()


def wait_for(received: list[dict[str, Any]], wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The first body received that is ``wanted`` (the server sends after answering the page)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [body for body in received if wanted(body)]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no such notification arrived; received: {received}")
