"""Peers run in their own virtualenvs (benchmarks/.venvs/NAME), so their pins never touch mltrl's.

Each peer script prints one JSON object on its last line; :func:`run` returns it (or ``{"error":
...}`` with the peer's last line of stderr, so one broken peer does not end the whole benchmark).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

VENVS = Path(__file__).resolve().parent.parent / ".venvs"


def python_of(name: str) -> Path:
    return VENVS / name / "bin" / "python"


def ensure(name: str, requirements: Sequence[str]) -> Path:
    """Create (once) the virtualenv ``name`` and install ``requirements`` into it; its python."""
    venv = VENVS / name
    if not python_of(name).exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *requirements], check=True)
    print(f"{name}: ready in {venv}")
    return python_of(name)


def run(python: str | Path, script: Path, *args: object, timeout: float | None = None) -> dict:  # type: ignore[type-arg]
    """Run ``script`` with ``python``; the JSON object its last line of output holds."""
    try:
        result = subprocess.run(
            [str(python), str(script), *map(str, args)], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}
    if result.returncode != 0:
        return {"error": (result.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(result.stdout.strip().splitlines()[-1])
