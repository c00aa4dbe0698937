"""Reading a policy file into plain data, and turning pydantic errors into one line.

A policy file is written by hand, so every problem is reported as ``<where>: <what>`` that a person
can act on: the YAML position for syntax errors, the dotted key path for schema errors. Callers
prefix the file name. Imported only while loading a policy (it pulls in yaml and pydantic).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from mltrl.userfiles import load_yaml


class Invalid(Exception):
    """A problem at a location in the policy file; the caller adds the file name."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}" if where else what)
        self.where = where
        self.what = what


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses repeated keys instead of silently keeping the last one."""


def _mapping_without_repeats(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            repeated = key in seen
        except TypeError:  # unhashable key: SafeLoader reports it below
            continue
        if repeated:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"key {key!r} appears twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_repeats)


def read_yaml_mapping(path: Path) -> dict[Any, Any]:
    """The file's top-level mapping; :class:`Invalid` when unreadable, not YAML, or not a mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise Invalid("", "cannot read: not UTF-8 text") from None
    except OSError as exc:
        raise Invalid("", f"cannot read: {exc.strerror or exc}") from None
    try:
        # A SafeLoader subclass (no arbitrary objects), with aliases bounded (no "billion laughs").
        data = load_yaml(text, _StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise Invalid("", f"not valid YAML{where}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise Invalid("", f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        raise Invalid("", f"the top level must be a mapping with 'version: 1', found {found}")
    return data


def _dotted(loc: Sequence[int | str]) -> str:
    """``('levels', 2, 'add_criteria', 0, 'id')`` -> ``levels.2.add_criteria[0].id``.

    Integers are list positions except right after the top-level ``levels`` key, where they are
    level numbers (dict keys); ``[key]`` marks a problem with a key itself, already named before it.
    """
    out = ""
    for i, part in enumerate(loc):
        if part == "[key]":
            continue
        if isinstance(part, int) and not (i == 1 and loc[0] == "levels"):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe_validation_error(exc: ValidationError) -> Invalid:
    """The first problem as ``Invalid(where, what)``, counting the others so none goes unnoticed."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = list(first["loc"])
    # "or instance of LevelRules" names a Python class the author of a YAML file never sees.
    what = re.sub(r" or instance of \w+", "", str(first["msg"]).removeprefix("Value error, "))
    if first["type"] == "extra_forbidden" and loc:
        what = f"unknown key {loc.pop()!r}"
    elif first["type"] not in ("missing", "value_error") and isinstance(
        first.get("input"), str | int | float | bool
    ):
        what += f", got {_short(first['input'])}"
    if len(errors) > 1:
        more = len(errors) - 1
        what += f" (and {more} more problem{'s' if more > 1 else ''})"
    return Invalid(_dotted(loc), what)
