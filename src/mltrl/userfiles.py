"""Reading the files users hand to mltrl: UTF-8 text of a bounded size, and YAML that cannot explode.

Every file a command reads (card sections, ethics answers, datasheets, metrics, drift
settings, policy files) goes through here, so each is refused the same way, in one line
that names the file, before anything is written:

- text must be UTF-8 (a Latin-1 file names the first bad byte instead of a traceback);
- a file larger than :data:`MAX_BYTES` is refused (none of these is more than a few pages);
- YAML is parsed by PyYAML's ``SafeLoader`` (no Python objects) and its node graph is
  measured *before* it is built: anchors and aliases let 350 bytes stand for a billion
  strings (the "billion laughs"), which hangs whoever prints or validates the result. A
  document that expands to more than :data:`MAX_YAML_NODES` nodes, or refers to itself, is
  refused. Ordinary anchors (sharing a few settings) stay allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mltrl.errors import BadInput

#: The largest file a command reads; hand-written YAML, Markdown and JSON are far smaller.
MAX_BYTES = 4 * 1024 * 1024
#: Nodes a YAML document may expand to, counting each alias as a full copy of what it names.
MAX_YAML_NODES = 100_000


class YAMLTooLarge(yaml.YAMLError):
    """A YAML document whose aliases expand beyond :data:`MAX_YAML_NODES` nodes, or refer to themselves."""


def read_text(path: Path, what: str = "file") -> str:
    """The UTF-8 text of ``path``, or :class:`BadInput` naming the path and the problem."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise BadInput(f"{path}: cannot read the {what}: it is a directory") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise BadInput(f"{path}: the {what} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"{path}: the {what} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8"
        ) from None


def load_yaml(text: str, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
    """Parse one YAML document like ``yaml.safe_load``, refusing alias bombs (``YAMLTooLarge``).

    ``loader`` may be a ``SafeLoader`` subclass (the policy reader's refuses repeated keys).
    Raises ``yaml.YAMLError`` subclasses only, so callers keep one ``except`` for bad YAML.
    """
    if len(text) > MAX_BYTES:
        raise YAMLTooLarge(f"the document is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    parser = loader(text)
    try:
        node = parser.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return parser.construct_document(node)
    except RecursionError:  # PyYAML composes and constructs recursively: "[[[[...]]]]" ten thousand deep
        raise YAMLTooLarge("the document is nested too deeply") from None
    finally:
        parser.dispose()


def read_yaml(path: Path, what: str = "file") -> Any:
    """A YAML file's document, or :class:`BadInput` naming the file (unreadable, not UTF-8, not YAML)."""
    text = read_text(path, what)
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        raise BadInput(f"{path}: not valid YAML: {yaml_problem(exc)}") from None


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error on one line, with its position when PyYAML knows it."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return f"{exc.problem or exc.context}{where}"
    return " ".join(str(exc).split())


def _check_expansion(root: yaml.Node) -> None:
    """Count the nodes the document stands for, each shared node once per reference, memoised."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            raise YAMLTooLarge("an alias refers to the node that contains it (a recursive document)")
        visiting.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        visiting.discard(key)
        if total > MAX_YAML_NODES:
            raise YAMLTooLarge(
                f"the document expands to more than {MAX_YAML_NODES:,} values through its aliases "
                "(an alias bomb?)"
            )
        sizes[key] = total
        return total

    size(root)
