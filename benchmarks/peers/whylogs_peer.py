"""Run inside the whylogs virtualenv: profile the reference table, print JSON figures."""

import json
import sys
import time

import numpy as np
import pandas as pd
import whylogs as why
from _peak import peak_mb

reference = pd.read_parquet(sys.argv[1])
floats = [c for c in reference.columns if c.startswith("f")]
began = time.perf_counter()
view = why.log(pandas=reference).view()
seconds = time.perf_counter() - began
qs = np.linspace(0.01, 0.99, 99)
worst = 0.0
for name in floats:
    values = np.sort(reference[name].dropna().to_numpy())
    kll = view.get_column(name).get_metric("distribution").kll.value
    estimates = kll.get_quantiles(list(qs))
    ranks = np.searchsorted(values, estimates) / values.size
    worst = max(worst, float(np.abs(ranks - qs).max()))
print(
    json.dumps(
        {
            "seconds": seconds,
            "rows": len(reference),
            "worst_rank_error": worst,
            "peak_mb": peak_mb(),
        }
    )
)
