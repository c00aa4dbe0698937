"""The neuropathology copilot: the paper's example TRL Card (Figure 3), at level 4."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from mltrl.demo import _reviewing
from mltrl.service.registry import Registry

if TYPE_CHECKING:
    from mltrl.demo.build import Timeline

PEOPLE = {
    "research-lead": "G. Renard",
    "applied-ai": "T. Okonjo",
    "software-engineering": "H. Sato",
    "product-manager": "S. Wozniak",
    "stakeholder": "Neuropathology lead, BioLab",
}


def build(reg: Registry, t: Timeline) -> None:
    reg.projects.create(
        "neuropath",
        "Neuropathology Copilot v1.0",
        description="Analyse whole-slide images of brain tissue: an unsupervised model lays out a "
        "manifold of tissue types, a domain expert selects points, a U-Net classifies.",
        rd_owner="A. Lavin",
        product_owner="S. Wozniak",
        at=t.after(2),
    )
    reg.cards.edit("neuropath", CARD)  # its ethics section is up to date at the level-3 gates below
    reg.components.add(
        "neuropath/1.1",
        "SP-VAE tissue manifold model",
        kind="model",
        level=3,
        owner="A. Lavin",
        reason="the SP-VAE was developed and published before the project (Naud & Lavin 2020)",
        at=t.after(1),
    )
    # The expert tooling and the classifier were proven in an earlier project: each enters at level 4
    # through an entry review of the level-3 gate.
    _reviewing.enter(
        reg,
        "neuropath/4.2",
        "Expert data-point selection",
        kind="software-module",
        level=4,
        owner="A. Lavin",
        reason="proof of concept built for the manufacturing inspection project",
        people=PEOPLE,
        at=t.after(1),
    )
    _reviewing.enter(
        reg,
        "neuropath/4.3",
        "U-Net tissue classifier",
        kind="model",
        level=4,
        owner="A. Lavin",
        reason="the U-Net classifier was validated on the open slide data set",
        people=PEOPLE,
        at=t.after(1),
    )
    reg.components.couple(
        "neuropath/1.1", "neuropath/4.2", note="the expert selects points on the model's manifold"
    )
    reg.components.couple(
        "neuropath/4.2", "neuropath/4.3", note="selected points label the classifier's training data"
    )
    reg.versions.register("neuropath/1.1", "model", "1.0.0", at=t.after(2))
    _datasets(reg, t)
    _requirements(reg, t)
    _reviewing.graduate(reg, "neuropath/1.1", t.after(40), PEOPLE)
    _level_four_review(reg, t)
    # The lab's OKR: the manifold model in application development (level 6) within four months.
    due = (t.end + timedelta(days=120)).date().isoformat()
    reg.targets.add("neuropath/1.1", 6, due, note="OKR: the copilot's model in application development")


def _datasets(reg: Registry, t: Timeline) -> None:
    reg.datasets.add(
        "neuropath",
        "wsi-open",
        "Open whole-slide image data set (Naud & Lavin 2020)",
        kind="real",
        source="public release accompanying Naud & Lavin 2020",
        owner="A. Lavin",
        sensitive=["health"],
        datasheet={
            "motivation": "Unsupervised study of the organisation of brain tissue types.",
            "composition": "Whole-slide images of brain tissue; demographics are on the data set card.",
            "collection": "Digitised slides from published studies.",
            "preprocessing": "Tiled into patches; anonymised; no metadata kept.",
            "uses": "Training and validating the SP-VAE; not for diagnosis on its own.",
        },
        at=t.after(1),
    )
    reg.datasets.add_version("wsi-open", "1.0.0", at=t.after(0))
    reg.datasets.add(
        "neuropath",
        "biolab-pilot",
        "Pilot data set provided by BioLab",
        kind="real",
        source="BioLab",
        owner="BioLab data steward",
        sensitive=["health", "personal"],
        datasheet={
            "collection": "Slides from the BioLab pilot, collected with consent.",
            "preprocessing": "Anonymised; the pipeline runs without patient metadata.",
            "distribution": "Internal only, under the BioLab data agreement.",
        },
        at=t.after(0),
    )
    reg.datasets.add_version("biolab-pilot", "1.0.0", at=t.after(0))
    reg.datasets.add(
        "neuropath",
        "wsi-simulated",
        "Simulated slides with structured domain randomisation",
        kind="simulated",
        source="in-house generator",
        owner="A. Lavin",
        datasheet={"motivation": "Cover rare tissue types."},
        at=t.after(0),
    )
    for version in ("2.2.0", "2.3.0"):
        reg.datasets.add_version("wsi-simulated", version, at=t.after(3))
    reg.datasets.link("wsi-open", "neuropath/1.1", "train", version="1.0.0")
    reg.datasets.link("biolab-pilot", "neuropath/4.3", "validation", version="1.0.0")
    reg.datasets.link("wsi-simulated", "neuropath/4.3", "train", version="2.3.0")
    reg.datasets.link("biolab-pilot", "neuropath/1.1", "test", version="1.0.0")


def _requirements(reg: Registry, t: Timeline) -> None:
    add = reg.requirements.add
    add(
        "neuropath",
        "1",
        "The manifold model shall separate the five main brain cancer tissue types",
        kind="research",
        p_failure=0.3,
        value=8,
        category="science",
        components=["neuropath/1.1"],
        stakeholder="neuropathologists",
        slices=["rare tumour subtypes"],
        at=t.after(1),
    )
    add(
        "neuropath",
        "1.1",
        "The classifier shall reach accuracy above 0.97 on the five main brain cancer types",
        kind="research",
        p_failure=0.2,
        value=9,
        category="technical",
        components=["neuropath/4.3"],
        scenarios=["slides from a new scanner"],
        slices=["each cancer type", "each contributing lab"],
        at=t.after(0),
    )
    add(
        "neuropath",
        "2",
        "Inference shall take at most 1.0 s per whole-slide image on 2 GPUs",
        kind="research",
        p_failure=0.4,
        value=5,
        category="technical",
        components=["neuropath/4.3"],
        at=t.after(0),
    )
    add(
        "neuropath",
        "3",
        "Slides shall be anonymised and processed without patient metadata",
        kind="research",
        p_failure=0.1,
        value=10,
        category="privacy",
        components=["neuropath/1.1", "neuropath/4.3"],
        at=t.after(0),
    )
    add(
        "neuropath",
        "4",
        "A human expert shall stay in the loop for every diagnosis the copilot informs",
        kind="research",
        p_failure=0.15,
        value=9,
        category="ethics",
        components=["neuropath/4.2"],
        at=t.after(0),
    )
    add(
        "neuropath",
        "5",
        "The imaging source in production shall match the training sensors",
        kind="research",
        p_failure=0.5,
        value=7,
        category="sim-to-real",
        components=["neuropath/1.1"],
        scenarios=["a hospital changes its slide scanner"],
        at=t.after(0),
    )
    steps = [
        ("1", "verification", "test", "Cluster purity of the five types on held-out slides", "passed"),
        ("1", "validation", "demonstration", "Neuropathologists inspect the manifold", "passed"),
        ("1.1", "verification", "test", "Accuracy on the BioLab pilot set", "passed"),
        ("2", "verification", "test", "Timed inference on the 2-GPU server", "passed"),
        ("3", "verification", "inspection", "Audit of the pipeline inputs for metadata", "passed"),
        ("4", "validation", "demonstration", "Usability session with neuropathologists", "planned"),
        ("5", "verification", "analysis", "Compare scanner characteristics of the sources", "planned"),
    ]
    for code, kind, method, description, status in steps:
        reg.requirements.add_step("neuropath", code, kind, description, method=method, status=status)


def _level_four_review(reg: Registry, t: Timeline) -> None:
    """A complete level-4 review of the manifold model, every box ticked, waiting for its decision."""
    at = t.after(20)
    review = _reviewing.staffed_review(reg, "neuropath/1.1", at, PEOPLE)
    _reviewing.complete(
        reg,
        review,
        at,
        notes={
            "L4.real-data": "BioLab pilot data set v1.0.0 and the open data set are linked",
            "L4.applied-metrics": "accuracy > 0.97 on the five types; ~1.0 s per WSI on 2 GPUs",
            "L4.assumptions-limits": "training and production images must come from the same sensors",
        },
    )


#: The hand-written sections of the paper's example TRL Card (Figure 3), in this project's words.
CARD = {
    "rd-reviewer": "G. Renard",
    "product-reviewer": "S. Jobs",
    "tldr": (
        "Whole-slide images of brain tissue are analysed in three steps: (1) an unsupervised "
        "computer-vision model lays the tissue out on a Poincaré manifold (Naud & Lavin 2020), "
        "(2) a domain expert picks data points on it, (3) a U-Net classifies."
    ),
    "model-details": (
        "The SP-VAE runs unsupervised on neurological whole-slide images and produces a latent "
        "manifold in which tissue types are organised hierarchically; a medical expert then "
        "chooses points to inspect."
    ),
    "intended-use": (
        "Decision support with a human expert in the loop at every step; not yet validated for "
        "other disease areas."
    ),
    "unacceptable-uses": "Autonomous diagnosis without a pathologist; disease areas it was not validated on.",
    "data-considerations": (
        "Three data sets trained and validated the system: the open data set of Naud & Lavin "
        "(2020), the pilot data set provided by BioLab (v1.0), and simulated data made with "
        "structured domain randomisation (v2.3)."
    ),
    "ethics": (
        "Demographics are recorded on each data set's card. The data sets are anonymised and the "
        "pipeline runs without metadata. The organisation's ethics checklist has been completed."
    ),
    "metrics": (
        "Classification accuracy above 0.97 on the five main brain cancer types; inference takes "
        "about 1.0 s per whole-slide image on 2 GPUs. Full quantitative reports are on the "
        "experiments wiki."
    ),
    "caveats": (
        "A change of imaging source means retraining the whole model (notably the SP-VAE "
        "annealing parameter). Users are encouraged to give feedback annotations. Non-tissue "
        "material is correctly flagged as anomalous."
    ),
    "assumptions": (
        "Training and production images are equivalent: they come from exactly the same sensor(s)."
    ),
}
