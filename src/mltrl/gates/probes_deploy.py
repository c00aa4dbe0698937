"""Probes of the level-8 deployment tests: ``L8.shadow``, ``L8.canary``, ``L8.ab-test``, ``L8.blue-green``.

The organisation's policy names the kinds its level-8 gate asks for (``settings.deployment_tests``,
shadow and canary by default); the others are waived by policy, and the gate says so. A required
kind is met by its latest deployment-test evidence (what ``mltrl deploy compare`` and ``mltrl deploy
switch`` record) having passed on the current versions; evidence of another kind (a note, a metric
typed in) does not back it.
"""

from __future__ import annotations

from mltrl.gates.context import GateContext

Outcome = tuple[str, str]
KIND = "deployment-test"


def deployment_test(ctx: GateContext, criterion_id: str) -> Outcome:
    from mltrl.gates.probes import by_evidence

    name = criterion_id.split(".", 1)[1]
    required = ctx.catalog.settings.deployment_tests
    if name not in required:
        return "waived", (
            f"the organisation's policy asks for {', '.join(required)} at level 8, not {name} "
            "(settings.deployment_tests)"
        )
    latest = ctx.latest_evidence(criterion_id)
    if latest is not None and latest.kind != KIND:
        return "unmet", (
            f"evidence {latest.id} is a {latest.kind}, not a deployment test: run `mltrl deploy "
            f"{'switch' if name == 'blue-green' else 'compare'}` on the logs"
        )
    return by_evidence(ctx, criterion_id)
