"""Output for scripts: ``--format table|json|csv|tsv`` and ``--json``, the same on every command.

A read command takes ``--format`` (``--json`` is short for ``--format json``); a write command takes
``--json`` and prints what it created or changed. JSON is always an object (a list comes under a
name, ``{"events": [...]}``), so a script can add a key to a payload without breaking its readers.
CSV and TSV print one row per item with flat columns: nested values (lists, mappings) as compact JSON
text, nothing (``None``) as an empty cell, booleans as ``true``/``false``.

This module stays light: read commands import it before they print, and must start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

import typer

from mltrl.cli._context import emit_json
from mltrl.errors import BadInput


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    TSV = "tsv"


FORMAT = typer.Option(
    Format.TABLE,
    "--format",
    case_sensitive=False,
    help="table for people; json, csv or tsv for scripts (never cut or wrapped)",
)
JSON = typer.Option(False, "--json", help="Print JSON (the same as --format json)")
#: ``--json`` of a write command: what it created or changed, so a script never parses a sentence.
JSON_WRITE = typer.Option(False, "--json", help="Print what was created or changed as JSON")


def choose(fmt: Format | str, as_json: bool) -> Format:
    """The format the options ask for; ``--json`` with another ``--format`` is refused."""
    chosen = Format(fmt)
    if as_json and chosen not in (Format.TABLE, Format.JSON):
        raise BadInput(f"--json and --format {chosen} ask for two formats; give one")
    return Format.JSON if as_json else chosen


def emit(fmt: Format, payload: Mapping[str, Any], rows: Iterable[Mapping[str, Any]] | None = None) -> None:
    """Print ``payload`` as JSON, or ``rows`` (default: the payload itself, one row) as CSV/TSV."""
    if fmt is Format.JSON:
        emit_json(payload)
    elif fmt in (Format.CSV, Format.TSV):
        write_rows(list(rows) if rows is not None else [payload], tsv=fmt is Format.TSV)
    else:  # pragma: no cover - a command prints its own table
        raise ValueError(f"{fmt} is printed by the command")


def write_rows(rows: list[Mapping[str, Any]], *, tsv: bool = False) -> None:
    """One header line with every column any row has (first seen first), then one line per row.

    CSV follows RFC 4180: a value holding a comma, a quote or a line break is quoted. TSV is never
    quoted, so ``cut -f`` works: a tab, a line break or a backslash inside a value is written as
    ``\\t``, ``\\n``, ``\\r`` or ``\\\\`` instead. Lines end in ``\\n``. No rows, no output.
    """
    import csv

    columns = list(dict.fromkeys(key for row in rows for key in row))
    if tsv:
        writer = csv.writer(
            sys.stdout, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, quotechar=None
        )
    else:
        writer = csv.writer(sys.stdout, lineterminator="\n")
    flat = _tsv_cell if tsv else cell
    if columns:
        writer.writerow([flat(column) for column in columns])
    for row in rows:
        writer.writerow([flat(row.get(column)) for column in columns])


def _tsv_cell(value: Any) -> str:
    return cell(value).translate(_TSV_ESCAPES)


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def cell(value: Any) -> str:
    """A flat cell: nested values as compact JSON, controls shown (never obeyed by a terminal)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        from mltrl.jsonout import dumps

        return dumps(value)
    if isinstance(value, float):
        from mltrl.jsonout import finite

        value = finite(value)
        return "" if value is None else repr(value)
    from mltrl.cli._render import terminal_text

    return terminal_text(str(value))
