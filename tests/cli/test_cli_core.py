"""The core commands as a user types them: set-up, discovery, demo, views, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mltrl import __version__
from mltrl.cli import main
from mltrl.service.registry import Registry


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLTRL_DATABASE_URL", raising=False)
    monkeypatch.setenv("MLTRL_ACTOR", "tester")
    return tmp_path


def out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_init_then_commands_find_the_registry_from_subdirectories(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "initialised registry" in out(capsys, "init")
    assert (home / ".mltrl" / "mltrl.db").is_file()
    assert "already initialised" in out(capsys, "init")
    out(capsys, "project", "create", "rec", "--name", "Recycling", "--rd-owner", "M. Chen")
    deeper = home / "src" / "models"
    deeper.mkdir(parents=True)
    monkeypatch.chdir(deeper)
    out(
        capsys,
        "component",
        "add",
        "rec/1",
        "--name",
        "App",
        "--kind",
        "composite",
        "--level",
        "2",
        "--reason",
        "work done before the registry",
    )
    out(
        capsys,
        "component",
        "add",
        "rec/1.1",
        "--name",
        "Detector",
        "--kind",
        "model",
        "--level",
        "3",
        "--reason",
        "work done before the registry",
        "--parent",
        "1",
    )
    status = json.loads(out(capsys, "status", "rec", "--json"))
    assert status["system_level"] == 2 and status["held_back_by"] == ["1"]
    assert status["components"][0]["children"][0]["code"] == "1.1"
    text = out(capsys, "status", "rec")
    assert "system TRL L2" in text and "holds the system back" in text


def test_database_url_from_the_environment(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{home / 'team.db'}"
    out(capsys, "--db", url, "init")
    monkeypatch.setenv("MLTRL_DATABASE_URL", url)
    out(capsys, "project", "create", "p", "--name", "P")
    assert [p["key"] for p in json.loads(out(capsys, "project", "list", "--json"))["projects"]] == ["p"]
    assert not (home / ".mltrl").exists()


def test_views_versions_fork_and_history(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out(capsys, "init")
    out(
        capsys,
        "project",
        "create",
        "eta",
        "--name",
        "Etalumis",
        "--product-owner",
        "CERN",
        "--at",
        "2019-06-01",
    )
    out(
        capsys,
        "component",
        "add",
        "eta/1.1",
        "--name",
        "PPX",
        "--kind",
        "software-module",
        "--level",
        "2",
        "--reason",
        "work done before the registry",
        "--at",
        "2019-06-01",
    )
    (home / "model.bin").write_bytes(b"weights")
    out(capsys, "version", "add", "eta/1.1", "code", "1.0.0", "--path", "model.bin", "--uri", "git://ppx")
    versions = json.loads(out(capsys, "version", "list", "eta/1.1", "--json"))["versions"]
    assert versions[0]["version"] == "1.0.0" and len(versions[0]["sha256"]) == 64
    out(capsys, "import-graduation", "eta/1.1", "--approver", "lab head", "--at", "2020-01-01T00:00:00Z")
    assert main(["import-graduation", "eta/1.1", "--approver", "x", "--at", "2099-01-01"]) == 2
    capsys.readouterr()
    out(capsys, "fork", "eta", "ppx", "--reason", "open-source path")
    shown = json.loads(out(capsys, "project", "show", "eta", "--json"))
    assert shown["forks"] == ["ppx"]
    fork = json.loads(out(capsys, "component", "show", "ppx/1.1", "--json"))
    assert fork["forked_from"] == "eta/1.1" and fork["level"] == 3 and fork["entry_level"] == 2
    out(capsys, "pause", "ppx/1.1", "--reason", "waiting for funding")
    out(capsys, "resume", "ppx/1.1")
    out(capsys, "retire", "ppx/1.1")
    history = json.loads(out(capsys, "history", "ppx/1.1", "--lifecycle", "--json"))["events"]
    assert [e["kind"] for e in history] == ["fork", "pause", "resume", "retire"]
    report = json.loads(out(capsys, "report", "--json"))
    assert {"components", "switchbacks_by_kind", "top_paths", "median_days_per_level"} <= set(report)
    doctor = json.loads(out(capsys, "doctor", "--json"))
    assert doctor["healthy"] is True and doctor["components_checked"] == 2


def test_demo_builds_in_its_own_directory_and_rebuilds(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The demo makes its own SQLite registry whatever the backend, so the PostgreSQL run leaves
    # this test out (tests/conftest.py: it reaches no database under test).
    text = out(capsys, "demo", "--dir", "demo")
    assert "recycling" in text and "Try next" in text and "held back by 1.1" in text
    assert "level-7 suite" in text and "11 passed" in text
    assert not (home / ".mltrl").exists()
    registry_file = home / "demo" / ".mltrl" / "mltrl.db"
    with Registry.open(db=f"sqlite:///{registry_file}") as reg:
        assert reg.status("neuropath").system_level == 4
        assert {c.code for c in reg.components.list("neuropath")} == {"1.1", "4.2", "4.3"}
        paths = [
            (e.from_level, e.to_level, e.switchback_kind)
            for e in reg.history("recycling/1.1")
            if e.kind == "switchback"
        ]
        assert paths == [(8, 7, "review"), (9, 7, "embedded")]
        assert reg.projects.get("ppx").parent_key == "etalumis"
        assert reg.doctor().healthy
        # New photos made the detector's level-7 evidence stale; the demo's pytest suite, run through
        # the plugin, recorded it again on the current versions, and the gate holds on that alone.
        assert reg.components.gate("recycling/1.1", 7).holds
        latest = {e.criterion_id: e for e in sorted(reg.evidence.list("recycling/1.1"), key=lambda e: e.id)}
        for criterion in (
            "L7.golden-dataset",
            "L7.metamorphic",
            "L7.critical-scenarios",
            "L7.data-validation",
        ):
            assert (latest[criterion].source, latest[criterion].fresh) == ("pytest", True), criterion
        assert reg.components.score("recycling/1.1").score >= 2
        # the deployed app under watch: the dark week drifts, the web page breaks data quality,
        # both alerts went before the app's deployment review, and accuracy fell with the light
        alerts = reg.alerts.list("recycling/1", open_only=True)
        assert [(a["kind"], a["data"]["columns"]) for a in alerts] == [
            ("drift", ["brightness", "device"]),
            ("data-quality", ["device", "sharpness"]),
        ]
        (review,) = [r for r in reg.reviews.list("recycling/1") if r.status == "open"]
        assert review.level == 9 and {a["review_id"] for a in alerts} == {review.id}
        accuracy = [w["accuracy"] for w in reg.actuals.performance("recycling/1") if w["evaluated"]]
        assert len(accuracy) == 6 and min(accuracy[:5]) > 0.93 > 0.9 > accuracy[5]
    assert f"mltrl review show {review.id}" in text and "mltrl monitor report recycling/1" in text
    out(capsys, "demo", "--dir", "demo")  # a second run rebuilds the demo's own registry
    (home / "mine").mkdir()
    (home / "mine" / "notes.txt").write_text("keep me")
    assert main(["demo", "--dir", "mine"]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (home / "mine" / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nonsense"], "No such command"),
        (["project", "create"], "Missing argument"),
        (["component", "add", "p/1", "--name", "x", "--kind", "model", "--level", "12"], "outside 0-9"),
        (["status", "nope"], "no project 'nope'"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    out(capsys, "init")
    out(capsys, "project", "create", "p", "--name", "P")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err


def test_without_a_registry_the_error_says_how_to_make_one(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status"]) == 2
    assert "run `mltrl init`" in capsys.readouterr().err


def test_the_console_script_answers_version() -> None:
    script = Path(sys.executable).with_name("mltrl")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"mltrl {__version__}"
