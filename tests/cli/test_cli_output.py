"""Output that scripts can use: --format table|json|csv|tsv, JSON objects, --json on writes, pipes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mltrl.cli import main
from mltrl.service.registry import Registry

pytestmark = pytest.mark.usefixtures("lenient_entry")
MLTRL = str(Path(sys.executable).with_name("mltrl"))
LONG_KEY = "recycling-vision-application-for-municipal-sorting-plants-2026"
LONG_NAME = "Recycling vision app for the municipal sorting plants of the northern region, second generation"


@pytest.fixture
def url(db_url: str) -> Iterator[str]:
    with Registry.init(db=db_url, actor="tester") as reg:
        reg.projects.create(LONG_KEY, LONG_NAME, description="sorts, with care\nline two", rd_owner="M. Chen")
        reg.projects.create("np", "Neuropathology copilot, v1", rd_owner="A. Lavin")
        reg.components.add(
            f"{LONG_KEY}/1.1",
            "Object detector for bottles, cans, cartons and glass on the conveyor belt",
            kind="model",
            level=4,
            reason="work done before the registry",
        )
        reg.components.add("np/1.1", "Model", kind="model", level=4, owner="A. Lavin", reason="prior work")
    yield db_url


def run(url: str, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", url, "--actor", "cli-test", *argv])
    captured = _capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(autouse=True)
def _capture(capsys: pytest.CaptureFixture[str]) -> None:
    global _capsys
    _capsys = capsys


_capsys: pytest.CaptureFixture[str]


def ok(url: str, *argv: str) -> str:
    code, out, err = run(url, *argv)
    assert code == 0, err
    return out


def piped(url: str, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A real `mltrl` process whose standard output is a pipe, as in `mltrl ... | grep`."""
    environ = {**os.environ, "MLTRL_DATABASE_URL": url, "MLTRL_ACTOR": "tester", **env}
    return subprocess.run([MLTRL, *argv], capture_output=True, text=True, env=environ, timeout=120)


# --- pipes: nothing cut at 80 columns ------------------------------------------------------------


@pytest.mark.parametrize("columns", [None, "40"])
def test_piped_tables_keep_long_keys_and_names_whole_on_one_line(url: str, columns: str | None) -> None:
    env = {} if columns is None else {"COLUMNS": columns}  # COLUMNS describes a terminal; a pipe has none
    listed = piped(url, "project", "list", **env)
    assert listed.returncode == 0, listed.stderr
    (line,) = [line for line in listed.stdout.splitlines() if LONG_KEY in line]
    assert LONG_NAME in line and "…" not in listed.stdout
    assert sum(LONG_KEY in line for line in listed.stdout.splitlines()) == 1  # `grep -c` counts it once
    detector = "Object detector for bottles, cans, cartons and glass on the conveyor belt"
    for argv in (["component", "list", LONG_KEY], ["status", LONG_KEY], ["history", f"{LONG_KEY}/1.1"]):
        result = piped(url, *argv, **env)
        assert result.returncode == 0, result.stderr
        assert "…" not in result.stdout, argv
        if argv[0] != "history":
            assert any(detector in line for line in result.stdout.splitlines()), argv
    history = piped(url, "history", LONG_KEY, **env).stdout
    assert any("initiated at level 4: work done before the registry" in line for line in history.splitlines())


def test_names_are_printed_as_typed_not_as_emoji(url: str) -> None:
    ok(url, "project", "create", "fire", "--name", "Wildfire :fire: detector")
    assert "Wildfire :fire: detector" in ok(url, "project", "list")


# --- JSON: always an object ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "key"),
    [
        (["project", "list"], "projects"),
        (["component", "list", "np"], "components"),
        (["version", "list", "np/1.1"], "versions"),
        (["history", "np"], "events"),
        (["status"], "projects"),
        (["review", "list"], "reviews"),
        (["dataset", "list"], "datasets"),
        (["evidence", "list", "np/1.1"], "evidence"),
        (["req", "list", "np"], "requirements"),
        (["card", "revisions", "np"], "revisions"),
        (["target", "list"], "targets"),
        (["monitor", "alerts"], "alerts"),
        (["monitor", "status"], "components"),
        (["monitor", "windows", "np/1.1"], "profiles"),
    ],
)
def test_every_list_is_an_object_with_its_items_under_a_name(url: str, argv: list[str], key: str) -> None:
    by_flag = json.loads(ok(url, *argv, "--json"))
    by_format = json.loads(ok(url, *argv, "--format", "json"))
    assert isinstance(by_flag, dict) and isinstance(by_flag[key], list)
    assert by_flag == by_format


def test_csv_and_tsv_print_one_row_per_item_with_flat_columns(url: str) -> None:
    rows = list(csv.DictReader(io.StringIO(ok(url, "project", "list", "--format", "csv"))))
    assert [row["key"] for row in rows] == ["np", LONG_KEY]
    assert rows[0]["name"] == "Neuropathology copilot, v1"  # the comma is quoted, not a new column
    assert json.loads(rows[1]["held_back_by"]) == ["1.1"]  # nested values are JSON text
    assert rows[1]["description"] == "sorts, with care\nline two" and rows[0]["parent_key"] == ""
    tsv = ok(url, "project", "list", "--format", "TSV")
    lines = tsv.splitlines()
    assert len(lines) == 3 and all(line.count("\t") == lines[0].count("\t") for line in lines)
    header = lines[0].split("\t")
    assert lines[2].split("\t")[header.index("description")] == "sorts, with care\\nline two"
    components = list(csv.DictReader(io.StringIO(ok(url, "status", "--format", "csv"))))
    assert {(c["project"], c["code"], c["level"]) for c in components} == {
        ("np", "1.1", "4"),
        (LONG_KEY, "1.1", "4"),
    }


