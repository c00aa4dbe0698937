"""Run inside the polars virtualenv: describe() of the reference table, the near-physical floor."""

import json
import sys
import time

import polars as pl

table = pl.read_parquet(sys.argv[1])
began = time.perf_counter()
table.describe()
print(json.dumps({"seconds": time.perf_counter() - began, "rows": table.height}))
