"""Run in MLflow's own virtualenv: the registry workloads of registry_vs_mlflow.py on its SQLite store.

    python mlflow_registry_peer.py DIR MODELS VERSIONS MOVES [--cold]

Register MODELS models with VERSIONS versions between them; MOVES moves, each an alias (the model's
current stage) and a tag (its level) on a version, one call each, as MLflow records a promotion;
read every model's state and one model's history. ``--cold``: only read the state of the first 10
models (a project's worth), in this fresh process: the peer of a cold ``mltrl status PROJECT``.
Prints one JSON object.
"""

import json
import logging
import os
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)
os.environ.setdefault("MLFLOW_ENABLE_ASYNC_LOGGING", "false")

from mlflow import MlflowClient  # noqa: E402

directory, models, versions, moves = Path(sys.argv[1]), *map(int, sys.argv[2:5])
uri = f"sqlite:///{directory / 'mlflow.db'}"
client = MlflowClient(tracking_uri=uri, registry_uri=uri)


def all_states() -> int:
    seen, token = 0, None
    while True:
        page = client.search_registered_models(max_results=1000, page_token=token)
        seen += sum(len(m.aliases) + 1 for m in page)
        token = page.token
        if not token:
            return seen


if "--cold" in sys.argv:
    found = client.search_registered_models("name LIKE 'model-000%'")
    print(json.dumps({"models": len(found), "aliases": sum(len(m.aliases) for m in found)}))
    sys.exit(0)

out = {}
began = time.perf_counter()
for m in range(models):
    client.create_registered_model(f"model-{m:04d}")
for v in range(versions):
    client.create_model_version(f"model-{v % models:04d}", source=f"file:///models/{v}", await_creation_for=0)
out["register_s"] = time.perf_counter() - began
size_before = (directory / "mlflow.db").stat().st_size
per_move = []
for i in range(moves):
    name = f"model-{i % models:04d}"
    version = str(1 + (i // models) % max(1, versions // models))
    began = time.perf_counter()
    client.set_registered_model_alias(name, "current", version)
    client.set_model_version_tag(name, version, "level", str(i % 10))
    per_move.append(time.perf_counter() - began)
out["moves_s"] = sum(per_move)
out["move_median_ms"] = sorted(per_move)[len(per_move) // 2] * 1000
out["bytes_per_move"] = ((directory / "mlflow.db").stat().st_size - size_before) / max(1, moves)
began = time.perf_counter()
all_states()
out["read_states_s"] = time.perf_counter() - began
began = time.perf_counter()
history = client.search_model_versions("name = 'model-0000'")
[client.get_model_version("model-0000", v.version).tags for v in history]
out["read_history_s"] = time.perf_counter() - began
print(json.dumps(out))
