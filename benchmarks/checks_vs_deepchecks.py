"""The checks library against Deepchecks, and its statistical honesty, in one run (issue 12).

    python benchmarks/checks_vs_deepchecks.py --setup   # once: Deepchecks in benchmarks/.venvs
    python benchmarks/checks_vs_deepchecks.py           # 100,000 x 50, 1,000 A/A repetitions
    python benchmarks/checks_vs_deepchecks.py --quick   # a smoke run: small table, few repetitions

It prints:
1. **Honesty**: A/A runs (the truth exactly on each threshold, the hardest case for a false alarm;
   1,000 seeded repetitions of the golden, slice and metamorphic checks) and the power to catch a
   real 2-point accuracy drop at n = 10,000, each rate with its 95% Wilson interval.
2. **Speed**: mltrl's default suite (golden + 20 slices + 5 metamorphic relations + data validation
   + calibration) and Deepchecks' ``full_suite`` on the same generated table and the same
   scikit-learn model, each in its own process and virtualenv; which of Deepchecks' findings mltrl's
   suite also reports.
3. **Reproducibility**: two runs of mltrl's suite with the same inputs and seed, compared bit for bit.
4. **Plugin cost**: the example suite (examples/recycling), in a fresh demo, with and without
   ``--mltrl``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from peers import _venvs
from peers._venvs import run
from sklearn.datasets import make_classification
from statsmodels.stats.proportion import proportion_confint

from mltrl.checks import GoldenCheck, MetamorphicCheck, Relation, SliceCheck

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEEPCHECKS = [
    # Deepchecks 0.19.1 (its latest) predates scikit-learn 1.6, pandas 3 and numpy 2: pin its era.
    "deepchecks==0.19.1",
    "scikit-learn==1.5.2",
    "pandas==2.2.3",
    "numpy==1.26.4",
    "category_encoders==2.6.4",
    "setuptools<70",
    "pyarrow<18",
]
#: Deepchecks' full_suite checks, and the mltrl check of the default suite that reports the same
#: kind of finding (None: not in mltrl's default suite; the note says where mltrl has it, if at all).
OVERLAP: dict[str, tuple[str | None, str]] = {
    "Weak Segments Performance": ("slices", "declared slices with CIs and Holm, not discovered segments"),
    "Train Test Performance": ("golden", "candidate vs champion on the golden set, with paired CI"),
    "Simple Model Comparison": ("golden", "against the champion rather than a naive baseline"),
    "Calibration Score": ("calibration", "ECE/MCE/Brier with bootstrap CIs"),
    "Percent Of Nulls": ("data-validation", "nullable rule"),
    "Mixed Nulls": ("data-validation", "nullable rule"),
    "Mixed Data Types": ("data-validation", "dtype rule"),
    "String Mismatch": ("data-validation", "allowed values"),
    "New Category Mismatch Train Test": ("data-validation", "allowed values inferred from training"),
    "Data Duplicates": (None, "not checked"),
    "Conflicting Labels": (None, "not checked"),
    "Feature Drift": (None, "mltrl monitor drift"),
    "Label Drift": (None, "mltrl monitor drift"),
    "Prediction Drift": (None, "mltrl monitor drift"),
    "Multivariate Drift": (None, "not checked"),
    "Unused Features": (None, "not checked"),
    "Feature Label Correlation": (None, "not checked"),
    "Feature Label Correlation Change": (None, "not checked"),
    "Outlier Sample Detection": (None, "not checked"),
    "Boosting Overfit": (None, "not checked"),
    "Model Inference Time": (None, "mltrl.checks.LatencyCheck (not in the default suite)"),
}


def wilson(hits: int, n: int) -> str:
    low, high = proportion_confint(hits, n, alpha=0.05, method="wilson")
    return f"{hits / n:6.1%} [{low:.1%}, {high:.1%}]"


# -- 1. honesty ---------------------------------------------------------------------------------


def honesty(repeats: int, power_repeats: int) -> None:
    print(f"\n1. Statistical honesty ({repeats} seeded A/A repetitions; truth exactly on each threshold)")
    X, y = make_classification(n_samples=60_000, n_features=10, n_informative=4, flip_y=0.1, random_state=0)
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=1000).fit(X[:10_000], y[:10_000])
    X_pop, y_pop = X[10_000:], y[10_000:]
    pred = model.predict(X_pop)
    truth = float((pred == y_pop).mean())
    n = 10_000

    golden_fail = 0
    for rep in range(repeats):
        rows = np.random.default_rng(rep).integers(0, len(y_pop), n)
        check = GoldenCheck(minimum=truth, seed=rep)
        golden_fail += check.run(pred[rows], X_pop[rows], y_pop[rows]).status == "fail"
    print(f"   golden, minimum = true accuracy {truth:.4f}, n={n:,}:  fails {wilson(golden_fail, repeats)}")

    champion_fail = 0
    for rep in range(repeats):
        rng = np.random.default_rng(50_000 + rep)
        labels = rng.integers(0, 2, n)
        champion = np.where(rng.random(n) < 0.85, labels, 1 - labels)
        equal = np.where(rng.random(n) < 0.85, labels, 1 - labels)
        check = GoldenCheck(max_drop_vs_champion=0.0, seed=rep)
        champion_fail += check.run(equal, np.zeros((n, 1)), labels, champion=champion).status == "fail"
    print(
        f"   golden, equal candidate vs champion (max drop 0):         fails {wilson(champion_fail, repeats)}"
    )

    frame = pd.DataFrame({"s": np.repeat(np.arange(20), 500)})
    slice_check = SliceCheck({f"s{i}": f"s == {i}" for i in range(20)}, minimum=0.9)
    slice_fail = 0
    for rep in range(repeats):
        rng = np.random.default_rng(100_000 + rep)
        labels = rng.integers(0, 2, len(frame))
        slice_pred = np.where(rng.random(len(frame)) < 0.9, labels, 1 - labels)
        slice_fail += slice_check.run(slice_pred, frame, labels).status == "fail"
    print(f"   20 slices, each at minimum 0.90, Holm:                   fails {wilson(slice_fail, repeats)}")

    echo = _Echo()
    zeros = pd.DataFrame({"label": np.zeros(2_000, dtype=int)})
    meta_fail = 0
    for rep in range(repeats):
        relations = [
            Relation(f"r{i}", "invariance", _flipper(0.05, rep * 10 + i), tolerance=0.05) for i in range(5)
        ]
        meta_fail += MetamorphicCheck(relations).run(echo, zeros).status == "fail"
    print(f"   5 relations, each failing exactly at tolerance 5%:       fails {wilson(meta_fail, repeats)}")

    caught_minimum = caught_champion = 0
    for rep in range(power_repeats):
        rng = np.random.default_rng(200_000 + rep)
        labels = rng.integers(0, 2, n)
        champion = np.where(rng.random(n) < 0.92, labels, 1 - labels)
        candidate = np.where(rng.random(n) < 0.90, labels, 1 - labels)
        check = GoldenCheck(minimum=0.92, max_drop_vs_champion=0.0, seed=rep)
        rules = {
            r["rule"]: r["status"]
            for r in check.run(candidate, np.zeros((n, 1)), labels, champion=champion).details
        }
        caught_minimum += rules["minimum"] == "fail"
        caught_champion += rules["max_drop_vs_champion"] == "fail"
    print(f"   power, 0.92 -> 0.90 at n={n:,} (target >= 80%):")
    print(f"      against minimum 0.92:      caught {wilson(caught_minimum, power_repeats)}")
    print(f"      against the champion:      caught {wilson(caught_champion, power_repeats)}")


class _Echo:
    """Predicts the ``label`` column, so a perturbation's flips are exactly the relation's failures."""

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return X["label"].to_numpy()


def _flipper(rate: float, seed: int):  # type: ignore[no-untyped-def]
    def perturb(X: pd.DataFrame) -> pd.DataFrame:
        flips = np.random.default_rng(seed).random(len(X)) < rate
        return X.assign(label=np.where(flips, 1 - X["label"], X["label"]))

    return perturb


# -- 2 and 3. speed and reproducibility ---------------------------------------------------------


def make_tables(rows: int, cols: int, directory: Path) -> tuple[Path, Path]:
    X, y = make_classification(
        n_samples=2 * rows, n_features=cols, n_informative=10, flip_y=0.05, random_state=0
    )
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(cols)])
    frame["label"] = y
    train, test = directory / "train.parquet", directory / "test.parquet"
    frame.iloc[:rows].to_parquet(train)
    frame.iloc[rows:].to_parquet(test)
    return train, test


def speed(rows: int, cols: int, deepchecks_timeout: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        train, test = make_tables(rows, cols, Path(tmp))
        script = HERE / "peers" / "mltrl_checks_run.py"
        first = run(sys.executable, script, train, test)
        second = run(sys.executable, script, train, test)
        peer = {"error": "not set up: run with --setup"}
        if _venvs.python_of("deepchecks").exists():
            peer = run(
                _venvs.python_of("deepchecks"),
                HERE / "peers" / "deepchecks_peer.py",
                train,
                test,
                timeout=deepchecks_timeout,
            )
    print(f"\n2. Speed: {rows:,} x {cols} table, LogisticRegression, each tool in its own process")
    if "error" in first:
        print(f"   mltrl failed: {first['error']}")
        return
    print(f"   mltrl default suite:     {first['seconds']:8.2f} s  (peak {first['peak_mb']:.0f} MB)")
    for name, seconds in first["per_check"].items():
        print(f"      {name:<18} {seconds:8.2f} s  {first['statuses'][name]}")
    if "error" in peer:
        print(f"   Deepchecks full_suite:   {peer['error']}")
    else:
        ratio = peer["seconds"] / first["seconds"]
        print(f"   Deepchecks full_suite:   {peer['seconds']:8.2f} s  (peak {peer['peak_mb']:.0f} MB)")
        print(f"   mltrl is {ratio:.1f}x faster (target >= 5x)")
        print(
            "   Deepchecks' findings (checks that did not pass), and whether mltrl's suite reports the same:"
        )
        for header in peer["not_passed"]:
            base = header.split(" - ")[0]
            mltrl_check, note = OVERLAP.get(base, (None, "no counterpart listed"))
            also = (
                f"yes: {mltrl_check}, {note} (mltrl: {first['statuses'][mltrl_check]})"
                if mltrl_check
                else f"no ({note})"
            )
            print(f"      {header:<48} {also}")
    print("\n3. Reproducibility: the same inputs and seed, two processes")
    same = first["digest"] == second.get("digest")
    print(f"   results bit-identical: {'yes' if same else 'NO'} (sha256 {first['digest'][:16]}...)")


# -- 4. plugin cost -----------------------------------------------------------------------------


def plugin_cost(rounds: int) -> None:
    """The demo's level-7 suite (examples/recycling) with and without --mltrl, alternating runs."""
    print("\n4. The pytest plugin's cost on the example suite (examples/recycling, run in the demo)")
    mltrl = Path(sys.executable).with_name("mltrl")
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        built = subprocess.run([str(mltrl), "demo", "--dir", str(demo)], capture_output=True, text=True)
        if built.returncode != 0:
            print(f"   mltrl demo failed: {(built.stderr.strip().splitlines() or ['?'])[-1]}")
            return
        base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "suite"]
        plain, recorded = [], []
        for _ in range(rounds):
            plain.append(_timed(base, demo))
            recorded.append(_timed([*base, "--mltrl"], demo))
    without, with_plugin = float(np.median(plain)), float(np.median(recorded))
    print(
        f"   without --mltrl: {without:.2f} s; with --mltrl: {with_plugin:.2f} s (medians of {rounds}); "
        f"{with_plugin / without - 1:+.1%} (target <= 5%)"
    )


def _timed(command: list[str], cwd: Path) -> float:
    began = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", action="store_true", help="create Deepchecks' virtualenv and exit")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5,000 x 20, 50 repetitions")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=1_000)
    parser.add_argument("--deepchecks-timeout", type=float, default=3 * 3600)
    args = parser.parse_args()
    if args.setup:
        _venvs.ensure("deepchecks", DEEPCHECKS)
        return
    if args.quick:
        args.rows, args.cols, args.repeats = 5_000, 20, 50
    honesty(args.repeats, max(args.repeats // 5, 20))
    speed(args.rows, args.cols, args.deepchecks_timeout)
    plugin_cost(1 if args.quick else 3)


if __name__ == "__main__":
    main()
