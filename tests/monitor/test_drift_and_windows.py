"""Drift between profiles, and reference/window profiles stored in the registry."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mltrl.cli import main
from mltrl.errors import BadInput, NotFound
from mltrl.monitor import profile_table
from mltrl.monitor.drift import compare
from mltrl.service.registry import Registry


def data(seed: int, n: int = 100_000, shift: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f"f{i}": rng.normal(size=n) for i in range(6)})
    frame["count"] = rng.integers(0, 100, n)
    frame["colour"] = rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2])
    frame["user"] = "u" + pd.Series(rng.integers(0, 20_000, n)).astype(str)  # long tail
    if shift:
        frame["f1"] += 0.5
        frame["f2"] *= 1.6
        frame["colour"] = rng.choice(["red", "green", "blue"], n, p=[0.2, 0.3, 0.5])
    return frame


def test_drift_flags_exactly_the_shifted_columns() -> None:
    report = compare(profile_table(data(1)), profile_table(data(2, shift=True)))
    assert sorted(report.drifted_columns) == ["colour", "f1", "f2"]
    scores = {c.column: c.score for c in report.columns}
    assert scores["user"] < 0.05  # the resampled long tail is not drift
    assert max(scores[c] for c in ("f0", "f3", "f4", "f5", "count")) < 0.05
    assert not report.dataset_drift  # 3 of 9 columns: under the default half
    assert compare(profile_table(data(1)), profile_table(data(3))).drifted_columns == []


def test_overrides_change_the_method_and_threshold() -> None:
    reference, current = profile_table(data(1)), profile_table(data(2, shift=True))
    report = compare(
        reference,
        current,
        overrides={"f1": {"method": "ks", "threshold": 0.5}, "colour": {"method": "psi", "threshold": 0.1}},
    )
    by = {c.column: c for c in report.columns}
    assert by["f1"].method == "ks" and 0.1 < by["f1"].score < 0.5 and not by["f1"].drifted
    assert by["colour"].method == "psi" and by["colour"].drifted
    with pytest.raises(BadInput, match="does not apply to categorical column 'colour'"):
        compare(reference, current, overrides={"colour": {"method": "wasserstein"}})
    with pytest.raises(BadInput, match="settings for column 'nope'"):
        compare(reference, current, overrides={"nope": {"threshold": 1}})


def test_a_changed_type_or_an_empty_window_is_refused() -> None:
    reference = profile_table(pd.DataFrame({"v": [1.0, 2.0, 3.0]}))
    with pytest.raises(
        BadInput, match="column 'v' is numeric in the reference but categorical in the window"
    ):
        compare(reference, profile_table(pd.DataFrame({"v": ["a", "b"]})))
    with pytest.raises(BadInput, match="the window is empty"):
        compare(reference, profile_table(pd.DataFrame({"v": pd.Series([], dtype=float)})))


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("rec", "Recycling")
    registry.components.add(
        "rec/1", "Detector", kind="model", level=9, reason="work done before the registry"
    )
    return registry


def test_windows_accumulate_and_drift_reads_the_latest(reg: Registry, tmp_path: Path) -> None:
    reg.monitor.set_reference("rec/1", data(1, 20_000))
    day = datetime(2026, 5, 4, 15, 30, tzinfo=UTC)
    assert reg.monitor.log("rec/1", data(2, 10_000), at=day) == ("2026-05-04", 10_000)
    assert reg.monitor.log("rec/1", data(3, 10_000), at=day + timedelta(hours=2)) == ("2026-05-04", 20_000)
    label, rows = reg.monitor.log("rec/1", data(4, 5_000, shift=True), at=day + timedelta(days=1))
    assert (label, rows) == ("2026-05-05", 5_000)
    assert reg.monitor.log("rec/1", data(5, 1_000), window="hour", at=day)[0] == "2026-05-04T15"
    start, end = day - timedelta(days=7), day - timedelta(days=6)
    custom, _ = reg.monitor.log("rec/1", data(6, 1_000), start=start, end=end)
    assert custom == f"{start.isoformat()}/{end.isoformat()}"
    first = reg.monitor.profiles("rec/1")[0]
    assert (first["role"], first["name"], first["rows"]) == ("reference", "default", 20_000)
    label, report = reg.monitor.drift("rec/1")
    assert label == "2026-05-05" and "f1" in report.drifted_columns
    label, report = reg.monitor.drift("rec/1", window="2026-05-04")
    assert report.drifted_columns == []
    with pytest.raises(NotFound, match="no reference profile 'golden'"):
        reg.monitor.drift("rec/1", reference="golden")
    with pytest.raises(BadInput, match="both --start and --end"):
        reg.monitor.log("rec/1", data(7, 100), start=start)
    with pytest.raises(BadInput, match="window 'week' is not one of hour, day"):
        reg.monitor.log("rec/1", data(7, 100), window="week")


def test_a_window_of_other_columns_is_refused_and_nothing_written(reg: Registry) -> None:
    reg.monitor.log("rec/1", pd.DataFrame({"a": [1.0, 2.0]}))
    before = reg.counts()
    with pytest.raises(BadInput, match="different columns"):
        reg.monitor.log("rec/1", pd.DataFrame({"b": [1.0]}))
    assert reg.counts() == before


def test_cli_log_drift_and_bad_files(
    reg: Registry, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data(1, 20_000).to_parquet(tmp_path / "train.parquet")
    data(2, 20_000, shift=True).to_csv(tmp_path / "today.csv", index=False)
    run = ["--db", db_url, "monitor"]
    assert main([*run, "reference", "rec/1", str(tmp_path / "train.parquet")]) == 0
    assert main([*run, "log", "rec/1", str(tmp_path / "today.csv")]) == 0
    capsys.readouterr()
    assert main([*run, "drift", "rec/1", "--json"]) == 1
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert sorted(result["drifted_columns"]) == ["colour", "f1", "f2"]
    assert captured.err.startswith("error: rec/1: drift in")
    config = tmp_path / "drift.yaml"
    config.write_text("f1: {threshold: 0.9}\nf2: {method: ks, threshold: 0.9}\ncolour: {threshold: 0.9}\n")
    assert main([*run, "drift", "rec/1", "--config", str(config), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["drifted_columns"] == []
    config.write_text("f1: {method: magic}\n")
    assert main([*run, "drift", "rec/1", "--config", str(config)]) == 2
    assert "drift method 'magic' does not apply" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text('just words, no commas\n"unclosed')
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n3,4,5\n")
    before = reg.counts()
    for bad, message in (
        (tmp_path / "missing.csv", "no such file"),
        (tmp_path / "bad.csv", "not a readable table"),
        (tmp_path / "picture.png", "no such file"),
    ):
        assert main([*run, "log", "rec/1", str(bad)]) == 2
        assert message in capsys.readouterr().err
    assert reg.counts() == before


def test_a_corrupt_stored_profile_is_refused(reg: Registry, db_url: str) -> None:
    from sqlalchemy import create_engine, text

    reg.monitor.set_reference("rec/1", data(1, 1_000))
    reg.monitor.log("rec/1", data(2, 1_000))
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE profiles SET data = :d WHERE role = 'window'"), {"d": b"MLTRLPF1garbage"})
    engine.dispose()
    window = reg.monitor.profiles("rec/1")[-1]["name"]
    with pytest.raises(BadInput, match=f"rec/1: window {window}: the stored profile is corrupt") as caught:
        reg.monitor.drift("rec/1")
    assert "\n" not in caught.value.message
    before = reg.counts()
    assert main(["--db", db_url, "monitor", "check", "rec/1"]) == 2  # nothing recorded either
    assert reg.counts() == before
