"""Finding and loading the catalogue: the shipped data, plus the organisation's policy if any.

This module imports only the standard library at import time, because the CLI imports it on every
start-up; yaml and pydantic are imported the first time a catalogue is actually loaded.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mltrl.catalog.models import Catalog

#: The policy file looked for inside a registry's ``.mltrl`` directory.
POLICY_FILE = "policy.yaml"
#: Environment variable naming a policy file; it beats ``.mltrl/policy.yaml``.
ENV_POLICY = "MLTRL_POLICY"


def find_policy(home: Path | None = None, explicit: str | Path | None = None) -> Path | None:
    """The policy file that applies: ``explicit`` > ``$MLTRL_POLICY`` > ``<home>/policy.yaml``.

    ``home`` is the registry's ``.mltrl`` directory. An explicit or environment path is returned
    even when it does not exist, so that loading it reports the mistake instead of silently
    falling back to the defaults; ``<home>/policy.yaml`` is optional and used only if present.
    """
    if explicit is not None and str(explicit) != "":
        return Path(explicit)
    if from_env := os.environ.get(ENV_POLICY, "").strip():
        return Path(from_env)
    if home is not None and (candidate := Path(home) / POLICY_FILE).is_file():
        return candidate
    return None


def load_catalog(policy: str | Path | None = None) -> Catalog:
    """The level catalogue, with the policy file at ``policy`` applied when one is given.

    Raises :class:`~mltrl.errors.PolicyError` (one line, naming the file and the place in it) when
    the policy cannot be read or does not fit the catalogue.
    """
    shipped = _shipped_catalog()
    if policy is None:
        return shipped
    from mltrl.catalog.policy import apply_policy, read_policy

    path = Path(policy)
    return apply_policy(shipped, read_policy(path), source=path)


@functools.cache
def _shipped_catalog() -> Catalog:
    """The catalogue as shipped; cached, which is safe because catalogues are immutable."""
    from importlib import resources

    import yaml

    from mltrl.catalog.models import Catalog

    data = resources.files("mltrl.catalog").joinpath("data")
    levels = yaml.safe_load(data.joinpath("levels.yaml").read_text(encoding="utf-8"))
    ethics = yaml.safe_load(data.joinpath("ethics.yaml").read_text(encoding="utf-8"))
    return Catalog.model_validate({"phases": levels["phases"], "levels": levels["levels"], "ethics": ethics})
