"""docs/catalog.md stays true: its full policy example loads, its level table matches the data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mltrl.catalog import load_catalog

DOC = Path(__file__).resolve().parents[2] / "docs" / "catalog.md"

pytestmark = pytest.mark.skipif(not DOC.is_file(), reason="docs are not part of this installation")


def test_the_documented_full_example_is_a_valid_policy(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    after_marker = text.split("The test suite loads this example", 1)[1]
    example = re.search(r"```yaml\n(.*?)```", after_marker, re.S)
    assert example is not None
    path = tmp_path / "policy.yaml"
    path.write_text(example.group(1), encoding="utf-8")
    catalog = load_catalog(path)
    assert catalog.settings.ml_test_score_threshold == 6.0
    assert catalog.criterion("L2.sensitivity-analysis").kind == "evidence"
    assert "legal" in {role.id for role in catalog.level(4).required_roles}
    assert "clinical.oversight" in {q.id for q in catalog.ethics.questions}


def test_the_level_table_matches_the_catalogue() -> None:
    rows = re.findall(
        r"^\| (\d) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|", DOC.read_text("utf-8"), re.M
    )
    catalog = load_catalog()
    assert [int(row[0]) for row in rows] == list(range(10))
    for number, name, phase, caliber, panel in rows:
        level = catalog.level(int(number))
        assert (name.strip(), phase.strip(), caliber.strip()) == (
            level.name,
            catalog.phase_of(level.level).name,
            level.code_caliber,
        )
        required = panel.split("(optional:")[0]
        assert [r.strip() for r in required.split(",")] == [r.id for r in level.required_roles]