def test_format_and_json_together_or_an_unknown_format_are_one_line_errors(url: str) -> None:
    code, out, err = run(url, "project", "list", "--json", "--format", "csv")
    assert code == 2 and out == "" and err == "error: --json and --format csv ask for two formats; give one\n"
    code, out, err = run(url, "project", "list", "--format", "xml")
    assert code == 2 and out == "" and err.count("\n") == 1 and "'xml' is not one of" in err


def test_card_show_takes_json_as_every_command_does(url: str) -> None:
    by_flag = json.loads(ok(url, "card", "show", "np", "--json"))
    by_format = json.loads(ok(url, "card", "show", "np", "--format", "json"))
    assert by_flag.keys() == by_format.keys() and by_flag["summary"]["technology_id"] == "np"
    code, _, err = run(url, "card", "show", "np", "--json", "-f", "html")
    assert code == 2 and "two formats" in err


# --- --json on writes: what was created ----------------------------------------------------------


def test_write_commands_print_what_they_created_as_json(url: str, tmp_path: Path) -> None:
    project = json.loads(ok(url, "project", "create", "fraud", "--name", "Fraud detection", "--json"))
    assert project["key"] == "fraud" and project["created_by"] == "cli-test"
    component = json.loads(
        ok(
            url,
            "component",
            "add",
            "fraud/1",
            "--name",
            "Scorer",
            "--kind",
            "model",
            "--level",
            "0",
            "--json",
        )
    )
    assert (component["project_key"], component["code"], component["level"]) == ("fraud", "1", 0)
    (tmp_path / "model.bin").write_bytes(b"weights")
    version = json.loads(
        ok(url, "version", "add", "np/1.1", "model", "1.0.0", "--path", str(tmp_path / "model.bin"), "--json")
    )
    assert version["version"] == "1.0.0" and len(version["sha256"]) == 64 and version["component"] == "np/1.1"
    review = json.loads(ok(url, "review", "open", "np/1.1", "--json"))
    assert review["id"] == 1 and review["status"] == "open" and review["level"] == 4
    member = json.loads(
        ok(url, "review", "panel", "1", "--role", "research-lead", "--person", "G. Renard", "--json")
    )
    assert member["id"] == 1 and member["panel"][0]["person"] == "G. Renard"
    signed = json.loads(
        ok(
            url,
            "review",
            "sign",
            "1",
            "--person",
            "G. Renard",
            "--request-changes",
            "--task",
            "more data",
            "--json",
        )
    )
    assert signed["signatures"][0]["verdict"] == "request-changes"
    for n, role in enumerate(
        r["id"] for r in signed["template"]["roles"] if r["required"] and r["id"] != "research-lead"
    ):
        ok(url, "review", "panel", "1", "--role", role, "--person", f"P{n}")
        ok(url, "review", "sign", "1", "--person", f"P{n}", "--request-changes", "--task", "more data")
    decided = json.loads(ok(url, "review", "decide", "1", "tasks", "--json"))
    assert decided["outcome"] == "tasks required" and decided["component"]["level"] == 4
    evidence = json.loads(
        ok(
            url,
            "evidence",
            "add",
            "np/1.1",
            "-k",
            "metric",
            "-o",
            "pass",
            "-c",
            "L4.applied-metrics",
            "-m",
            "auc=0.93",
            "--json",
        )
    )
    assert (
        evidence["id"] == 1
        and evidence["metrics"] == {"auc": 0.93}
        and evidence["versions"] == {"model": "1.0.0"}
    )
    requirement = json.loads(
        ok(
            url,
            "req",
            "add",
            "np",
            "1",
            "-s",
            "It shall flag tumours",
            "-k",
            "research",
            "--p",
            "0.5",
            "--value",
            "8",
            "--category",
            "science",
            "--json",
        )
    )
    assert requirement["code"] == "1" and requirement["risk"] == 4
    step = json.loads(
        ok(
            url,
            "req",
            "vv",
            "add",
            "np",
            "1",
            "-k",
            "verification",
            "-m",
            "test",
            "-d",
            "golden set",
            "--json",
        )
    )
    assert (step["requirement"], step["number"], step["status"]) == ("1", 1, "planned")
    dataset = json.loads(
        ok(url, "dataset", "add", "np", "biolab", "--name", "BioLab slides", "--kind", "real", "--json")
    )
    assert dataset["key"] == "biolab" and dataset["kind"] == "real"
    target = json.loads(ok(url, "target", "add", "np/1.1", "--level", "6", "--by", "2099-01-31", "--json"))
    assert target["id"] == 1 and target["level"] == 6 and target["due"] == "2099-01-31"
    paused = json.loads(ok(url, "pause", "np/1.1", "--reason", "funding", "--json"))
    assert paused["status"] == "paused"
