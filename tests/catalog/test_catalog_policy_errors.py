"""A bad policy file is one clear line: the file, the place in it, and what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mltrl.catalog import load_catalog
from mltrl.errors import BadInput, PolicyError

WritePolicy = Callable[[str], Path]


def policy_error(path: Path) -> str:
    """Load ``path``, expect a PolicyError, check the one-line contract, and return the message."""
    with pytest.raises(PolicyError) as caught:
        load_catalog(path)
    message = caught.value.message
    assert "\n" not in message
    assert message.startswith(f"policy {path}: ")
    return message.removeprefix(f"policy {path}: ")


CASES = {
    "level out of range": (
        "version: 1\nlevels: {12: {}}\n",
        "levels.12: level 12 is outside 0-9",
    ),
    "negative level": (
        "version: 1\nlevels: {-1: {}}\n",
        "levels.-1: level -1 is outside 0-9",
    ),
    "level key not a number": (
        "version: 1\nlevels: {two: {}}\n",
        "levels.two: Input should be a valid integer",
    ),
    "remove unknown criterion": (
        "version: 1\nlevels: {2: {remove_criteria: [L2.nope]}}\n",
        "levels.2.remove_criteria: unknown criterion 'L2.nope'",
    ),
    "remove criterion twice": (
        "version: 1\nlevels: {2: {remove_criteria: [L2.reproducible, L2.reproducible]}}\n",
        "levels.2.remove_criteria: 'L2.reproducible' is listed 2 times",
    ),
    "add criterion with another level's prefix": (
        "version: 1\nlevels: {2: {add_criteria: [{id: L3.x, text: X, kind: attestation}]}}\n",
        "levels.2.add_criteria[0].id: 'L3.x' must start with 'L2.'",
    ),
    "add criterion that exists": (
        "version: 1\nlevels: {2: {add_criteria: [{id: L2.reproducible, text: X, kind: evidence}]}}\n",
        "levels.2.add_criteria[0].id: criterion 'L2.reproducible' already exists",
    ),
    "add criterion with a malformed id": (
        "version: 1\nlevels: {2: {add_criteria: [{id: L2.Not Kebab, text: X, kind: evidence}]}}\n",
        "levels.2.add_criteria[0].id: 'L2.Not Kebab' is not a criterion id",
    ),
    "add criterion with an unknown kind": (
        "version: 1\nlevels: {2: {add_criteria: [{id: L2.x, text: X, kind: vibes}]}}\n",
        "levels.2.add_criteria[0].kind: Input should be 'attestation' or 'evidence', got 'vibes'",
    ),
    "add criterion without text": (
        "version: 1\nlevels: {2: {add_criteria: [{id: L2.x, kind: evidence}]}}\n",
        "levels.2.add_criteria[0].text: Field required",
    ),
    "change unknown criterion": (
        "version: 1\nlevels: {5: {change_criteria: {L5.nope: {kind: evidence}}}}\n",
        "levels.5.change_criteria: unknown criterion 'L5.nope'",
    ),
    "change criterion to an unknown kind": (
        "version: 1\nlevels: {5: {change_criteria: {L5.handoff: {kind: maybe}}}}\n",
        "levels.5.change_criteria.L5.handoff.kind: Input should be 'attestation' or 'evidence'",
    ),
    "remove unknown role": (
        "version: 1\nlevels: {3: {remove_roles: [astrologer]}}\n",
        "levels.3.remove_roles: unknown role 'astrologer'",
    ),
    "add role that exists": (
        "version: 1\nlevels: {3: {add_roles: [{id: applied-ai, name: Again}]}}\n",
        "levels.3.add_roles[0].id: role 'applied-ai' already exists",
    ),
    "change unknown role": (
        "version: 1\nlevels: {3: {change_roles: {astrologer: {required: false}}}}\n",
        "levels.3.change_roles: unknown role 'astrologer'",
    ),
    "panel left without a required role": (
        "version: 1\nlevels: {0: {change_roles: {research-lead: {required: false}}}}\n",
        "levels.0: the review panel would have no required role",
    ),
    "misspelt key in a level": (
        "version: 1\nlevels: {2: {add_critera: []}}\n",
        "levels.2: unknown key 'add_critera'",
    ),
    "misspelt top-level key": (
        "version: 1\nlevles: {}\n",
        "unknown key 'levles'",
    ),
    "missing version": (
        "levels: {}\n",
        "version: Field required",
    ),
    "unsupported version": (
        "version: 2\n",
        "version: Input should be 1, got 2",
    ),
    "threshold beyond the ML Test Score scale": (
        "version: 1\nsettings: {ml_test_score_threshold: 9}\n",
        "settings.ml_test_score_threshold: Input should be less than or equal to 7, got 9",
    ),
    "unknown setting": (
        "version: 1\nsettings: {strictness: high}\n",
        "settings: unknown key 'strictness'",
    ),
    "several problems": (
        "version: 1\nsettings: {strictness: high, separation_of_duties: perhaps}\n",
        "(and 1 more problem)",
    ),
    "remove unknown ethics question": (
        "version: 1\nethics: {remove_questions: [pre.x]}\n",
        "ethics.remove_questions: unknown question 'pre.x'",
    ),
    "questions for an unknown section": (
        "version: 1\nethics: {add_questions: {legal: [{id: legal.gdpr, text: GDPR}]}}\n",
        "ethics.add_questions: unknown section 'legal'",
    ),
    "question id already used": (
        "version: 1\nethics: {add_questions: {organisation: [{id: pre.harm, text: Again}]}}\n",
        "ethics.add_questions.organisation[0].id: question 'pre.harm' already exists",
    ),
    "section id already used": (
        "version: 1\nethics:\n  add_sections:\n"
        "    - {id: organisation, title: T, questions: [{id: o.x, text: X}]}\n",
        "ethics.add_sections[0].id: section 'organisation' already exists",
    ),
    "section without questions": (
        "version: 1\nethics: {add_sections: [{id: empty, title: T, questions: []}]}\n",
        "ethics.add_sections[0].questions: Tuple should have at least 1 item",
    ),
    "replace without sections": (
        "version: 1\nethics: {replace: true}\n",
        "ethics.replace: replacing the checklist needs the new sections",
    ),
    "removing every question of a section": (
        "version: 1\nethics:\n  remove_questions: [org.values, org.escalation, org.diverse-review,"
        " org.incidents, org.third-party, org.training, org.disclosure, org.footprint]\n",
        "ethics.remove_questions: section 'organisation' would have no questions left",
    ),
    "invalid YAML": (
        "version: 1\nlevels:\n  2: {add_criteria: [\n",
        "not valid YAML (line 4, column 1)",
    ),
    "repeated key": (
        "version: 1\nlevels: {}\nlevels: {}\n",
        "not valid YAML (line 3, column 1): key 'levels' appears twice",
    ),
    "top level is a list": (
        "- version: 1\n",
        "the top level must be a mapping with 'version: 1', found a list",
    ),
    "empty file": (
        "",
        "found an empty file",
    ),
}


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
def test_bad_policy_is_one_line_naming_file_and_place(
    write_policy: WritePolicy, text: str, expected: str
) -> None:
    assert expected in policy_error(write_policy(text))


def test_missing_file_cannot_be_read(tmp_path: Path) -> None:
    assert policy_error(tmp_path / "absent.yaml").startswith("cannot read: No such file")


def test_directory_cannot_be_read(tmp_path: Path) -> None:
    assert policy_error(tmp_path) == "cannot read: Is a directory"


def test_binary_file_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_bytes(b"version: 1\n\xff\xfe\n")
    assert policy_error(path) == "cannot read: not UTF-8 text"


def test_policy_error_is_bad_input_with_exit_code_2(write_policy: WritePolicy) -> None:
    with pytest.raises(BadInput) as caught:
        load_catalog(write_policy("version: 2\n"))
    assert isinstance(caught.value, PolicyError)
    assert caught.value.exit_code == 2


def test_a_failed_policy_changes_nothing(write_policy: WritePolicy) -> None:
    before = load_catalog().to_json()
    bad = write_policy("version: 1\nlevels: {2: {remove_criteria: [L2.reproducible, L2.nope]}}\n")
    with pytest.raises(PolicyError):
        load_catalog(bad)
    assert load_catalog().to_json() == before


def test_messages_do_not_name_python_classes(write_policy: WritePolicy) -> None:
    assert policy_error(write_policy("version: 1\nlevels:\n  2:\n")) == (
        "levels.2: Input should be a valid dictionary"
    )
