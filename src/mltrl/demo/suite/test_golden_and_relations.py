"""The detector against its golden set and its champion, and the metamorphic relations codified on it."""

from __future__ import annotations

import pytest

from mltrl.checks import GoldenCheck

pytestmark = pytest.mark.mltrl(component="recycling/1.1")


@pytest.mark.mltrl(criterion="L7.golden-dataset", rubric="I4")
def test_golden_set_against_the_champion(detector, golden, golden_file, mltrl_evidence):
    X, y = golden
    mltrl_evidence.read(golden_file)
    check = GoldenCheck(metric="accuracy", minimum=0.9, max_drop_vs_champion=0.02, n_boot=500)
    mltrl_evidence.golden("golden-bins", detector, bins_pixels(X), y, check=check).assert_pass()


@pytest.mark.mltrl(criterion="L7.metamorphic", rubric="M6")
def test_codified_relations_hold(detector, golden, mltrl_evidence):
    X, _ = golden
    mltrl_evidence.relations(detector, bins_pixels(X)).assert_pass()


def bins_pixels(X):  # type: ignore[no-untyped-def]
    from mltrl.demo import detector as bins

    return X[bins.PIXELS].to_numpy()
