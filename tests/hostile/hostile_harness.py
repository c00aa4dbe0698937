"""The hostile suite's helpers: a populated registry, hostile input files, every table's rows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from mltrl.cli import main

OWNER = "Zed"
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)

REQUIREMENT = ["--statement", "It shall work", "--kind", "research", "--p", "0.5", "--value", "5"]
REQUIREMENT += ["--category", "technical", "-c", "p1/1.1"]
EVIDENCE = ["-c", "L4.real-data", "--file"]


@dataclass
class Hostile:
    """The shared registry: its URL, the hostile files, and the ids the cases refer to."""

    url: str
    files: Path
    attachment_sha256: str

    def run(self, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
        """``mltrl --db URL ARGV`` in-process; (exit code, stdout, stderr)."""
        args = list(argv) if "--db" in argv else ["--db", self.url, *argv]
        code = main(args)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    def rows(self) -> dict[str, list[tuple[object, ...]]]:
        return snapshot(self.url)


def snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (alembic_version included), in a stable order."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            return {
                name: sorted(
                    (tuple(row) for row in conn.execute(text(f'SELECT * FROM "{name}"'))),
                    key=repr,
                )
                for name in tables
            }
    finally:
        engine.dispose()


def write_hostile_files(files: Path) -> None:
    latin1 = "café: naïve\n".encode("latin-1")
    for name in ("latin1.yaml", "latin1.md", "latin1.json", "latin1.csv"):
        (files / name).write_bytes(latin1 if name != "latin1.csv" else b"x,name\n1,caf\xe9\n")
    (files / "bomb.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    (files / "bomb.md.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    (files / "recursive.yaml").write_text("a: &a [*a]\n", encoding="utf-8")
    (files / "a-file.txt").write_text("not a directory\n", encoding="utf-8")
    (files / "ok.csv").write_text("id,prediction,x\n1,a,0.5\n2,b,0.7\n", encoding="utf-8")
    (files / "a-dir").mkdir()
    (files / "attachment.txt").write_text("the test log\n", encoding="utf-8")


#: The policy of an organisation that lets a component enter at any level with a reason alone.
LENIENT_ENTRY = "version: 1\nsettings:\n  entry_without_review_up_to: 9\n"


def populate(database: str, files: Path) -> Hostile:
    """A registry with a project, components, a version, a review, a requirement, a data set, evidence."""
    write_hostile_files(files)
    attachment = files / "attachment.txt"
    steps = [
        ["init"],
        ["project", "create", "p1", "--name", "Project one", "--rd-owner", OWNER, "--at", "2024-01-01"],
        [
            "component",
            "add",
            "p1/1.1",
            "--name",
            "Model",
            "--kind",
            "model",
            "--level",
            "4",
            "--reason",
            "work done before the registry",
        ],
        [
            "component",
            "add",
            "p1/1.2",
            "--name",
            "Pipeline",
            "--kind",
            "data-pipeline",
            "--level",
            "3",
            "--reason",
            "work done before the registry",
        ],
        ["version", "add", "p1/1.1", "model", "1.0.0+b1", "--sha256", "a" * 64],
        ["review", "open", "p1/1.1"],
        ["req", "add", "p1", "1", *REQUIREMENT],
        ["dataset", "add", "p1", "ds1", "--name", "Data", "--kind", "real"],
        ["evidence", "add", "p1/1.1", "--kind", "test-run", "--outcome", "pass", *EVIDENCE, str(attachment)],
    ]
    # p1/1.1 starts at level 4 with a reason: an organisation's policy that allows it (the shipped
    # rule, an entry review above 3, is tested in tests/reviews/test_paper_rules.py).
    policy = files / "lenient-entry.yaml"
    policy.write_text(LENIENT_ENTRY, encoding="utf-8")
    for argv in steps:
        assert main(["--db", database, "--actor", OWNER, "--policy", str(policy), *argv]) == 0, argv
    digest = hashlib.sha256(attachment.read_bytes()).hexdigest()
    return Hostile(url=database, files=files, attachment_sha256=digest)
