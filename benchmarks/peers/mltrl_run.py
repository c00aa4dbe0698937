"""Run with mltrl's own interpreter: profile both tables, compare them, report JSON figures."""

import json
import sys
import time

import numpy as np
import pandas as pd
from _peak import peak_mb

from mltrl.monitor import profile_table
from mltrl.monitor.drift import compare

if len(sys.argv) > 3 and sys.argv[3] == "--stream":
    # Memory as `mltrl monitor log` uses it: the file is read and profiled batch by batch.
    from pathlib import Path

    from mltrl.monitor.files import read_profile

    began = time.perf_counter()
    read_profile(Path(sys.argv[1]))
    stream = {
        "stream_seconds": time.perf_counter() - began,
        "stream_peak_mb": peak_mb(),
    }
    print(json.dumps(stream))
    sys.exit(0)
reference = pd.read_parquet(sys.argv[1])
current = pd.read_parquet(sys.argv[2])
began = time.perf_counter()
ref = profile_table(reference)
profile_s = time.perf_counter() - began
began = time.perf_counter()
report = compare(ref, profile_table(current))
drift_s = time.perf_counter() - began + profile_s  # a drift report needs both profiles
qs = np.linspace(0.01, 0.99, 99)
worst = 0.0
for name in [c for c in reference.columns if c.startswith("f")]:
    values = np.sort(reference[name].dropna().to_numpy())
    ranks = np.searchsorted(values, ref.column(name).kll.get_quantiles(list(qs))) / values.size
    worst = max(worst, float(np.abs(ranks - qs).max()))
print(
    json.dumps(
        {
            "seconds": profile_s,
            "drift_seconds": drift_s,
            "rows": len(reference),
            "worst_rank_error": worst,
            "drifted": sorted(report.drifted_columns),
            "table_mb": reference.memory_usage(deep=True).sum() / 2**20,
            "peak_mb": peak_mb(),
        }
    )
)
