"""Run inside the Evidently virtualenv: the data drift report, reference vs current; JSON figures."""

import json
import sys
import time

import pandas as pd
from _peak import peak_mb
from evidently import Report
from evidently.presets import DataDriftPreset

reference = pd.read_parquet(sys.argv[1])
current = pd.read_parquet(sys.argv[2])
rows = int(sys.argv[3]) if len(sys.argv) > 3 else len(reference)
reference, current = reference.iloc[:rows], current.iloc[:rows]
began = time.perf_counter()
result = Report([DataDriftPreset()]).run(current_data=current, reference_data=reference)
seconds = time.perf_counter() - began
drifted = []
for metric in result.dict()["metrics"]:
    config = metric.get("config", {})
    if config.get("type", "").endswith("ValueDrift") and float(metric["value"]) >= float(config["threshold"]):
        drifted.append(config["column"])
print(
    json.dumps(
        {
            "seconds": seconds,
            "rows": rows,
            "drifted": sorted(drifted),
            "peak_mb": peak_mb(),
        }
    )
)
