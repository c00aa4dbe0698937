"""Monitoring speed and accuracy against whylogs, Evidently and polars, on the same data, in one run.

    python benchmarks/monitor_vs_peers.py --setup     # once: a virtualenv per peer in benchmarks/.venvs
    python benchmarks/monitor_vs_peers.py [--rows 1000000] [--evidently-rows 1000000]

The table: ROWS rows of 20 float columns (with NaNs), 5 integer columns and 5 string columns with
5 to 50,000 categories, and a shifted copy in which exactly 7 columns change. Each tool runs in its
own process (peak memory is that process's), the peers in their own virtualenvs because they pin old
stacks (whylogs 1.6 breaks on numpy 2; Evidently 0.7 on pandas 3).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from peers import _venvs
from peers._venvs import run

HERE = Path(__file__).resolve().parent
PEERS = {
    "whylogs": ["whylogs==1.6.*", "numpy<2", "pandas<2.3", "pyarrow<18"],
    "evidently": ["evidently==0.7.*", "pandas<3", "pyarrow"],
    "polars": ["polars>=1.0"],
}
SHIFTED = ["f1", "f2", "f3", "f4", "i1", "s0", "s1"]


def make_tables(rows: int, directory: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(20261122)

    def table(seed: int, shift: bool) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        frame = pd.DataFrame({f"f{i}": rng.normal(size=rows) for i in range(20)})
        for i in range(20):
            frame.loc[rng.random(rows) < 0.01 * (i % 4), f"f{i}"] = np.nan
        for i in range(5):
            frame[f"i{i}"] = rng.integers(0, 100, rows)
        for i, cardinality in enumerate([5, 50, 500, 5_000, 50_000]):
            frame[f"s{i}"] = "c" + pd.Series(rng.integers(0, cardinality, rows)).astype(str)
        if shift:
            frame["f1"] += 0.5
            frame["f2"] *= 1.5
            frame["f3"] = np.exp(frame["f3"])
            frame["f4"] += 0.25
            frame["i1"] = rng.integers(20, 120, rows)
            frame["s0"] = "c" + pd.Series(rng.choice(5, rows, p=[0.4, 0.3, 0.1, 0.1, 0.1])).astype(str)
            frame["s1"] = "c" + pd.Series(rng.integers(0, 70, rows)).astype(str)
        return frame

    del rng
    reference, current = directory / "reference.parquet", directory / "current.parquet"
    table(1, False).to_parquet(reference)
    table(2, True).to_parquet(current)
    return reference, current


def setup() -> None:
    for name, requirements in PEERS.items():
        _venvs.ensure(name, requirements)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--setup", action="store_true", help="create the peers' virtualenvs")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--evidently-rows",
        type=int,
        default=None,
        help="rows per side for Evidently (default: all; use fewer if it takes over 5 minutes)",
    )
    args = parser.parse_args()
    if args.setup:
        setup()
        return
    with tempfile.TemporaryDirectory() as tmp:
        reference, current = make_tables(args.rows, Path(tmp))
        mltrl = run(sys.executable, HERE / "peers" / "mltrl_run.py", reference, current)
        mltrl.update(run(sys.executable, HERE / "peers" / "mltrl_run.py", reference, current, "--stream"))
        peers = {}
        for name, script, extra in (
            ("whylogs", "whylogs_peer.py", []),
            ("polars", "polars_peer.py", []),
            ("evidently", "evidently_peer.py", [current, args.evidently_rows or args.rows]),
        ):
            python = _venvs.python_of(name)
            peers[name] = (
                run(python, HERE / "peers" / script, reference, *extra)
                if python.exists()
                else {"error": "not set up: run with --setup"}
            )
    report(args.rows, mltrl, peers)


def report(rows: int, mltrl: dict, peers: dict) -> None:  # type: ignore[type-arg]
    why, pol, evi = peers["whylogs"], peers["polars"], peers["evidently"]
    print(f"table: {rows:,} rows x 30 columns; mltrl's in-memory size {mltrl.get('table_mb', 0):,.0f} MB")
    print(f"{'':34}{'mltrl':>14}{'whylogs':>14}{'polars':>14}{'evidently':>14}")

    def row(label: str, values: list[str]) -> None:
        print(f"{label:34}" + "".join(f"{v:>14}" for v in values))

    def fmt(d: dict, key: str, pattern: str) -> str:  # type: ignore[type-arg]
        return pattern.format(d[key]) if key in d else d.get("error", "-")[:13]

    row(
        "profile wall time (s)",
        [fmt(mltrl, "seconds", "{:.2f}"), fmt(why, "seconds", "{:.2f}"), fmt(pol, "seconds", "{:.2f}"), "-"],
    )
    row(
        "profile rows/s",
        [
            f"{rows / mltrl['seconds']:,.0f}" if "seconds" in mltrl else "-",
            f"{rows / why['seconds']:,.0f}" if "seconds" in why else "-",
            "-",
            "-",
        ],
    )
    row(
        "drift report wall time (s)",
        [fmt(mltrl, "drift_seconds", "{:.2f}"), "-", "-", fmt(evi, "seconds", "{:.1f}")],
    )
    row("drift rows per side", [f"{rows:,}", "-", "-", f"{evi.get('rows', 0):,}" if "rows" in evi else "-"])
    row(
        "peak memory (MB)",
        [
            fmt(mltrl, "peak_mb", "{:,.0f}"),
            fmt(why, "peak_mb", "{:,.0f}"),
            "-",
            fmt(evi, "peak_mb", "{:,.0f}"),
        ],
    )
    row(
        "worst quantile rank error (%)",
        [
            fmt(mltrl, "worst_rank_error", "{:.3%}").rstrip("%"),
            fmt(why, "worst_rank_error", "{:.3%}").rstrip("%"),
            "-",
            "-",
        ],
    )
    print(f"shifted columns: {', '.join(SHIFTED)}")
    print(f"mltrl flagged:     {', '.join(mltrl.get('drifted', []))}")
    print(f"evidently flagged: {', '.join(evi.get('drifted', [])) or evi.get('error', '-')}")
    if "seconds" in mltrl and "seconds" in why:
        print(f"profiling speed vs whylogs: {why['seconds'] / mltrl['seconds']:.1f}x (target >= 10x)")
    if "seconds" in mltrl and "seconds" in pol:
        ratio = mltrl["seconds"] / pol["seconds"]
        print(f"profiling vs polars describe(): {ratio:.1f}x its time (target <= 3x)")
    if "drift_seconds" in mltrl and "seconds" in evi:
        scale = rows / evi["rows"]
        print(
            f"drift vs evidently: {evi['seconds'] * scale / mltrl['drift_seconds']:.0f}x faster"
            + (" (Evidently's time scaled linearly from its smaller run)" if scale != 1 else "")
            + " (target >= 20x)"
        )
    if "stream_peak_mb" in mltrl and "table_mb" in mltrl:
        print(
            f"mltrl peak memory profiling the file (`monitor log`): {mltrl['stream_peak_mb']:,.0f} MB = "
            f"{mltrl['stream_peak_mb'] / mltrl['table_mb']:.2f}x the table's in-memory size (target <= 1.5), "
            f"in {mltrl['stream_seconds']:.2f} s"
        )


if __name__ == "__main__":
    main()
