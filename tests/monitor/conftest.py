"""These tests need components at high levels but are not about how a component enters."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _components_enter_with_a_reason(lenient_entry: object) -> None:
    """See ``lenient_entry`` in tests/conftest.py."""
