"""Help and shell completion as a user meets them: -h, topics, examples, names; completion in a real shell
protocol (the environment variables bash's completion function sets)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mltrl.cli import main

MLTRL = str(Path(sys.executable).with_name("mltrl"))


def mltrl(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "COLUMNS": "120", **env}
    return subprocess.run([MLTRL, *argv], capture_output=True, text=True, env=environ, timeout=120)


def test_dash_h_is_help_and_commands_are_grouped_by_topic() -> None:
    short, long = mltrl("-h"), mltrl("--help")
    assert short.returncode == long.returncode == 0 and short.stdout == long.stdout
    for panel in (
        "Setting up",
        "Projects and components",
        "Lifecycle",
        "Reviews",
        "Evidence and cards",
        "Views",
    ):
        assert f"─ {panel} " in short.stdout, panel
    assert "--install-completion" in short.stdout and "--show-completion" in short.stdout


@pytest.mark.parametrize(
    ("argv", "usage", "example"),
    [
        (["review", "show", "-h"], "Usage: mltrl review show [OPTIONS] ID", "mltrl review show 1"),
        (
            ["component", "add", "-h"],
            "Usage: mltrl component add [OPTIONS] PROJECT/CODE",
            "mltrl component add",
        ),
        (["history", "-h"], "Usage: mltrl history [OPTIONS] PROJECT[/CODE]", "--kind review --since 30d"),
        (["status", "-h"], "Usage: mltrl status [OPTIONS] [PROJECT]", "mltrl status recycling"),
        (["req", "vv", "set", "-h"], "Usage: mltrl req vv set [OPTIONS] PROJECT ID STEP STATUS", "waived"),
    ],
)
def test_command_help_names_its_arguments_and_shows_an_example(
    capsys: pytest.CaptureFixture[str], argv: list[str], usage: str, example: str
) -> None:
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert usage in text and "Example" in text and example in text
    assert "{" not in text.split("Usage:")[1].splitlines()[0]  # not Typer's `{ref}`


def test_every_command_has_an_example_in_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    from mltrl.cli.app import build_command

    missing = []

    def walk(command, path: list[str]) -> None:  # type: ignore[no-untyped-def]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, [*path, name])
        elif "Example" not in (command.help or ""):
            missing.append(" ".join(path))

    walk(build_command([]), [])
    assert missing == []


def test_completion_scripts_and_completing_commands_options_and_choices() -> None:
    # the script is for the shell mltrl runs in (Typer asks shellingham which one that is)
    script = subprocess.run(
        ["bash", "-c", f"{MLTRL} --show-completion"], capture_output=True, text=True, timeout=120
    )
    assert script.returncode == 0 and "_MLTRL_COMPLETE=complete_bash" in script.stdout

    def complete(words: str, index: int) -> list[str]:
        result = mltrl(_MLTRL_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=str(index))
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert complete("mltrl pro", 1) == ["project"]
    assert complete("mltrl review s", 2) == ["sign", "show"]
    assert complete("mltrl history np --format ", 4) == ["table", "json", "csv", "tsv"]
