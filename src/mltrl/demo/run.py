"""``mltrl demo``: build the demo registry in its own directory, then show what it holds."""

from __future__ import annotations

import shutil
from pathlib import Path

from mltrl.errors import BadInput
from mltrl.store.location import REGISTRY_DIR

MARKER = "DEMO"  # a file in the demo's .mltrl/ so a rerun knows it may rebuild it


def prepare(directory: Path) -> Path:
    """An empty place for the demo registry; only an earlier demo may be replaced."""
    directory = directory.resolve()
    home = directory / REGISTRY_DIR
    if home.exists():
        if not (home / MARKER).is_file():
            raise BadInput(
                f"{directory} already holds a registry that is not the demo's; choose another --dir"
            )
        shutil.rmtree(home)
    elif directory.exists() and any(directory.iterdir()):
        raise BadInput(f"{directory} exists and is not empty; choose another --dir")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def build(directory: Path) -> Path:
    """Build the demo under ``directory`` and return the registry's home."""
    from mltrl.demo.build import POLICY, build_demo
    from mltrl.service import inputs
    from mltrl.service.registry import Registry

    directory = prepare(directory)
    with Registry.init(directory, actor="mltrl-demo") as reg:
        home = reg.location.home
        assert home is not None
        # The demo organisation's policy (src/mltrl/demo/policy.yaml) sets its ML Test Score threshold.
        (home / "policy.yaml").write_text(POLICY.read_text(encoding="utf-8"), encoding="utf-8")
        # Marked before building, so a rerun may replace even a build that failed half-way.
        (home / MARKER).write_text(
            "built by `mltrl demo`; `mltrl demo` may delete and rebuild this registry\n"
        )
        build_demo(reg, inputs.now())
        home = reg.location.home
    return home


def run_suite(directory: Path) -> tuple[bool, str]:
    """Copy the detector's level-7 suite into the demo and run it through the pytest plugin.

    Runs after the build has committed (the suite records in its own transaction, as CI would).
    Returns whether it passed and pytest's last line; without ``mltrl[checks]`` and pytest it says so.
    """
    import subprocess
    import sys
    from importlib.resources import as_file, files

    from mltrl.demo import checks_suite

    if not checks_suite.available():
        return False, "skipped: install 'mltrl[checks]' to run the detector's level-7 suite"
    target = directory.resolve() / "suite"
    with as_file(files("mltrl.demo") / "suite") as source:
        shutil.copytree(
            source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "data")
        )
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--mltrl", "suite"],
        cwd=target.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in ran.stdout.splitlines() if line.strip()]
    return ran.returncode == 0, (lines[-1] if lines else ran.stderr.strip()[-300:]).strip("= ")
