"""Build the demo registry from the MLTRL paper's use-cases.

* ``neuropath`` - the neuropathology copilot of the paper's example TRL Card:
  components 1.1, 4.2 and 4.3 at level 4, its three data sets as versions.
* ``recycling`` - the computer-vision recycling app: enters at level 4, climbs
  to 9, is sent back 8 -> 7 by a review, returns 9 -> 7 (embedded) when a new
  detector model is deployed, and is climbing again.
* ``etalumis`` - probabilistic programming to invert particle-physics
  simulators: starts from first principles, takes the embedded 4 -> 2
  switchback to develop amortised inference, and forks into ``ppx``, the
  open-source path of its execution protocol.

Everything is back-dated on a fixed timeline ending now, so ``report`` has
real durations to show.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from mltrl.service.registry import Registry

DEMO_SPAN_DAYS = 1000


class Timeline:
    """Hands out ever later moments, starting ``DEMO_SPAN_DAYS`` before ``end``."""

    def __init__(self, end: datetime) -> None:
        self.end = end
        self.now = end - timedelta(days=DEMO_SPAN_DAYS)

    def after(self, days: float) -> datetime:
        self.now = min(self.now + timedelta(days=days), self.end)
        return self.now


def build_demo(reg: Registry, end: datetime) -> None:
    t = Timeline(end)
    with reg.transaction():
        _etalumis(reg, t)
        _neuropath(reg, t)
        _recycling(reg, t)
        _ppx_after_fork(reg, t)


def _climb(reg: Registry, ref: str, approvers: Iterator[str], t: Timeline, days: float, steps: int) -> None:
    for _ in range(steps):
        reg.graduate(ref, approver=next(approvers), at=t.after(days))


def _panel(*names: str) -> Iterator[str]:
    while True:
        yield from names


def _etalumis(reg: Registry, t: Timeline) -> None:
    reg.create_project(
        "etalumis",
        "Etalumis: inverting particle-physics simulators",
        description="Bayesian inference over the execution traces of the SHERPA simulator with probabilistic "
        "programming, scaled to a supercomputer.",
        rd_owner="probabilistic ML lab",
        product_owner="CERN physics analysis group",
        at=t.after(0),
    )
    reg.add_component("etalumis/1", "Etalumis inference system", kind="composite", level=0, at=t.after(1))
    reg.add_component(
        "etalumis/1.1", "PPX execution protocol", kind="software-module", level=0, parent="1", at=t.after(0)
    )
    reg.add_component(
        "etalumis/1.2", "Amortised inference network", kind="algorithm", level=0, parent="1", at=t.after(0)
    )
    reg.add_component(
        "etalumis/1.3",
        "SHERPA simulator bridge",
        kind="software-module",
        level=3,
        parent="1",
        reason="integration work starts once the protocol is prototyped",
        at=t.after(0),
    )
    reg.add_component(
        "etalumis/1.4", "Exact MCMC baseline on CPU", kind="algorithm", level=2, parent="1", at=t.after(0)
    )
    panel = _panel("research lead", "HPC engineer", "physics lead")
    for ref in ("etalumis/1", "etalumis/1.1", "etalumis/1.2"):
        _climb(reg, ref, panel, t, 12, 3)
    for ref in ("etalumis/1", "etalumis/1.1", "etalumis/1.2"):
        _climb(reg, ref, panel, t, 20, 1)
    reg.switchback(
        "etalumis/1.2",
        2,
        reason="the PoC showed per-run inference is too slow; develop an amortised "
        "inference network trained once",
        at=t.after(15),
    )
    reg.retire("etalumis/1.4", reason="superseded by amortised inference", at=t.after(5))
    _climb(reg, "etalumis/1.2", panel, t, 25, 2)
    _climb(reg, "etalumis/1.3", panel, t, 10, 1)
    for ref in ("etalumis/1", "etalumis/1.1", "etalumis/1.2", "etalumis/1.3"):
        _climb(reg, ref, panel, t, 20, 2)
    reg.register_version("etalumis/1.1", "code", "1.0.0", uri="https://github.com/pyprob/ppx", at=t.after(3))
    reg.fork_project(
        "etalumis",
        "ppx",
        name="PPX open-source protocol",
        reason="both paths: the open-source protocol follows its own lifecycle, apart from the CERN "
        "deployment",
        at=t.after(5),
    )
    for ref in ("etalumis/1", "etalumis/1.1", "etalumis/1.2", "etalumis/1.3"):
        _climb(reg, ref, panel, t, 25, 2)


def _ppx_after_fork(reg: Registry, t: Timeline) -> None:
    reg.retire("ppx/1.3", reason="the SHERPA bridge stays with the CERN path", at=t.after(1))
    reg.switchback(
        "ppx/1.1",
        5,
        kind="discovery",
        reason="support more host languages so PPX serves more simulators",
        at=t.after(10),
    )
    panel = _panel("open-source maintainer", "community reviewer")
    _climb(reg, "ppx/1.1", panel, t, 20, 2)


def _neuropath(reg: Registry, t: Timeline) -> None:
    reg.create_project(
        "neuropath",
        "Neuropathology Copilot v1.0",
        description="Analyse whole-slide images of brain tissue: an unsupervised model lays out a "
        "manifold of tissue types, a domain expert selects points, a U-Net classifies.",
        rd_owner="A. Lavin / G. Renard",
        product_owner="S. Wozniak / S. Jobs",
        at=t.after(2),
    )
    reg.add_component("neuropath/1.1", "SP-VAE tissue manifold model", kind="model", level=3, at=t.after(1))
    reg.add_component(
        "neuropath/4.2", "Expert data-point selection", kind="software-module", level=4, at=t.after(1)
    )
    reg.add_component("neuropath/4.3", "U-Net tissue classifier", kind="model", level=4, at=t.after(1))
    reg.graduate("neuropath/1.1", approver="G. Renard", at=t.after(40))
    reg.couple("neuropath/1.1", "neuropath/4.2", note="the expert selects points on the model's manifold")
    reg.couple("neuropath/4.2", "neuropath/4.3", note="selected points label the classifier's training data")
    reg.register_version("neuropath/1.1", "model", "1.0.0", at=t.after(2))
    reg.register_version(
        "neuropath/4.3", "data", "1.0.0", note="pilot data set provided by BioLab", at=t.after(0)
    )
    reg.register_version(
        "neuropath/4.3",
        "data",
        "2.3.0",
        note="simulated data, structured domain randomisation",
        at=t.after(0),
    )


def _recycling(reg: Registry, t: Timeline) -> None:
    reg.create_project(
        "recycling",
        "Recycling vision app",
        description="Real-time recognition of recyclable objects on mobile phones, trained on real, "
        "user-annotated and synthetic (Unity Perception) images.",
        rd_owner="applied AI team",
        product_owner="mobile product team",
        at=t.after(1),
    )
    reg.add_component("recycling/1", "Recycling classification app", kind="composite", level=4, at=t.after(1))
    parts = {
        "recycling/1.1": ("Object detector", "model"),
        "recycling/1.2": ("Synthetic image pipeline", "data-pipeline"),
        "recycling/1.3": ("User annotation module", "software-module"),
    }
    for ref, (name, kind) in parts.items():
        reg.add_component(ref, name, kind=kind, level=4, parent="1", at=t.after(0))
    reg.register_version("recycling/1.1", "model", "1.0.0", at=t.after(2))
    panel = _panel("product manager", "applied AI engineer", "QA lead", "infrastructure engineer")
    everything = ["recycling/1", *parts]
    for _ in range(4):  # 4 -> 8, every part together
        for ref in everything:
            _climb(reg, ref, panel, t, 9, 1)
    reg.switchback(
        "recycling/1.1",
        7,
        kind="review",
        reason="shadow test: recall on crumpled cans 12 points below "
        "the golden-dataset baseline; add those images to the test suite",
        at=t.after(6),
    )
    _climb(reg, "recycling/1.1", panel, t, 18, 1)
    for ref in everything:
        _climb(reg, ref, panel, t, 10, 1)
    reg.register_version(
        "recycling/1.1", "model", "2.0.0", note="retrained with more synthetic images", at=t.after(30)
    )
    reg.switchback(
        "recycling/1.1",
        7,
        reason="model 1.0.0 -> 2.0.0 replaces the deployed detector; it goes back through integration",
        at=t.after(0),
    )
    _climb(reg, "recycling/1.1", panel, t, 12, 1)
