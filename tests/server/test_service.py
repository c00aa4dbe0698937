"""`mltrl serve` as a service (issue 13, item 8): settings from options, environment and a file;
graceful shutdown of a real process on SIGTERM; JSON logs that name every refusal; behind a proxy."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from server_site import MLTRL, Site, free_port

from mltrl.cli import main
from mltrl.server.config import ServerConfig, load


def test_options_win_over_the_environment_which_wins_over_the_file(tmp_path: Path) -> None:
    file = tmp_path / "server.yaml"
    file.write_text("port: 9000\nworkers: 2\nroot_path: /mltrl\n")
    env = {"MLTRL_SERVER_PORT": "9100", "MLTRL_SERVER_PROXY_HEADERS": "true"}
    config = load(file, {"workers": 3}, env)
    assert (config.port, config.workers, config.root_path, config.proxy_headers) == (9100, 3, "/mltrl", True)
    toml = tmp_path / "server.toml"
    toml.write_text('[server]\nhost = "0.0.0.0"\ngraceful_timeout = 5\n')
    assert load(toml, {}, {}).model_dump(include={"host", "graceful_timeout"}) == {
        "host": "0.0.0.0",
        "graceful_timeout": 5.0,
    }
    assert load(None, {}, {}) == ServerConfig()


@pytest.mark.parametrize(
    ("content", "env", "message"),
    [
        ("prot: 9000\n", {}, "unknown setting 'prot'; settings: host, port"),
        ("port: 70000\n", {}, "server.yaml: port: Input should be less than or equal to 65535"),
        ("root_path: mltrl/\n", {}, "root_path: Value error, give a path that starts with /"),
        ("- 1\n", {}, "must be a mapping of setting to value"),
        ("port: [1\n", {}, "not valid YAML"),
        ("", {"MLTRL_SERVER_PORT": "nine"}, "$MLTRL_SERVER_PORT: Input should be a valid integer"),
        (
            "",
            {"MLTRL_SERVER_PROXY_HEADERS": "perhaps"},
            "$MLTRL_SERVER_PROXY_HEADERS: 'perhaps' is not true or false",
        ),
    ],
)
def test_a_bad_setting_is_one_line_naming_where_it_is_before_anything_listens(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: str,
    env: dict[str, str],
    message: str,
) -> None:
    from mltrl.service.registry import Registry

    Registry.init(tmp_path).close()
    file = tmp_path / "server.yaml"
    file.write_text(content)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = main(["--db", f"sqlite:///{tmp_path / '.mltrl' / 'registry.db'}", "serve", "--config", str(file)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("error: ") and message in err and "\n" not in err, err


def _serve(site: Site, log: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [MLTRL, "--db", site.db, "serve", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )


def _ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(log.read_text())


def test_sigterm_lets_the_request_in_flight_finish_then_exits(site: Site, tmp_path: Path) -> None:
    """A request whose body is still arriving when SIGTERM comes is answered and recorded; new
    connections are refused meanwhile; the process then stops cleanly."""
    port = free_port()
    log = tmp_path / "graceful.log"
    process = _serve(site, log, "--port", str(port), "--graceful-timeout", "20")
    url = f"http://127.0.0.1:{port}"
    _ready(url, process, log)
    with site.registry() as reg:
        before = len(reg.evidence.list("p/1"))
    body = json.dumps(
        {"kind": "metric", "outcome": "pass", "criterion": "L1.sample-data", "note": "x" * 2000}
    )
    head = (
        f"POST /api/v1/projects/p/components/1/evidence HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {site.tokens['carl']}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head.encode() + body[:100].encode())
        time.sleep(0.3)  # the server has the headers and is waiting for the rest of the body
        process.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert process.poll() is None, "the server exited with a request in flight"
        with pytest.raises(httpx.TransportError):  # no new connections while it drains
            httpx.get(f"{url}/healthz", timeout=2)
        conn.sendall(body[100:].encode())
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    # Uvicorn re-raises the signal once it has drained, as service managers expect (systemd counts
    # an exit by SIGTERM as a clean stop); it never ends by SIGKILL or an error code here.
    assert process.wait(timeout=20) in (0, -signal.SIGTERM), log.read_text()
    with site.registry() as reg:
        assert len(reg.evidence.list("p/1")) == before + 1
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert any("Waiting for connections to close" in str(line["message"]) for line in lines), lines[-5:]


def test_behind_a_proxy_root_path_and_forwarded_client_from_a_config_file(site: Site, tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "server.yaml"
    config.write_text(
        f"port: {free_port()}\nroot_path: /mltrl\nproxy_headers: true\nforwarded_allow_ips: 127.0.0.1\n"
    )
    log = tmp_path / "proxied.log"
    # The environment overrides the file's port.
    process = _serve(site, log, "--config", str(config), env={"MLTRL_SERVER_PORT": str(port)})
    url = f"http://127.0.0.1:{port}"
    try:
        _ready(url, process, log)
        schema = httpx.get(f"{url}/openapi.json").json()
        assert schema["servers"] == [{"url": "/mltrl"}]  # clients generated from it call through the proxy
        headers = {"Authorization": f"Bearer {site.tokens['vera']}", "X-Forwarded-For": "203.0.113.7"}
        assert httpx.get(f"{url}/api/v1/projects/p", headers=headers).status_code == 200
        refused = httpx.post(f"{url}/api/v1/projects/p/components/1/reviews", headers=headers, json={})
        assert refused.status_code == 403
    finally:
        process.terminate()
        process.wait(timeout=20)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]  # every line JSON
    access = [line["message"] for line in lines if line["logger"] == "mltrl.server.access"]
    # Paths are logged as the client asked for them, through the proxy's prefix.
    read = next(a for a in access if a["path"] == "/mltrl/api/v1/projects/p")
    assert (read["client"], read["user"], read["status"]) == ("203.0.113.7", "vera", 200)
    denied = next(a for a in access if a["status"] == 403)
    assert denied["error"] == refused.json()["error"]  # the log says why, in the API's words
    assert "error" not in read


def test_a_crash_is_logged_as_one_json_object_with_its_traceback() -> None:
    import logging

    from mltrl.server.logs import JsonFormatter

    try:
        raise RuntimeError('a "quoted"\nmessage')
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "mltrl.server", logging.ERROR, __file__, 1, "GET %s failed", ("/x",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "GET /x failed" and parsed["level"] == "ERROR"
    assert 'RuntimeError: a "quoted"\nmessage' in parsed["exception"]
