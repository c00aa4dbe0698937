"""Separation of duties holds however the owner's name is written (issue 11, item 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mltrl.cli import main
from mltrl.domain.identity import identity, same_person

OWNER = "Zed"
SAME = {
    "lower case": "zed",
    "upper case": "ZED",
    "Cyrillic e": "Z\u0435d",
    "full-width letters": "\uff3a\uff45\uff44",
    "zero-width space": "Z\u200bed",
    "Greek capitals": "\u0396\u0395D",
}


@pytest.mark.parametrize("name", SAME.values(), ids=SAME.keys())
def test_spellings_of_one_name_are_one_person(name: str) -> None:
    assert same_person(name, OWNER)


@pytest.mark.parametrize("name", ["Zad", "Zéd", "Ze d", "\u0417\u0435\u0434"])
def test_different_names_stay_different_people(name: str) -> None:
    assert not same_person(name, OWNER)


def test_a_name_wholly_in_another_script_is_kept_apart_from_latin() -> None:
    assert identity("Иван") != identity("Ivan")
    assert same_person("ИВАН", "иван")


def blockers(url: str, capsys: pytest.CaptureFixture[str], review: int) -> list[str]:
    capsys.readouterr()
    assert main(["--db", url, "review", "show", str(review), "--json"]) == 0
    return json.loads(capsys.readouterr().out)["blockers"]


@pytest.mark.parametrize("approver", [*SAME.values(), "Ada"], ids=[*SAME.keys(), "another person"])
def test_the_owner_cannot_approve_alone_under_another_spelling(
    db_url: str, capsys: pytest.CaptureFixture[str], approver: str, lenient_entry: Path
) -> None:
    for argv in (
        ["init"],
        ["project", "create", "p1", "--name", "P"],
        [
            "component",
            "add",
            "p1/1.1",
            "--name",
            "M",
            "--kind",
            "model",
            "--level",
            "4",
            "--reason",
            "work done before the registry",
            "--owner",
            OWNER,
        ],
        ["review", "open", "p1/1.1"],
        ["review", "panel", "1", "--role", "research-lead", "--person", approver],
        ["review", "sign", "1", "--person", approver, "--approve"],
    ):
        assert main(["--db", db_url, "--actor", "tester", *argv]) == 0, capsys.readouterr().err
    found = [b for b in blockers(db_url, capsys, 1) if "owns the work" in b]
    assert found == ([] if approver == "Ada" else ["Zed owns the work and cannot be its only approver"])
