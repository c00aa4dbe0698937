"""Deployment tests and sim-to-real: honesty, power, early stopping and speed, in one run (issue 16).

    python benchmarks/deployment_tests.py           # 1,000 seeded runs a side at 20,000 requests; 1M rows
    python benchmarks/deployment_tests.py --quick   # a smoke run: 50 runs at 5,000 requests; 20k rows

It prints:
1. **A/A**: canary and A/B comparisons of two identical versions (error rate 5%, conversion 10%),
   each seeded run a fresh sample: how often the canary cries harm, how often the A/B test fails
   (decides hold) or decides ship, each rate with its 95% Wilson interval. Target: at most 5% fail.
2. **Power**: a 2-point absolute error-rate regression (5% -> 7%) at 20,000 requests a side, caught by
   the canary in at least 80% of runs.
3. **Early stopping**: the canary's average requests per arm when it stops (at the full horizon when
   it never does) against the fixed-horizon sample a one-sided two-proportion z-test needs for the
   same power at the same alpha.
4. **Sim-to-real speed**: ``SimToRealCheck`` on two 1M-row tables against the monitoring drift report
   on the same tables (profile both, compare), medians of 3. Target: within 2x. And an A/A run of the
   check itself (two samples of one distribution): how often it fails.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from mltrl.checks import ABTest, CanaryCheck, SimToRealCheck
from mltrl.checks.deployment import Columns

ERROR_RATE = 0.05
REGRESSION = 0.02
CONVERSION = 0.10


def wilson(hits: int, n: int) -> str:
    low, high = proportion_confint(hits, n, alpha=0.05, method="wilson")
    return f"{hits / n:6.1%} [{low:.1%}, {high:.1%}]"


def canary_logs(
    rng: np.random.Generator, n: int, candidate_error: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = np.arange(n)
    champion = pd.DataFrame({"id": ids, "prediction": 0, "error": (rng.random(n) < ERROR_RATE).astype(int)})
    candidate = pd.DataFrame(
        {"id": ids, "prediction": 0, "error": (rng.random(n) < candidate_error).astype(int)}
    )
    return champion, candidate


def ab_logs(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    a = pd.DataFrame(
        {"id": np.arange(n), "prediction": 0, "converted": (rng.random(n) < CONVERSION).astype(int)}
    )
    b = pd.DataFrame({"id": np.arange(n, 2 * n), "prediction": 0,
                      "converted": (rng.random(n) < CONVERSION).astype(int)})  # fmt: skip
    return a, b


def deployment(runs: int, requests: int) -> None:
    canary = CanaryCheck(max_latency_increase=None, columns=Columns(error="error"), mde=REGRESSION)
    ab = ABTest(metric="converted", mde=0.01)
    started = time.perf_counter()
    aa_alarms = ab_ship = ab_hold = 0
    for seed in range(runs):
        rng = np.random.default_rng(seed)
        aa_alarms += canary.run(*canary_logs(rng, requests, ERROR_RATE)).status == "fail"
        decision = ab.run(*ab_logs(rng, requests)).labels["decision"]
        ab_ship += decision == "ship"
        ab_hold += decision == "hold"
    caught, stops = 0, []
    for seed in range(runs):
        rng = np.random.default_rng(10_000 + seed)
        result = canary.run(*canary_logs(rng, requests, ERROR_RATE + REGRESSION))
        caught += result.status == "fail"
        stops.append(result.metrics["requests_per_arm"])
    seconds = time.perf_counter() - started
    print(f"\n1. A/A: {runs:,} seeded comparisons of identical versions at {requests:,} requests a side")
    print(f"   canary cries harm (target <= 5%)          {wilson(aa_alarms, runs)}")
    print(f"   A/B fails: decides hold (target <= 5%)    {wilson(ab_hold, runs)}")
    print(f"   A/B decides ship (nominal 2.5%)           {wilson(ab_ship, runs)}")
    print(f"   A/B decides either (nominal 5%)           {wilson(ab_ship + ab_hold, runs)}")
    regressed = ERROR_RATE + REGRESSION
    print(f"\n2. Power: error rate {ERROR_RATE:.0%} -> {regressed:.0%} at {requests:,} requests a side")
    print(f"   canary catches it (target >= 80%)         {wilson(caught, runs)}")
    power = min(caught / runs, 0.999)  # a fixed horizon for 100% power is infinite: cap it
    fixed = fixed_horizon(ERROR_RATE, ERROR_RATE + REGRESSION, alpha=canary.alpha, power=power)
    mean_stop = statistics.fmean(stops)
    print(f"\n3. Early stopping (same power {power:.1%}, alpha {canary.alpha:g})")
    median = statistics.median(stops)
    print(f"   sequential canary, mean requests per arm  {mean_stop:10,.0f}  (median {median:,.0f})")
    print(f"   fixed-horizon z-test needs                {fixed:10,.0f}")
    print(f"   sequential / fixed                        {mean_stop / fixed:10.2f}")
    print(f"   ({3 * runs:,} comparisons in {seconds:.1f} s)")


def fixed_horizon(p0: float, p1: float, *, alpha: float, power: float) -> float:
    """Requests per arm a one-sided two-proportion z-test needs to see p0 -> p1 with this power."""
    z = stats.norm.ppf(1 - alpha) + stats.norm.ppf(power)
    return z * z * (p0 * (1 - p0) + p1 * (1 - p1)) / (p1 - p0) ** 2


def tables(rows: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {f"x{i}": rng.normal(shift * (i % 3 == 0), 1 + i / 10, rows) for i in range(8)}
    data["site"] = rng.choice(["north", "south", "east", "west"], rows, p=[0.4, 0.3, 0.2, 0.1])
    data["visits"] = rng.poisson(3 + shift, rows)
    return pd.DataFrame(data)


def sim_to_real(rows: int, aa_runs: int) -> None:
    from mltrl.monitor.drift import compare
    from mltrl.monitor.profile import profile_table

    real, synthetic = tables(rows, 1), tables(rows, 2, shift=0.05)
    check = SimToRealCheck()
    drift_times, check_times = [], []
    for _ in range(3):
        started = time.perf_counter()
        compare(profile_table(real), profile_table(synthetic))
        drift_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = check.run(synthetic, real)
        check_times.append(time.perf_counter() - started)
    drift, full = statistics.median(drift_times), statistics.median(check_times)
    print(f"\n4. Sim-to-real on two {rows:,}-row tables (10 columns), medians of 3")
    print(f"   monitoring drift report                   {drift:8.2f} s")
    print(
        f"   SimToRealCheck (drift + domain AUC)       {full:8.2f} s   ratio {full / drift:.2f} (target <= 2)"
    )
    low, high = result.intervals["domain_auc"]
    auc = result.metrics["domain_auc"]
    print(f"   its verdict: {result.status}, domain AUC {auc:.3f} [{low:.3f}, {high:.3f}]")
    fails = sum(SimToRealCheck(seed=s).run(tables(2000, 100 + s), tables(2000, 500 + s)).status == "fail"
                for s in range(aa_runs))  # fmt: skip
    print(f"   A/A: {aa_runs} runs on one distribution fail   {wilson(fails, aa_runs)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 50 runs at 5,000 requests; 20k rows"
    )
    args = parser.parse_args()
    runs, requests, rows, aa = (50, 5_000, 20_000, 10) if args.quick else (1_000, 20_000, 1_000_000, 200)
    deployment(runs, requests)
    sim_to_real(rows, aa)


if __name__ == "__main__":
    main()
