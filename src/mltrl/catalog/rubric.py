"""The ML Test Score rubric as shipped data: 28 tests in four sections, and what can feed each one.

Breck et al. (2017) score a system by its tests: an item run automatically counts 1, one done by
hand and written up 0.5; a section is the sum of its items, and the score is the lowest section
(a system is as ready as its least-tested side). The items live in ``data/ml_test_score.yaml``;
``mltrl.analytics.test_score`` computes the score from the registry.
"""

from __future__ import annotations

import functools

from pydantic import Field, model_validator

from mltrl.catalog.models import Frozen

#: Live monitoring facts the registry can establish (see ``mltrl.analytics.test_score``).
MONITOR_FACTS = ("drift-monitor", "actuals")
ITEMS_PER_SECTION = 7


class RubricItem(Frozen):
    id: str = Field(pattern=r"^(D|M|I|Mon)[1-7]$")
    title: str = Field(min_length=1)
    criteria: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    monitors: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _known_monitors(self) -> RubricItem:
        for fact in self.monitors:
            if fact not in MONITOR_FACTS:
                raise ValueError(f"{self.id}: monitor fact {fact!r} is not one of {', '.join(MONITOR_FACTS)}")
        return self


class RubricSection(Frozen):
    id: str
    title: str
    items: tuple[RubricItem, ...]


class Band(Frozen):
    """A reading of the final score: ``above < score <= upto`` (an open end is ``None``)."""

    above: float | None
    upto: float | None
    text: str

    def holds(self, score: float) -> bool:
        return (self.above is None or score > self.above) and (self.upto is None or score <= self.upto)


class Rubric(Frozen):
    sections: tuple[RubricSection, ...]
    bands: tuple[Band, ...]

    @model_validator(mode="after")
    def _whole(self) -> Rubric:
        ids = [item.id for s in self.sections for item in s.items]
        if len(set(ids)) != len(ids):
            raise ValueError("rubric item ids repeat")
        for section in self.sections:
            if len(section.items) != ITEMS_PER_SECTION:
                raise ValueError(f"section {section.id} has {len(section.items)} items, not 7")
        return self

    @property
    def item_ids(self) -> frozenset[str]:
        return frozenset(item.id for s in self.sections for item in s.items)

    def band(self, score: float) -> str:
        return next(b.text for b in self.bands if b.holds(score))


@functools.cache
def rubric() -> Rubric:
    """The shipped rubric (cached: it is immutable)."""
    from importlib import resources

    import yaml

    text = resources.files("mltrl.catalog").joinpath("data", "ml_test_score.yaml").read_text(encoding="utf-8")
    return Rubric.model_validate(yaml.safe_load(text))
