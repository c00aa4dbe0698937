"""Run inside the Deepchecks virtualenv: ``full_suite`` on the benchmark's train/test tables; JSON figures.

The model is trained here exactly as mltrl's side trains it (same estimator, same rows, same seed),
so both tools judge the same predictions; only the suite run is timed.
"""

import json
import sys
import time

import pandas as pd
from _peak import peak_mb
from deepchecks.tabular import Dataset
from deepchecks.tabular.suites import full_suite
from sklearn.linear_model import LogisticRegression

train = pd.read_parquet(sys.argv[1])
test = pd.read_parquet(sys.argv[2])
features = [c for c in train.columns if c != "label"]
model = LogisticRegression(max_iter=200).fit(train[features], train["label"])
began = time.perf_counter()
result = full_suite().run(
    train_dataset=Dataset(train, label="label", cat_features=[]),
    test_dataset=Dataset(test, label="label", cat_features=[]),
    model=model,
)
seconds = time.perf_counter() - began
checks, not_passed = [], []
for check_result in result.results:
    get_header = getattr(check_result, "get_header", None)  # a failed check has no header method
    checks.append(get_header() if get_header else type(check_result).__name__)
passed_headers = {r.get_header() for r in result.get_passed_checks()}
for check_result in result.get_not_passed_checks():
    not_passed.append(check_result.get_header())
print(
    json.dumps(
        {
            "seconds": seconds,
            "checks": sorted(set(checks)),
            "not_passed": sorted(set(not_passed)),
            "passed": sorted(passed_headers),
            "peak_mb": peak_mb(),
        }
    )
)
