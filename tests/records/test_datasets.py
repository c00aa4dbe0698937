"""Data sets: kinds, semantic versions with content hashes, datasheets, sensitive flags, links."""

from __future__ import annotations

from pathlib import Path

import pytest

from mltrl.errors import BadInput, MltrlError
from mltrl.service.hashing import sha256_path
from mltrl.service.registry import Registry


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("np", "Neuropathology copilot")
    registry.components.add("np/1.1", "Model", kind="model", level=4, reason="work done before the registry")
    return registry


def test_a_data_set_with_versions_datasheet_and_links(reg: Registry, tmp_path: Path) -> None:
    data = tmp_path / "slides"
    data.mkdir()
    (data / "a.png").write_bytes(b"slide a")
    reg.datasets.add(
        "np",
        "biolab-pilot",
        "BioLab pilot",
        kind="real",
        source="BioLab",
        owner="steward",
        sensitive=["health", "personal", "health"],
        datasheet={"motivation": "pilot the copilot"},
    )
    reg.datasets.add_version("biolab-pilot", "1.0.0", path=data, note="first delivery")
    (data / "b.png").write_bytes(b"slide b")
    reg.datasets.add_version("biolab-pilot", "1.1.0", path=data)
    reg.datasets.link("biolab-pilot", "np/1.1", "train", version="1.1.0")
    reg.datasets.link("biolab-pilot", "np/1.1", "golden")
    reg.datasets.update_datasheet(
        "biolab-pilot", {"collection": "with consent", "motivation": "pilot, revised"}
    )
    d = reg.datasets.get("biolab-pilot")
    assert d.sensitive == ["health", "personal"]
    assert [v.version for v in d.versions] == ["1.0.0", "1.1.0"]
    assert d.versions[1].sha256 == sha256_path(data) != d.versions[0].sha256
    assert [(x.component, x.role, x.version) for x in d.links] == [
        ("np/1.1", "train", "1.1.0"),
        ("np/1.1", "golden", None),
    ]
    assert d.datasheet == {"motivation": "pilot, revised", "collection": "with consent"}
    assert [x.key for x in reg.datasets.list("np")] == ["biolab-pilot"]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda r: r.datasets.add("np", "x", "X", kind="scraped"), "data set kind"),
        (lambda r: r.datasets.add("np", "1x", "X", kind="real"), "not valid"),
        (lambda r: r.datasets.add("np", "x", "X", kind="real", sensitive=["gossip"]), "sensitive-data flag"),
        (
            lambda r: r.datasets.add("np", "x", "X", kind="real", datasheet={"vibes": "good"}),
            "datasheet section",
        ),
        (lambda r: r.datasets.add("np", "pilot", "again", kind="real"), "already exists"),
        (lambda r: r.datasets.add_version("pilot", "1.0 final"), "one word without spaces"),
        (lambda r: r.datasets.add_version("pilot", "1.0.0"), "already has version"),
        (lambda r: r.datasets.add_version("nope", "1.0.0"), "no data set 'nope'"),
        (lambda r: r.datasets.link("pilot", "np/1.1", "training"), "data set role"),
        (lambda r: r.datasets.link("pilot", "np/1.1", "test", version="9.9.9"), "no version 9.9.9"),
        (lambda r: r.datasets.link("pilot", "np/2", "test"), "no component '2'"),
        (lambda r: r.datasets.link("pilot", "np/1.1", "train"), "already linked"),
    ],
)
def test_bad_data_set_input_is_refused_and_nothing_is_written(reg: Registry, action, message: str) -> None:  # type: ignore[no-untyped-def]
    reg.datasets.add("np", "pilot", "Pilot", kind="real")
    reg.datasets.add_version("pilot", "1.0.0")
    reg.datasets.link("pilot", "np/1.1", "train")
    before = reg.counts()
    with pytest.raises(MltrlError, match=message) as caught:
        action(reg)
    assert "\n" not in caught.value.message
    assert reg.counts() == before


def test_hash_or_sha_not_both(reg: Registry, tmp_path: Path) -> None:
    reg.datasets.add("np", "pilot", "Pilot", kind="real")
    (tmp_path / "f").write_text("x")
    with pytest.raises(BadInput, match="not both"):
        reg.datasets.add_version("pilot", "1.0.0", path=tmp_path / "f", sha256="a" * 64)
