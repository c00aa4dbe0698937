"""Non-finite numbers never switch monitoring off, every JSON output is strict, and a column that
changed type is refused when it is logged, not every day after."""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
import sys
from pathlib import Path

import datasketches as ds
import numpy as np
import pandas as pd
import pytest

from mltrl.cli import main
from mltrl.errors import BadInput
from mltrl.jsonout import dumps
from mltrl.monitor import profile_table
from mltrl.monitor.drift import compare
from mltrl.monitor.quality import check
from mltrl.monitor.serialize import MAGIC, loads
from mltrl.service.registry import Registry

MLTRL = str(Path(sys.executable).with_name("mltrl"))


def strict(text: str) -> object:
    """Parse JSON as any other language would: the bare words NaN and Infinity are errors."""

    def refuse(word: str) -> object:
        raise ValueError(f"not JSON: {word}")

    return json.loads(text, parse_constant=refuse)


def table(seed: int, n: int = 5_000, *, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"amount": rng.normal(10 + shift, 2, n), "plan": rng.choice(["a", "b"], n)})


def test_infinite_values_are_counted_apart_and_reported_as_data_quality() -> None:
    reference = table(1)
    reference.loc[:4, "amount"] = np.inf  # one bad division upstream
    window = table(2, shift=1.0)
    window.loc[:499, "amount"] = -np.inf
    ref, cur = profile_table(reference), profile_table(window)
    assert (ref.column("amount").nonfinite, cur.column("amount").nonfinite) == (5, 500)
    assert math.isfinite(ref.column("amount").mean) and ref.column("amount").max < 100
    # the shift is still seen: before, one inf made the score NaN and "drifted: false"
    (amount,) = [c for c in compare(ref, cur).columns if c.column == "amount"]
    assert math.isfinite(amount.score) and amount.drifted
    (issue,) = [i for i in check(ref, cur).issues if i.column == "amount"]
    assert issue.check == "non-finite" and issue.observed == pytest.approx(0.1)
    assert "500 infinite values (10.00%)" in issue.message
    # the round trip keeps the count
    from mltrl.monitor.serialize import dumps as save

    assert loads(save(cur)).column("amount").nonfinite == 500


def test_profiles_stored_before_the_count_existed_still_load() -> None:
    kll = ds.kll_doubles_sketch(2048)
    kll.update(np.arange(100, dtype=float))
    entry = {"name": "v", "kind": "numeric", "count": 100, "nulls": 0, "mean": 49.5, "m2": 83325.0}
    entry.update(min=0.0, max=99.0, sketches=[len(kll.serialize())])
    head = json.dumps({"rows": 100, "columns": [entry]}).encode()
    old = MAGIC + struct.pack(">I", len(head)) + head + kll.serialize()
    column = loads(old).column("v")
    assert (column.nonfinite, column.hll, column.monotonic, column.count) == (0, None, False, 100)
    # an old profile whose statistics an infinite value poisoned is refused, not compared as NaN
    entry.update(mean=float("inf"), m2=float("nan"))
    head = json.dumps({"rows": 100, "columns": [entry]}).encode()
    with pytest.raises(BadInput, match="'v' was profiled with infinite values"):
        loads(MAGIC + struct.pack(">I", len(head)) + head + kll.serialize())


def test_strict_json_helper() -> None:
    payload = {"a": float("nan"), "b": [1.5, float("-inf"), np.float64("inf")], "c": {"d": 2}}
    assert strict(dumps(payload)) == {"a": None, "b": [1.5, None, None], "c": {"d": 2}}
    assert dumps({"x": 1}) == '{"x": 1}'


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.projects.create("shop", "Shop")
    registry.components.add("shop/1", "Scorer", kind="model", level=9, reason="deployed before mltrl")
    return registry


