"""A registry the inner pytest sessions record into: a level-7 component with versions and a requirement."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from plugin_harness import REF

from mltrl.service.registry import Registry


@pytest.fixture
def seeded(db_url: str, lenient_entry: Path) -> Iterator[Registry]:
    """recycling/1.1 at level 7 on model 1.0.0 and data 1.0.0, with requirement 1 (two V&V steps) and
    a golden data set; recycling/2.1 at level 1 (it entered after level 0's gate, so that gate
    holds); recycling/3.1 retired."""
    with Registry.init(db=db_url, actor="tester") as reg:
        reg.projects.create("recycling", "Recycling sorter")
        reg.components.add(REF, "Sorter model", kind="model", level=7, reason="built before the registry")
        reg.components.add("recycling/2.1", "Camera feed", kind="dataset", level=1, reason="an early part")
        reg.components.add("recycling/3.1", "Old sorter", kind="model", level=1, reason="an early part")
        reg.components.retire("recycling/3.1", reason="replaced by recycling/1.1")
        reg.versions.register(REF, "model", "1.0.0")
        reg.versions.register(REF, "data", "1.0.0")
        reg.requirements.add(
            "recycling",
            "1",
            "The sorter shall find 95% of aluminium cans",
            kind="product",
            category="technical",
            p_failure=0.2,
            value=8,
            components=[REF],
        )
        reg.requirements.add_step("recycling", "1", "verification", "recall on the golden set", method="test")
        reg.requirements.add_step(
            "recycling", "1", "validation", "operators accept it", method="demonstration"
        )
        reg.datasets.add("recycling", "golden-cans", "Golden cans", kind="real")
        reg.datasets.add_version("golden-cans", "1.0.0", sha256="0" * 64)
        reg.datasets.link("golden-cans", REF, "golden")  # judged on its current version
        yield reg
