"""Build the demo registry from the MLTRL paper's use-cases.

* ``neuropath`` - the neuropathology copilot of the paper's example TRL Card:
  components 1.1, 4.2 and 4.3 at level 4, its three data sets with versions,
  requirements with risks, and a complete level-4 review waiting for its
  decision (see :mod:`mltrl.demo.neuropath`).
* ``recycling`` - the computer-vision recycling app: enters at level 4 and
  climbs to 9 through gated reviews; a level-8 review sends the detector back
  to 7, and a new detector model deployed at 9 takes the embedded 9 -> 7
  switchback, after which it is climbing again.
* ``etalumis`` - probabilistic programming to invert particle-physics
  simulators, loaded as imported history: from first principles, the embedded
  4 -> 2 switchback to develop amortised inference, and the fork into ``ppx``.
* ``causal-dx`` - a causal diagnosis model: a project with the ``causal`` trait, so the
  catalogue's causal-inference criteria at levels 0, 1, 2 and 4 apply to it.
* with ``mltrl[monitor]`` installed, the deployed recycling app's last week of
  served photos: daily profiles, drift and data-quality alerts that open its
  deployment review, and accuracy per day from late actuals
  (see :mod:`mltrl.demo.monitoring`).

Everything is back-dated on one timeline ending now, so ``report`` has real
durations to show.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from importlib.resources import files

from mltrl.demo import _reviewing, causal, monitoring, neuropath, recycling_data
from mltrl.errors import BadInput
from mltrl.service.registry import Registry

DEMO_SPAN_DAYS = 1200


class Timeline:
    """Hands out ever later moments, starting ``DEMO_SPAN_DAYS`` before ``end``."""

    def __init__(self, end: datetime) -> None:
        self.end = end
        self.now = end - timedelta(days=DEMO_SPAN_DAYS)

    def after(self, days: float) -> datetime:
        self.now = min(self.now + timedelta(days=days), self.end - timedelta(minutes=1))
        return self.now


#: The demo organisation's policy (a first-pass ML Test Score threshold); open the registry with it.
POLICY = files("mltrl.demo") / "policy.yaml"


def build_demo(reg: Registry, end: datetime) -> None:
    """Fill ``reg`` (opened with ``policy=POLICY``) with the demo projects, dated up to ``end``."""
    if reg.catalog.settings.ml_test_score_threshold != 1:
        raise BadInput("the demo needs its policy: open the registry with policy=mltrl.demo.build.POLICY")
    t = Timeline(end)
    with reg.transaction():
        _etalumis(reg, t)
        neuropath.build(reg, t)
        _recycling(reg, t)
        _ppx_after_fork(reg, t)
        causal.build(reg, t)
        if monitoring.available():  # the deployed app's last week under watch (mltrl[monitor])
            monitoring.build(reg, end)


def _imported_climb(
    reg: Registry, ref: str, approvers: Iterator[str], t: Timeline, days: float, steps: int
) -> None:
    for _ in range(steps):
        reg.components.import_graduation(ref, approver=next(approvers), at=t.after(days))


def _panel(*names: str) -> Iterator[str]:
    while True:
        yield from names


def _etalumis(reg: Registry, t: Timeline) -> None:
    reg.projects.create(
        "etalumis",
        "Etalumis: inverting particle-physics simulators",
        description="Bayesian inference over the execution traces of the SHERPA simulator with probabilistic "
        "programming, scaled to a supercomputer.",
        rd_owner="probabilistic ML lab",
        product_owner="CERN physics analysis group",
        at=t.after(0),
    )
    add = reg.components.add
    add("etalumis/1", "Etalumis inference system", kind="composite", level=0, at=t.after(1))
    add("etalumis/1.1", "PPX execution protocol", kind="software-module", level=0, parent="1", at=t.after(0))
    add("etalumis/1.2", "Amortised inference network", kind="algorithm", level=0, parent="1", at=t.after(0))
    add(
        "etalumis/1.3",
        "SHERPA simulator bridge",
        kind="software-module",
        level=3,
        parent="1",
        reason="integration work starts once the protocol is prototyped",
        at=t.after(0),
    )
    add(
        "etalumis/1.4",
        "Exact MCMC baseline on CPU",
        kind="algorithm",
        level=2,
        parent="1",
        reason="the exact MCMC baseline comes from earlier physics work, already a proof of principle",
        at=t.after(0),
    )
    panel = _panel("research lead", "HPC engineer", "physics lead")
    for ref in ("etalumis/1", "etalumis/1.1", "etalumis/1.2"):
        _imported_climb(reg, ref, panel, t, 12, 3)
    for ref in ("etalumis/1", "etalumis/1.1", "etalumis/1.2"):
        _imported_climb(reg, ref, panel, t, 20, 1)
    reg.components.switchback(
        "etalumis/1.2",
        2,
        reason="the PoC showed per-run inference is too slow; develop an amortised "
        "inference network trained once",
        at=t.after(15),
    )
    reg.components.retire("etalumis/1.4", reason="superseded by amortised inference", at=t.after(5))
    _imported_climb(reg, "etalumis/1.2", panel, t, 25, 2)
    _imported_climb(reg, "etalumis/1.3", panel, t, 10, 1)
    for ref in ("etalumis/1", "etalumis/1.1", "etalumis/1.2", "etalumis/1.3"):
        _imported_climb(reg, ref, panel, t, 20, 2)
    reg.versions.register("etalumis/1.1", "code", "1.0.0", uri="https://github.com/pyprob/ppx", at=t.after(3))
    reg.projects.fork(
        "etalumis",
        "ppx",
        name="PPX open-source protocol",
        reason="both paths: the open-source protocol follows its own lifecycle, apart from the CERN "
        "deployment",
        at=t.after(5),
    )
    for ref in ("etalumis/1", "etalumis/1.1", "etalumis/1.2", "etalumis/1.3"):
        _imported_climb(reg, ref, panel, t, 25, 2)


def _ppx_after_fork(reg: Registry, t: Timeline) -> None:
    reg.components.retire("ppx/1.3", reason="the SHERPA bridge stays with the CERN path", at=t.after(1))
    reg.components.switchback(
        "ppx/1.1",
        5,
        kind="discovery",
        reason="support more host languages so PPX serves more simulators",
        at=t.after(10),
    )
    _imported_climb(reg, "ppx/1.1", _panel("open-source maintainer", "community reviewer"), t, 20, 2)


RECYCLING_PEOPLE = {
    "research-lead": "R. Okafor",
    "applied-ai": "M. Chen",
    "software-engineering": "J. Novak",
    "product-manager": "L. Duarte",
    "stakeholder": "Waste-services partner",
    "qa": "P. Iyer",
    "infrastructure": "K. Larsen",
    "owner": "L. Duarte",
}


def _recycling(reg: Registry, t: Timeline) -> None:
    reg.projects.create(
        "recycling",
        "Recycling vision app",
        description="Real-time recognition of recyclable objects on mobile phones, trained on real, "
        "user-annotated and synthetic (Unity Perception) images.",
        rd_owner="M. Chen",
        product_owner="L. Duarte",
        at=t.after(1),
    )
    reg.cards.edit("recycling", recycling_data.CARD)  # the card grows with the work; complete by level 8
    # A prototype built in a hackathon enters at level 4: each part, then the app, through an entry
    # review of the level-3 gate.
    why = "prototype built and tested at the 2025 sustainability hackathon"
    reg.components.add(
        "recycling/1",
        "Recycling classification app",
        kind="composite",
        level=4,
        reason=why,
        entry_review=True,
        at=t.after(1),
    )
    parts = {
        "recycling/1.1": ("Object detector", "model"),
        "recycling/1.2": ("Synthetic image pipeline", "data-pipeline"),
        "recycling/1.3": ("User annotation module", "software-module"),
    }
    for ref, (name, kind) in parts.items():
        _reviewing.enter(
            reg, ref, name, kind=kind, level=4, parent="1", owner="M. Chen", reason=why,
            people=RECYCLING_PEOPLE, at=t.after(0),
        )  # fmt: skip
    _reviewing.graduate(reg, "recycling/1", t.after(1), RECYCLING_PEOPLE)
    reg.versions.register("recycling/1.1", "model", "1.0.0", at=t.after(2))
    # Parts first: a composite graduates no further than its least ready part.
    everything = [*parts, "recycling/1"]
    recycling_data.datasets(reg, everything, t.after(1))
    reg.groups.join("recycling/1.1", "M. Chen", "applied-ai", at=t.after(0))
    reg.groups.join("recycling/1.1", "J. Novak", "software-engineering", at=t.after(0))
    recycling_data.sim_to_real(reg, t.after(2))  # both parts learn from or check against renders
    for ref in everything:  # 4 -> 5 -> 6, every part through its own gate
        _reviewing.graduate(reg, ref, t.after(9), RECYCLING_PEOPLE)
    # Level 5: the capability passes from R&D to product, and the working group grows with it.
    reg.components.hand_off(
        "recycling/1", "L. Duarte", note="roadmap and budget agreed for productisation", at=t.after(1)
    )
    reg.groups.join("recycling/1.1", "L. Duarte", "product-manager", at=t.after(0))
    recycling_data.product_requirements(reg, everything, t.after(2))
    recycling_data.sim_to_real(reg, t.after(1), requirement="3", step=1)  # the risk table's gap
    for _ in range(2):
        for ref in everything:
            _reviewing.graduate(reg, ref, t.after(9), RECYCLING_PEOPLE)
    # Level 7: infrastructure and QA join to build the integration test suites with applied AI.
    reg.groups.join("recycling/1.1", "K. Larsen", "infrastructure", at=t.after(0))
    reg.groups.join("recycling/1.1", "P. Iyer", "qa", at=t.after(0))
    reg.groups.leave("recycling/1.1", "J. Novak", reason="moved to the app team", at=t.after(0))
    for ref in everything:  # 7 -> 8: the integration test suites back the gate
        results = recycling_data.integration_evidence(reg, ref, t.after(3))
        _reviewing.graduate(reg, ref, t.after(9), RECYCLING_PEOPLE, results=results)
    _shadow_test_sends_detector_back(reg, t)
    results = recycling_data.integration_evidence(reg, "recycling/1.1", t.after(12))
    _reviewing.graduate(reg, "recycling/1.1", t.after(6), RECYCLING_PEOPLE, results=results)
    # Before go-live: shadow and canary deployments, every requirement of the project walked
    # through, monitoring in place and a complete card.
    for ref in everything:
        recycling_data.deployment_evidence(reg, ref, t.after(5))
    waivers = recycling_data.monitoring_ready(reg, everything)
    for ref in everything:  # 8 -> 9
        _reviewing.graduate(reg, ref, t.after(5), RECYCLING_PEOPLE, results=waivers)
    # A new detector model for the deployed app: mltrl takes the embedded 9 -> 7 switchback itself,
    # and the integration evidence of model 1.0.0 no longer backs anything.
    reg.versions.register(
        "recycling/1.1", "model", "2.0.0", note="retrained with more synthetic images", at=t.after(30)
    )
    results = recycling_data.integration_evidence(reg, "recycling/1.1", t.after(10))
    _reviewing.graduate(reg, "recycling/1.1", t.after(2), RECYCLING_PEOPLE, results=results)
    # New user photos arrive for the detector at level 8: its level-7 evidence is now stale, and
    # `mltrl gate recycling/1.1` fails until the suites run again on data 1.1.0.
    reg.versions.register("recycling/1.1", "data", "1.1.0", note="3,000 new user photos", at=t.after(7))


def _shadow_test_sends_detector_back(reg: Registry, t: Timeline) -> None:
    """The level-8 review of the detector: the shadow test fails on crumpled cans, back to 7."""
    at = t.after(6)
    review = _reviewing.staffed_review(reg, "recycling/1.1", at, RECYCLING_PEOPLE)
    reg.reviews.record_result(
        review,
        "L8.shadow",
        "unmet",
        "shadow test: recall on crumpled cans 12 points below the golden-dataset baseline",
        at=at,
    )
    tasks = [
        {"task": "add 500 crumpled-can images to the golden dataset", "target": "recall >= 0.92"},
        {"task": "rerun the shadow test for two weeks", "target": "no slice below baseline - 2 points"},
    ]
    for person in sorted({row["person"] for row in reg.reviews.get(review).details["panel"]}):
        if person == RECYCLING_PEOPLE["qa"]:
            reg.reviews.sign(review, person, "request-changes", tasks=tasks, at=at)
        else:
            reg.reviews.sign(review, person, "approve", at=at)
    reg.reviews.decide(
        review,
        "switchback",
        to_level=7,
        at=at,
        reason="shadow test failed on a critical slice",
        debrief="the crumpled-can slice was missing from the integration tests; added to the risk table",
    )
