"""The table of bad inputs: each is refused with one ``error:`` line, exit 2, and nothing written.

``{files}`` stands for the directory of hostile files (see ``conftest.write_hostile_files``) and
``{sha}`` for the sha256 of the registry's one attachment. Each case names the command it walks and
a fragment of the message a user must see.
"""

from __future__ import annotations

from dataclasses import dataclass

BIG = str(2**63)  # one past SQLite's largest integer
SHA = "a" * 64
REQ = ["--statement", "It shall hold", "--kind", "research", "--p", "0.5", "--value", "5"]
REQ += ["--category", "technical"]
COMPONENT = ["--name", "M", "--kind", "model", "--level", "3", "--reason", "work done before the registry"]
DATASET = ["--name", "D", "--kind", "real"]


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str, ...]
    message: str  # a fragment of the error; "a|b" when backends word it differently (SQLite, PostgreSQL)


def case(id: str, message: str, *argv: str) -> Case:
    return Case(id, argv, message)


CASES = [
    # A final newline is not part of a valid key, code or hash ("$" matched before it); nor are
    # non-ASCII digits.
    case("project key with newline", "project key 'p1\\n'", "project", "create", "p1\n", "--name", "P"),
    case(
        "component code with newline", "component code '1.1\\n'", "component", "add", "p1/1.1\n", *COMPONENT
    ),
    case(
        "component code, Arabic digits", "component code", "component", "add", "p1/\u0661.\u0663", *COMPONENT
    ),
    case(
        "sha256 of 65 characters", "sha256", "version", "add", "p1/1.1", "code", "1.0.0", "--sha256", "a" * 65
    ),
    case(
        "sha256 with newline", "sha256", "version", "add", "p1/1.1", "code", "1.0.0", "--sha256", SHA + "\n"
    ),
    case("data-set key with newline", "data-set key 'ds2\\n'", "dataset", "add", "p1", "ds2\n", *DATASET),
    case("requirement id with newline", "requirement id", "req", "add", "p1", "2\n", *REQ),
    # A data-set key is named as such, not as a "project key".
    case("data-set key malformed", "data-set key '2ds'", "dataset", "add", "p1", "2ds", *DATASET),
    # Alias bombs and recursive YAML, in every YAML the CLI reads.
    case("card edit alias bomb", "alias", "card", "edit", "p1", "--file", "{files}/bomb.yaml"),
    case("review ethics alias bomb", "alias", "review", "ethics", "1", "--file", "{files}/bomb.yaml"),
    case("datasheet alias bomb", "alias", "dataset", "datasheet", "ds1", "--file", "{files}/bomb.yaml"),
    case(
        "dataset add --datasheet alias bomb",
        "alias",
        "dataset",
        "add",
        "p1",
        "ds2",
        "--name",
        "D",
        "--kind",
        "real",
        "--datasheet",
        "{files}/bomb.yaml",
    ),
    case("policy alias bomb", "alias", "--policy", "{files}/bomb.yaml", "levels"),
    case(
        "review ethics recursive YAML",
        "refers to",
        "review",
        "ethics",
        "1",
        "--file",
        "{files}/recursive.yaml",
    ),
    # Latin-1 files name the file and the byte instead of a traceback.
    case("review ethics Latin-1", "not UTF-8", "review", "ethics", "1", "--file", "{files}/latin1.yaml"),
    case("card edit Latin-1", "not UTF-8", "card", "edit", "p1", "--file", "{files}/latin1.md"),
    case("datasheet Latin-1", "not UTF-8", "dataset", "datasheet", "ds1", "--file", "{files}/latin1.yaml"),
    case(
        "evidence metrics Latin-1",
        "not UTF-8",
        "evidence",
        "add",
        "p1/1.1",
        "--kind",
        "metric",
        "--outcome",
        "pass",
        "--metrics-file",
        "{files}/latin1.json",
    ),
    case("monitor log Latin-1 CSV", "not UTF-8", "monitor", "log", "p1/1.1", "{files}/latin1.csv"),
    case(
        "monitor reference Latin-1 CSV", "not UTF-8", "monitor", "reference", "p1/1.1", "{files}/latin1.csv"
    ),
    case(
        "monitor predictions Latin-1 CSV",
        "not UTF-8",
        "monitor",
        "predictions",
        "p1/1.1",
        "{files}/latin1.csv",
    ),
    case("review ethics missing file", "cannot read", "review", "ethics", "1", "--file", "{files}/nope.yaml"),
    case("card edit a directory", "directory", "card", "edit", "p1", "--file", "{files}/a-dir"),
    # -o into a missing directory, onto a directory, or under a file.
    case("evidence file -o missing dir", "does not exist", "evidence", "file", "{sha}", "-o", "{files}/no/x"),
    case(
        "evidence file -o a directory", "is a directory", "evidence", "file", "{sha}", "-o", "{files}/a-dir"
    ),
    case(
        "evidence file -o under a file",
        "does not exist",
        "evidence",
        "file",
        "{sha}",
        "-o",
        "{files}/a-file.txt/x",
    ),
    case("card show -o missing dir", "does not exist", "card", "show", "p1", "-o", "{files}/no/card.md"),
    case("card show -o a directory", "is a directory", "card", "show", "p1", "-o", "{files}/a-dir"),
    case("card schema -o missing dir", "does not exist", "card", "schema", "-o", "{files}/no/schema.json"),
    case("card schema -o a directory", "is a directory", "card", "schema", "-o", "{files}/a-dir"),
    case("req export -o missing dir", "does not exist", "req", "export", "p1", "-o", "{files}/no/req.md"),
    case("req export -o a directory", "is a directory", "req", "export", "p1", "-o", "{files}/a-dir"),
    case("card export into a file", "not a directory", "card", "export", "{files}/a-file.txt"),
    case("card export under a file", "not a directory", "card", "export", "{files}/a-file.txt/cards"),
    # Ids beyond 64 bits: PostgreSQL finds no such row, SQLite cannot bind the number.
    case("review show huge id", "no review|out of range", "review", "show", BIG),
    case("review decide huge id", "no review|out of range", "review", "decide", BIG, "graduate"),
    case("evidence show huge id", "no evidence|out of range", "evidence", "show", BIG),
    case("card show huge revision", "no card revision|out of range", "card", "show", "p1", "--revision", BIG),
    case("card diff huge revision", "no card revision|out of range", "card", "diff", "p1", BIG),
    case("vv set huge step", "step", "req", "vv", "set", "p1", "1", BIG, "passed"),
    case("monitor ack huge id", "no alert|out of range", "monitor", "ack", BIG),
    # Who acts must be one printable line.
    case(
        "actor with a newline",
        "actor",
        "--actor",
        "zed\n2026-01-01 forged",
        "project",
        "create",
        "p9",
        "--name",
        "P",
    ),
    case(
        "name with an escape sequence", "control character", "project", "create", "p9", "--name", "a\x1b[2Jb"
    ),
    # Smaller refusals (issue 11, item 15).
    case("report --top negative", "--top", "report", "--top", "-1"),
    case(
        "monitor log --window with --start/--end",
        "neither --window nor --at",
        "monitor",
        "log",
        "p1/1.1",
        "{files}/ok.csv",
        "--window",
        "hour",
        "--start",
        "2026-01-01",
        "--end",
        "2026-01-02",
    ),
    case(
        "component dated before its project",
        "before project p1",
        "component",
        "add",
        "p1/9",
        "--name",
        "Old",
        "--kind",
        "model",
        "--level",
        "3",
        "--reason",
        "work done before the registry",
        "--at",
        "2020-01-01",
    ),
    case(
        "version equal but for build metadata",
        "build metadata",
        "version",
        "add",
        "p1/1.1",
        "model",
        "1.0.0+b2",
        "--sha256",
        "b" * 64,
    ),
    # Database URLs.
    case("malformed IPv6 PostgreSQL URL", "database URL", "--db", "postgresql://u@[::1/db", "status"),
    case("unknown URL scheme", "not supported", "--db", "mysql://u@h/db", "status"),
]
