"""Probes of the criteria backed by a scientific check: sim-to-real and the causal-inference checks.

``L4.sim-to-real`` applies to a component linked to a synthetic or simulated data set (waived for
the rest, saying why): it is met by a passing :class:`~mltrl.checks.SimToRealCheck` result on the
current versions. ``L1.covariate-balance``, ``L1.overlap`` and ``L2.causal-sensitivity`` (criteria of
projects with the ``causal`` trait) are met by a passing :class:`~mltrl.checks.BalanceCheck`,
:class:`~mltrl.checks.OverlapCheck` or :class:`~mltrl.checks.EValueCheck` result.

A result is known by the figure its check always writes (``domain_auc``, ``max_abs_smd_after`` ...):
a note or a metric typed in without it backs none of these criteria.
"""

from __future__ import annotations

from mltrl.gates.context import GateContext

Outcome = tuple[str, str]
SIMULATED_KINDS = ("synthetic", "simulated")

#: criterion name -> (the figure its check writes, the command that records it)
CHECKS = {
    "sim-to-real": ("domain_auc", "mltrl check sim-to-real"),
    "covariate-balance": ("max_abs_smd_after", "mltrl check balance"),
    "overlap": ("share_inside", "mltrl check overlap"),
    "causal-sensitivity": ("e_value_bound", "mltrl check e-value"),
}


def computed_check(ctx: GateContext, criterion_id: str) -> Outcome:
    from mltrl.gates.probes import by_evidence

    figure, command = CHECKS[criterion_id.split(".", 1)[1]]
    latest = ctx.latest_evidence(criterion_id)
    if latest is not None and figure not in latest.metrics:
        return "unmet", f"evidence {latest.id} is not a result of the check (no {figure}): run `{command}`"
    if latest is None:
        return "unmet", f"no evidence recorded: run `{command}`"
    return by_evidence(ctx, criterion_id)


def sim_to_real(ctx: GateContext, criterion_id: str) -> Outcome:
    simulated = sorted({link.dataset_key for link in ctx.data_links if link.dataset_kind in SIMULATED_KINDS})
    if not simulated:
        return "waived", "no synthetic or simulated data set is linked to the component"
    status, reason = computed_check(ctx, criterion_id)
    return status, f"{reason} (simulated data: {', '.join(simulated)})"
