"""`mltrl golden history` and `mltrl relations add|list|remove`: what a person and a script see."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mltrl.checks import GoldenCheck
from mltrl.cli import main
from mltrl.service.registry import Registry

pytestmark = pytest.mark.usefixtures("lenient_entry")
REF = "rec/1.1"


@pytest.fixture
def url(db_url: str, cancer: dict[str, Any]) -> Iterator[str]:
    """Three model versions scored on the golden set: 1.0.0 passes, 2.0.0 passes, 3.0.0 fails."""
    check = GoldenCheck(metric="accuracy", minimum=0.8, max_drop_vs_champion=0.02, n_boot=200)
    with Registry.init(db=db_url, actor="tester") as reg:
        reg.projects.create("rec", "Recycling")
        reg.components.add(REF, "Detector", kind="model", level=7, reason="built before the registry")
        reg.datasets.add("rec", "golden-bins", "Golden bins", kind="real")
        reg.datasets.add_version("golden-bins", "1.0.0")
        reg.datasets.link("golden-bins", REF, "golden")
        for version, model in (("1.0.0", "good"), ("2.0.0", "good"), ("3.0.0", "weak")):
            reg.versions.register(REF, "model", version)
            reg.golden.score(REF, "golden-bins", cancer[model], cancer["X"], cancer["y"], check=check)
    yield db_url


def run(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", url, "--actor", "cli-test", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_golden_history_as_a_table_json_and_csv(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, url, "golden", "history", REF)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["model", "golden", "set", "metric", "value", "[95%", "CI]", "vs", "champion",
                                "verdict", "date"]  # fmt: skip
    assert lines[1].split()[:4] == ["1.0.0", "golden-bins", "1.0.0", "accuracy"] and "- (first)" in lines[1]
    assert "+0.0000 [+0.0000, +0.0000] vs 1.0.0" in lines[2] and lines[2].split()[-2] == "pass"
    assert " vs 2.0.0" in lines[3] and lines[3].split()[-2] == "fail"
    code, out, _ = run(capsys, url, "golden", "history", REF, "--json")
    payload = json.loads(out)
    assert payload["component"] == REF
    assert [(s["model_version"], s["champion_version"], s["status"]) for s in payload["scores"]] == [
        ("1.0.0", None, "pass"),
        ("2.0.0", "1.0.0", "pass"),
        ("3.0.0", "2.0.0", "fail"),
    ]
    assert payload["scores"][2]["diff"] < payload["scores"][2]["diff_ci_high"] < 0
    code, out, _ = run(capsys, url, "golden", "history", REF, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["model_version"] for r in rows] == ["1.0.0", "2.0.0", "3.0.0"] and rows[0][
        "champion_version"
    ] == ""


def test_golden_history_draws_the_succession(
    url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    svg, png = tmp_path / "succession.svg", tmp_path / "succession.png"
    code, out, _ = run(capsys, url, "golden", "history", REF, "--plot", str(svg))
    assert code == 0 and f"plot written to {svg}" in out.replace("\n", "")
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text and "3.0.0" in text
    assert run(capsys, url, "golden", "history", REF, "--plot", str(png), "--json")[0] == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = run(capsys, url, "golden", "history", REF, "--plot", str(tmp_path / "plot.pdf"))
    assert code == 2 and "give a file ending in .svg or .png" in err and len(err.strip().splitlines()) == 1


def test_golden_history_of_an_unknown_component_is_a_one_line_error(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, url, "golden", "history", "rec/9.9")
    assert code == 2 and "no component '9.9' in project 'rec'" in err


def test_relations_add_list_and_remove(
    url: str, capsys: pytest.CaptureFixture[str], cancer: dict[str, Any]
) -> None:
    code, out, _ = run(capsys, url, "relations", "list", REF)
    assert code == 0 and "no relations codified on rec/1.1" in out
    code, out, _ = run(capsys, url, "relations", "add", REF, "noise", "--kind", "invariance",
                       "--perturbation", "gaussian_noise", "--param", "scale=0.01", "--tolerance", "0.05",
                       "--description", "1% noise changes nothing", "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["params"] == {"scale": 0.01}
    code, _, _ = run(capsys, url, "relations", "add", REF, "radius", "-k", "directional", "-p", "shift",
                     "--param", "column=mean radius", "--param", "by=2", "--direction", "down")  # fmt: skip
    assert code == 0
    with Registry.open(url) as reg:
        reg.relations.run(REF, cancer["good"], cancer["X"])
    code, out, _ = run(capsys, url, "relations", "list", REF)
    assert code == 0
    noise = next(line for line in out.splitlines() if line.startswith("noise"))
    assert "gaussian_noise(scale=0.01)" in noise and "pass" in noise
    radius = next(line for line in out.splitlines() if line.startswith("radius"))
    assert 'shift(column="mean radius", by=2)' in radius and "directional (down)" in radius
    code, out, _ = run(capsys, url, "relations", "list", REF, "--json")
    listed = json.loads(out)["relations"]
    assert [(r["name"], r["last_status"], r["fresh"]) for r in listed] == [
        ("noise", "pass", True),
        ("radius", "pass", True),
    ]
    assert run(capsys, url, "relations", "remove", REF, "noise", "--reason", "superseded")[0] == 0
    code, out, _ = run(capsys, url, "relations", "list", REF, "--format", "csv")
    assert [r["name"] for r in csv.DictReader(io.StringIO(out))] == ["radius"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["noise", "--kind", "invariance"], "relation 'noise' has no perturbation: name one of"),
        (["noise", "--kind", "invariance", "-p", "blur"], "perturbation 'blur' is unknown"),
        (["noise", "--kind", "invariance", "-p", "scaling", "--param", "factor"],
         "--param 'factor': give KEY=VALUE"),
        (["noise", "--kind", "directional", "-p", "shift", "--param", "column=a", "--param", "by=1"],
         "a directional relation needs direction 'up' or 'down'"),
    ],
)  # fmt: skip
def test_a_bad_relation_on_the_command_line_is_one_line_and_exit_2(
    url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, url, "relations", "add", REF, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert "noise" not in run(capsys, url, "relations", "list", REF)[1]
