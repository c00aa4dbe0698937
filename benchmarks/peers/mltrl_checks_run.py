"""mltrl's default check suite on the benchmark's train/test tables; JSON figures on the last line.

The default suite: golden (candidate vs champion, minimum and non-inferiority), 20 data slices
(deciles of two features, Holm-corrected), 5 metamorphic relations, data validation (inferred from
the training table, run on the test table) and calibration. The model is trained as the Deepchecks
peer trains it (same estimator, rows and seed); only the suite is timed. ``digest`` is a SHA-256 of
every result's JSON, so two runs with the same inputs and seed can be compared bit for bit.
"""

import hashlib
import json
import sys
import time

import numpy as np
import pandas as pd
from _peak import peak_mb
from sklearn.linear_model import LogisticRegression

from mltrl.checks import (
    CalibrationCheck,
    DataValidationCheck,
    GoldenCheck,
    MetamorphicCheck,
    Relation,
    SliceCheck,
)

train = pd.read_parquet(sys.argv[1])
test = pd.read_parquet(sys.argv[2])
features = [c for c in train.columns if c != "label"]
model = LogisticRegression(max_iter=200).fit(train[features], train["label"])
# The champion: the model the candidate replaces, trained on the first half of the rows.
half = len(train) // 2
champion = LogisticRegression(max_iter=200).fit(train[features].iloc[:half], train["label"].iloc[:half])
X, y = test[features], test["label"].to_numpy()

# Deciles of f0 and f1, cut on the training table: 20 slices with fixed, readable predicates.
slices = {}
for column in ("f0", "f1"):
    cuts = [float(c) for c in np.quantile(train[column], np.linspace(0, 1, 11))[1:-1]]
    bounds = [None, *cuts, None]
    for i in range(10):
        low, high = bounds[i], bounds[i + 1]
        parts = ([f"{column} >= {low!r}"] if low is not None else []) + (
            [f"{column} < {high!r}"] if high is not None else []
        )
        slices[f"{column}-decile-{i + 1}"] = " and ".join(parts)
relations = [
    Relation("noise-1pct", "invariance", "gaussian_noise", tolerance=0.02, params={"scale": 0.01}),
    Relation("scale-up-1pct", "invariance", "scaling", tolerance=0.02, params={"factor": 1.01}),
    Relation("swap-f49", "invariance", "swap_feature", tolerance=0.05, params={"column": features[-1]}),
    Relation("swap-f48", "invariance", "swap_feature", tolerance=0.05, params={"column": features[-2]}),
    Relation(
        "noise-seed-7", "invariance", "gaussian_noise", tolerance=0.02, params={"scale": 0.01, "seed": 7}
    ),
]

suite = [
    lambda: GoldenCheck(minimum=0.70, non_inferiority_margin=0.01, seed=0).run(
        model, X, y, champion=champion
    ),
    lambda: SliceCheck(slices, minimum=0.65, seed=0).run(model, X, y),
    lambda: MetamorphicCheck(relations).run(model, X),
    lambda: DataValidationCheck.infer(train[features], range_margin=0.25).run(
        test[features], stage="processed"
    ),
    lambda: CalibrationCheck(max_ece=0.05, seed=0).run(model, X, y),
]
results, per_check = [], {}
began = time.perf_counter()
for run_check in suite:
    started = time.perf_counter()
    results.append(run_check())
    per_check[results[-1].check] = time.perf_counter() - started
seconds = time.perf_counter() - began
digest = hashlib.sha256("\n".join(r.to_json() for r in results).encode()).hexdigest()
print(
    json.dumps(
        {
            "seconds": seconds,
            "per_check": per_check,
            "statuses": {r.check: r.status for r in results},
            "reasons": {r.check: r.reason for r in results},
            "digest": digest,
            "peak_mb": peak_mb(),
        }
    )
)
