"""The container recipe (Containerfile) stays true to the source it builds from. No image can be
built here (no registry to pull a base image from), so this checks what would break the build or
the running container: what it copies exists, the extras it installs are declared, every file the
package needs at run time is package data (a non-editable install drops the rest), the settings it
sets are settings of `mltrl serve`, and its health check asks a route the server answers."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

from mltrl.server.config import ENVIRONMENT

ROOT = Path(__file__).resolve().parents[2]
RECIPE = (ROOT / "Containerfile").read_text()


def test_what_it_copies_and_installs_exists() -> None:
    for sources in re.findall(r"^COPY (.+) \S+$", RECIPE, flags=re.M):
        for source in sources.split():
            assert (ROOT / source).exists(), source
    (extras,) = re.findall(r'pip install "\.\[([^\]]+)\]"', RECIPE)
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(extras.split(",")) <= set(declared)


def test_every_run_time_file_of_the_package_is_package_data() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    package = ROOT / "src" / "mltrl"
    covered = {path for pattern in setuptools["package-data"]["mltrl"] for path in package.glob(pattern)}
    # The tracked files only: generated ones (the demo's data) are made at run time.
    tracked = subprocess.run(
        ["git", "ls-files", "src/mltrl"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    needed = {ROOT / name for name in tracked if not name.endswith(".py")}
    assert needed <= covered, sorted(str(p.relative_to(package)) for p in needed - covered)


def test_its_settings_and_health_check_are_the_servers() -> None:
    variables = set(re.findall(r"\b(MLTRL_SERVER_[A-Z_]+)=", RECIPE))
    assert variables and variables <= set(ENVIRONMENT.values())
    assert "/readyz" in RECIPE and re.search(r'^ENTRYPOINT \["mltrl"\]\nCMD \["serve"\]$', RECIPE, flags=re.M)
