"""User text is shown as typed: Rich markup in a name is text, and stored controls cannot drive the terminal.

A name holding ``[/x]`` used to crash the command that saved it (after the write) and, once stored,
every read command that printed it. Text written before control characters were refused (or put
into the database by other means) is shown with its controls made visible, so an escape sequence
is not obeyed and a newline in an actor cannot forge a line of ``history``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile_harness import LENIENT_ENTRY, REQUIREMENT
from sqlalchemy import create_engine, text

from mltrl.cli import main
from mltrl.service.registry import Registry

MARKUP = "a[/x]b[bold]c[link=https://x.example]d"
FORGED = "2020-01-01 00:00  1.1  graduated 8 -> 9"
TEXTS = ["--description", MARKUP, "--reason", MARKUP]
COVER = ["--scenario", MARKUP, "--slice", MARKUP]
SOURCE = ["--source", MARKUP, "--owner", MARKUP, "--datasheet"]
METRIC = ["-c", "L4.real-data", "--metric", f"{MARKUP}=1", "--note", MARKUP]


@pytest.fixture(scope="module")
def url(database: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    sheet = tmp_path_factory.mktemp("sheet") / "sheet.yaml"
    sheet.write_text(f"motivation: '{MARKUP}'\n", encoding="utf-8")
    steps = [
        ["init"],
        ["project", "create", "p1", "--name", MARKUP, "--description", MARKUP, "--rd-owner", MARKUP],
        [
            "component",
            "add",
            "p1/1.1",
            "--name",
            MARKUP,
            "--kind",
            "model",
            "--level",
            "4",
            *TEXTS,
        ],
        [
            "component",
            "add",
            "p1/1.2",
            "--name",
            MARKUP,
            "--kind",
            "model",
            "--level",
            "4",
            "--reason",
            "work done before the registry",
        ],
        ["component", "couple", "p1/1.1", "p1/1.2", "--note", MARKUP],
        ["version", "add", "p1/1.1", "model", "1.0.0", "--uri", MARKUP, "--note", MARKUP],
        ["review", "open", "p1/1.1"],
        ["review", "panel", "1", "--role", "research-lead", "--person", MARKUP],
        ["review", "result", "1", "L4.real-data", "unmet", "--note", MARKUP],
        ["req", "add", "p1", "1", "-s", f"It shall {MARKUP}", *REQUIREMENT[2:], *COVER],
        ["req", "vv", "add", "p1", "1", "--kind", "verification", "--method", "test", "-d", MARKUP],
        ["dataset", "add", "p1", "ds1", "--name", MARKUP, "--kind", "real", *SOURCE, str(sheet)],
        ["dataset", "link", "ds1", "p1/1.1", "--role", "train"],
        ["evidence", "add", "p1/1.1", "--kind", "metric", "--outcome", "pass", *METRIC],
        ["pause", "p1/1.2", "--reason", MARKUP],
    ]
    policy = tmp_path_factory.mktemp("policy") / "lenient-entry.yaml"
    policy.write_text(LENIENT_ENTRY, encoding="utf-8")  # components start at 4 with a reason alone
    for argv in steps:
        assert main(["--db", database, "--actor", MARKUP, "--policy", str(policy), *argv]) == 0, argv
    # Text stored before controls were refused: an escape sequence, and a newline forging a line.
    engine = create_engine(database)
    with engine.begin() as conn:
        conn.execute(text("UPDATE projects SET description = :d"), {"d": "clear\x1b[2Jscreen\x07"})
    engine.dispose()
    with Registry.open(database) as reg:
        reg.actor = f"mallory\n{FORGED}"  # as an older mltrl accepted from --actor
        reg.components.resume("p1/1.2")
    return database


READS = [
    ["status"],
    ["status", "p1"],
    ["project", "list"],
    ["project", "show", "p1"],
    ["component", "list", "p1"],
    ["component", "show", "p1/1.1"],
    ["version", "list", "p1/1.1"],
    ["history", "p1"],
    ["history", "p1/1.1"],
    ["review", "list"],
    ["review", "show", "1"],
    ["dataset", "list"],
    ["dataset", "show", "ds1"],
    ["req", "list", "p1"],
    ["req", "show", "p1", "1"],
    ["risk", "p1"],
    ["evidence", "list", "p1/1.1"],
    ["evidence", "show", "1"],
    ["report"],
    ["card", "show", "p1"],
    ["card", "show", "p1", "-c", "1.1"],
]


@pytest.mark.parametrize("argv", READS, ids=[" ".join(a) for a in READS])
def test_read_commands_print_stored_markup_and_controls_as_text(
    url: str, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code = main(["--db", url, *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out
    assert not any(line.lstrip().startswith(FORGED) for line in out.splitlines())


@pytest.mark.parametrize(
    "argv",
    [
        ["project", "show", "p1"],
        ["component", "show", "p1/1.1"],
        ["dataset", "show", "ds1"],
        ["req", "show", "p1", "1"],
    ],
)
def test_markup_in_a_name_is_shown_literally(
    url: str, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(["--db", url, *argv]) == 0
    out = capsys.readouterr().out
    assert MARKUP in out.replace("\n", "")


def test_history_shows_a_newline_in_an_actor_instead_of_obeying_it(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", url, "history", "p1/1.2"]) == 0
    out = capsys.readouterr().out
    assert "mallory\\n" in out


def test_a_write_whose_echo_holds_markup_succeeds(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The confirmation printed after a write no longer crashes (the write used to be saved anyway)."""
    code = main(["--db", url, "--actor", "tester", "project", "create", "p2", "--name", "[/x]"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "created project p2 ([/x])" in out


def test_control_characters_are_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["--db", url, "init"]) == 0
    for argv in (
        ["project", "create", "p1", "--name", "a\x1b]8;;https://x\x07b"],
        ["project", "create", "p1", "--name", "two\nlines"],
        ["project", "create", "p1", "--name", "right\u202eto-left"],
        ["--actor", "x\ny", "project", "create", "p1", "--name", "P"],
    ):
        capsys.readouterr()
        assert main(["--db", url, *argv]) == 2
        assert "control character" in capsys.readouterr().err
    assert main(["--db", url, "project", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"projects": []}
