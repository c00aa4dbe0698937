"""``L7.ml-test-score``: the ML Test Score computed from the registry against the policy's threshold.

The score is never typed in: evidence recorded for this criterion counts only as a person's
attestation of the rubric items its ``rubric`` metric names (0.5 each); an ``ml_test_score``
metric on it is ignored, and the gate says so.
"""

from __future__ import annotations

from datetime import UTC, datetime

from mltrl.analytics.test_score import compute
from mltrl.gates.context import GateContext


def ml_test_score(ctx: GateContext, criterion_id: str) -> tuple[str, str]:
    result = compute(ctx.reader, ctx.component, datetime.now(UTC))
    threshold = ctx.catalog.settings.ml_test_score_threshold
    weakest = result.weakest
    without = len([i for i in result.items if i.section == weakest.id]) - weakest.automated - weakest.by_hand
    said = (
        f"ML Test Score {result.score:g} against the policy's {threshold:g}; weakest section "
        f"{weakest.title.lower()} at {weakest.points:g} of 7 ({weakest.automated} automated, "
        f"{weakest.by_hand} by hand, {without} scoring 0)"
    )
    typed = [e.id for e in ctx.evidence if e.criterion_id == criterion_id and "ml_test_score" in e.metrics]
    if typed:
        said += f"; the ml_test_score typed into evidence {typed[-1]} is ignored: the score is computed"
    if result.score >= threshold:
        return "met", said
    if result.score_if_fresh >= threshold:
        return (
            "stale",
            said + f"; stale evidence would give {result.score_if_fresh:g} on the current versions",
        )
    return "unmet", said + f" (`mltrl score {ctx.component.ref}` shows each item)"