def test_cli_with_infinite_values_prints_strict_json_and_reports(
    reg: Registry, db_url: str, tmp_path: Path
) -> None:
    reference, window = table(1), table(2, shift=1.0)
    reference.loc[:4, "amount"] = np.inf
    window.loc[:99, "amount"] = np.inf
    reference.to_csv(tmp_path / "ref.csv", index=False)
    window.to_csv(tmp_path / "win.csv", index=False)
    env = {**os.environ, "COLUMNS": "200"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([MLTRL, "--db", db_url, *args], capture_output=True, text=True, env=env)

    assert run("monitor", "reference", "shop/1", str(tmp_path / "ref.csv")).returncode == 0
    assert run("monitor", "log", "shop/1", str(tmp_path / "win.csv"), "--at", "2026-01-05").returncode == 0
    drift = run("monitor", "drift", "shop/1", "--json")
    assert drift.returncode == 1 and "amount" in strict(drift.stdout)["drifted_columns"]  # type: ignore[index]
    checked = run("monitor", "check", "shop/1", "--json")
    assert checked.returncode == 1
    quality = strict(checked.stdout)["quality"]  # type: ignore[index]
    assert [i["check"] for i in quality["issues"]] == ["non-finite"]
    report = run("monitor", "report", "shop/1", "--json")
    assert report.returncode == 0 and strict(report.stdout)["window_rows"] == 5_000  # type: ignore[index]
    html = run("monitor", "report", "shop/1", "-o", str(tmp_path / "r.html"))
    assert html.returncode == 0 and (tmp_path / "r.html").stat().st_size > 10_000
    (evidence,) = strict(run("evidence", "list", "shop/1", "--json").stdout)["evidence"]  # type: ignore[index]
    assert evidence["outcome"] == "fail" and evidence["metrics"]["quality_issues"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["monitor", "skew", "shop/1", "T", "S", "--key", "id", "--threshold", "nan"], "finite number"),
        (["monitor", "skew", "shop/1", "T", "S", "--key", "id", "--threshold", "-0.1"], "between 0 and 1"),
        (["monitor", "performance", "shop/1", "--min-accuracy", "nan"], "finite number"),
        (["monitor", "performance", "shop/1", "--max", "mae=-1"], "at least 0"),
        (["monitor", "performance", "shop/1", "--min", "f1=inf"], "finite number"),
        (["monitor", "performance", "shop/1", "--min", "speed=3"], "not one of accuracy"),
        (["monitor", "drift", "shop/1", "--config", "CFG"], "threshold must be a finite number"),
        (
            [
                "evidence",
                "add",
                "shop/1",
                "-k",
                "metric",
                "-o",
                "pass",
                "--criterion",
                "L9.monitoring-drift",
                "--metric",
                "auc=inf",
            ],
            "auc is inf",
        ),
    ],
)
def test_non_finite_and_negative_thresholds_are_refused(
    reg: Registry,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    frame = pd.DataFrame({"id": range(50), "x": range(50)})
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.assign(x=0).to_csv(tmp_path / "s.csv", index=False)  # every entity disagrees
    (tmp_path / "cfg.yaml").write_text("amount: {threshold: .nan}\n", encoding="utf-8")
    reg.monitor.set_reference("shop/1", table(1))
    reg.monitor.log("shop/1", table(2), at="2026-01-05")
    paths = {"T": str(tmp_path / "t.csv"), "S": str(tmp_path / "s.csv"), "CFG": str(tmp_path / "cfg.yaml")}
    before = reg.counts()
    assert main(["--db", db_url, *[paths.get(a, a) for a in args]]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert reg.counts() == before and reg.alerts.list("shop/1") == []


def test_a_window_whose_column_changed_type_is_refused_at_log(
    reg: Registry, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reg.monitor.set_reference("shop/1", table(1))
    reg.monitor.log("shop/1", table(2), at="2026-01-05")
    changed = table(3).assign(amount=lambda f: "EUR " + f["amount"].round(2).astype(str))
    changed.to_csv(tmp_path / "changed.csv", index=False)
    before = (reg.counts(), reg.monitor.profiles("shop/1"))
    code = main(
        ["--db", db_url, "monitor", "log", "shop/1", str(tmp_path / "changed.csv"), "--at", "2026-01-06"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "column 'amount' is numeric in reference 'default' but categorical in this data" in err
    assert (reg.counts(), reg.monitor.profiles("shop/1")) == before  # nothing stored: no window 2026-01-06
    # the windows that were stored stay checkable
    assert main(["--db", db_url, "monitor", "drift", "shop/1"]) == 0


def test_records_whose_cells_mix_types_profile_as_text() -> None:
    """Records (a JSON body, a list of dicts) may mix numbers and strings in a column, or hold an
    integer too large for int64: such a column is counted as text, as a CSV reader would read it."""
    profile = profile_table([{"code": 1, "big": 10**23}, {"code": "A7", "big": 5}, {"code": None, "big": 5}])
    code, big = profile.column("code"), profile.column("big")
    assert (code.kind, code.count, code.nulls) == ("categorical", 2, 1)
    assert sorted(item for item, _n in code.top()) == ["1", "A7"]
    assert big.kind == "categorical" and big.count == 3
