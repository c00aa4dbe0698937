"""The review, requirement, risk and data-set commands: output, --json, and one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mltrl.cli import main
from mltrl.service.registry import Registry

# Components start at high levels here with a reason alone; entry reviews are tested in test_paper_rules.
pytestmark = pytest.mark.usefixtures("lenient_entry")


@pytest.fixture
def url(registry: Registry, db_url: str) -> str:
    registry.projects.create("np", "Neuropathology copilot", rd_owner="A. Lavin")
    registry.components.add(
        "np/1.1", "Model", kind="model", level=4, owner="A. Lavin", reason="work done before the registry"
    )
    return db_url


def run(url: str, *argv: str) -> int:
    return main(["--db", url, "--actor", "cli-test", *argv])


def counts(url: str) -> dict[str, int]:
    with Registry.open(db=url) as reg:
        return reg.counts()


def test_review_commands_and_json(url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(url, "review", "open", "np/1.1") == 0
    assert run(url, "review", "panel", "1", "--role", "research-lead", "--person", "G. Renard") == 0
    assert run(url, "review", "result", "1", "L4.real-data", "unmet", "--note", "only synthetic so far") == 0
    (tmp_path / "a.yaml").write_text("pre.intended-use: decision support only\n")
    assert run(url, "review", "ethics", "1", "--file", str(tmp_path / "a.yaml")) == 0
    assert run(url, "review", "choose", "1", "continue-or-pause", "pause", "--note", "no real data yet") == 0
    assert (
        run(
            url,
            "review",
            "sign",
            "1",
            "--person",
            "G. Renard",
            "--request-changes",
            "--task",
            "link the BioLab pilot data => at least 200 slides",
        )
        == 0
    )
    capsys.readouterr()
    assert run(url, "review", "show", "1", "--json") == 0
    view = json.loads(capsys.readouterr().out)
    assert view["level"] == 4 and view["status"] == "open"
    assert view["results"][0]["result"] == "unmet"
    assert view["ethics"][0]["question_id"] == "pre.intended-use"
    assert view["signatures"][0]["tasks"] == [
        {"task": "link the BioLab pilot data", "target": "at least 200 slides"}
    ]
    assert (
        "evidence criterion L4.real-data is unmet: no real data set is linked to the component"
        in view["blockers"]
    )
    assert view["context"]["real_data_linked"] is False
    assert run(url, "review", "show", "1") == 0
    text = capsys.readouterr().out
    assert "Cannot graduate yet" in text and "G. Renard requested changes" in text
    assert run(url, "review", "list", "np", "--json") == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)["reviews"]] == [1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["review", "open", "np/9"], "no component '9'"),
        (["review", "panel", "1", "--role", "juggler", "--person", "X"], "no panel role 'juggler'"),
        (["review", "result", "1", "L4.nope", "met"], "no criterion 'L4.nope'"),
        (["review", "result", "1", "L4.real-data", "maybe"], "result"),
        (["review", "result", "1", "L4.applied-metrics", "waived"], "needs a reason"),
        (["review", "result", "1", "L4.real-data", "waived", "--note", "x"], "mandatory and cannot be"),
        (["review", "sign", "1", "--person", "Stranger", "--approve"], "not on the panel"),
        (["review", "sign", "1", "--person", "G. Renard"], "exactly one of --approve or --request-changes"),
        (["review", "sign", "1", "--person", "G. Renard", "--request-changes"], "at least one specific task"),
        (["review", "choose", "1", "go-no-go", "go"], "no key decision 'go-no-go'"),
        (["review", "decide", "1", "graduate"], "no quorum"),
        (["review", "decide", "1", "celebrate"], "decision"),
        (["review", "decide", "7", "graduate"], "no review 7"),
        (["review", "ethics", "1", "--question", "pre.unknown", "--answer", "x"], "not a question"),
        (
            [
                "req",
                "add",
                "np",
                "1",
                "--statement",
                "It shall work",
                "--kind",
                "research",
                "--p",
                "2",
                "--value",
                "5",
                "--category",
                "technical",
            ],
            "outside [0, 1]",
        ),
        (
            [
                "req",
                "add",
                "np",
                "1",
                "--statement",
                "It shall work",
                "--kind",
                "research",
                "--p",
                "0.5",
                "--value",
                "50",
                "--category",
                "technical",
            ],
            "from 1 to 10",
        ),
        (
            [
                "req",
                "add",
                "np",
                "A.1",
                "--statement",
                "It shall work",
                "--kind",
                "research",
                "--p",
                "0.5",
                "--value",
                "5",
                "--category",
                "technical",
            ],
            "N, N.M or N.M.K",
        ),
        (["req", "vv", "set", "np", "9", "1", "passed"], "no requirement '9'"),
        (["dataset", "add", "np", "pilot", "--name", "P", "--kind", "imaginary"], "data set kind"),
        (["dataset", "version", "nope", "1.0.0"], "no data set 'nope'"),
        (["risk", "nope"], "no project 'nope'"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert run(url, "review", "open", "np/1.1") == 0
    assert run(url, "review", "panel", "1", "--role", "research-lead", "--person", "G. Renard") == 0
    capsys.readouterr()
    before = counts(url)
    assert run(url, *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert counts(url) == before


def test_risk_and_export(url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert (
        run(
            url,
            "req",
            "add",
            "np",
            "1",
            "--statement",
            "The model shall separate five tissue types",
            "--kind",
            "research",
            "--p",
            "0.3",
            "--value",
            "8",
            "--category",
            "science",
            "-c",
            "np/1.1",
            "--slice",
            "rare subtypes",
        )
        == 0
    )
    assert (
        run(
            url,
            "req",
            "vv",
            "add",
            "np",
            "1",
            "--kind",
            "verification",
            "--method",
            "test",
            "--description",
            "purity on held-out slides",
        )
        == 0
    )
    assert run(url, "req", "vv", "set", "np", "1", "1", "waived", "--reason", "covered by pilot") == 0
    capsys.readouterr()
    assert run(url, "risk", "np", "--json") == 0
    risk = json.loads(capsys.readouterr().out)
    assert risk["ranked"][0]["risk"] == 2.4 and risk["matrix"]["cells"][1][3] == ["1"]
    assert run(url, "risk", "np") == 0
    assert "Likelihood x impact" in capsys.readouterr().out
    out = tmp_path / "req.md"
    assert run(url, "req", "export", "np", "-o", str(out)) == 0
    assert (
        "| 1 | 1 | verification | test | waived: covered by pilot | purity on held-out slides |"
        in out.read_text()
    )


def test_dataset_commands(url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text("motivation: pilot\ncollection: with consent\n")
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    assert (
        run(
            url,
            "dataset",
            "add",
            "np",
            "pilot",
            "--name",
            "Pilot",
            "--kind",
            "real",
            "--sensitive",
            "health",
            "--datasheet",
            str(sheet),
        )
        == 0
    )
    assert run(url, "dataset", "version", "pilot", "1.0.0", "--path", str(tmp_path / "data.csv")) == 0
    assert run(url, "dataset", "link", "pilot", "np/1.1", "--role", "train", "--version", "1.0.0") == 0
    capsys.readouterr()
    assert run(url, "dataset", "show", "pilot", "--json") == 0
    d = json.loads(capsys.readouterr().out)
    assert d["datasheet"] == {"motivation": "pilot", "collection": "with consent"}
    assert len(d["versions"][0]["sha256"]) == 64 and d["links"][0]["component"] == "np/1.1"
    bad = tmp_path / "bad.yaml"
    bad.write_text("motivation: [unclosed\n")
    before = counts(url)
    assert run(url, "dataset", "datasheet", "pilot", "--file", str(bad)) == 2
    assert "not valid YAML" in capsys.readouterr().err
    assert counts(url) == before
