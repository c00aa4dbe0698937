"""Reading CSV and Parquet files batch by batch, so big files profile in bounded memory with progress."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa

from mltrl.errors import BadInput

BATCH_ROWS = 262_144


def batches(path: Path) -> tuple[int, Iterator[pa.RecordBatch]]:
    """(total size in bytes, record batches) of a CSV or Parquet file; one-line errors otherwise."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    suffix = path.suffix.lower()
    size = path.stat().st_size
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            handle = pq.ParquetFile(path)
            return size, handle.iter_batches(batch_size=BATCH_ROWS)
        if suffix in (".csv", ".tsv", ".txt"):
            import pyarrow.csv as pcsv

            parse = pcsv.ParseOptions(delimiter="\t" if suffix == ".tsv" else ",")
            reader = pcsv.open_csv(
                path, parse_options=parse, read_options=pcsv.ReadOptions(block_size=1 << 24)
            )
            _refuse_non_utf8(path, reader.schema)
            return size, iter(reader)
    except (pa.ArrowInvalid, OSError) as exc:
        raise BadInput(f"{path}: not a readable table: {' '.join(str(exc).split())[:200]}") from None
    raise BadInput(f"{path}: give a .csv, .tsv or .parquet file")


def _refuse_non_utf8(path: Path, schema: pa.Schema) -> None:
    """Arrow reads text that is not UTF-8 (a Latin-1 export) as bytes, which no profile can take."""
    for field in schema:
        if pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type):
            raise BadInput(f"{path}: column {field.name!r} is not UTF-8 text; save the file as UTF-8")


def read_profile(path: Path, progress: Callable[[int], None] | None = None):  # type: ignore[no-untyped-def]
    """Profile a file batch by batch and merge the batch profiles (mergeable, so exact where exact)."""
    from mltrl.monitor.profile import profile_table

    if Path(path).suffix.lower() == ".parquet" and Path(path).is_file():
        return _parquet_by_column(Path(path), progress)
    _size, stream = batches(path)
    total = None
    try:
        for batch in stream:
            part = profile_table(batch.to_pandas())
            total = part if total is None else total.merge(part)
            if progress is not None:
                progress(batch.num_rows)
    except pa.ArrowInvalid as exc:
        raise BadInput(f"{path}: not a readable table: {' '.join(str(exc).split())[:200]}") from None
    if total is None or total.rows == 0:
        raise BadInput(f"{path}: the table has no rows")
    return total


def _parquet_by_column(path: Path, progress: Callable[[int], None] | None):  # type: ignore[no-untyped-def]
    """Parquet is columnar: read and profile one column at a time, so memory holds one column."""
    import pyarrow.parquet as pq

    from mltrl.monitor.profile import TableProfile, profile_table

    try:
        handle = pq.ParquetFile(path)
        names = [name for name in handle.schema_arrow.names if not name.startswith("__index_level_")]
        rows = handle.metadata.num_rows
        if rows == 0:
            raise BadInput(f"{path}: the table has no rows")
        profile = TableProfile(rows)
        for name in names:
            column = handle.read(columns=[name]).to_pandas()
            profile.columns.update(profile_table(column, workers=1).columns)
            if progress is not None:
                progress(rows // max(len(names), 1))
    except (pa.ArrowInvalid, OSError) as exc:
        raise BadInput(f"{path}: not a readable table: {' '.join(str(exc).split())[:200]}") from None
    return profile


def read_table(path: Path):  # type: ignore[no-untyped-def]
    """A whole (feature) table, for comparisons that need rows, such as skew's join on entity ids."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    try:
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            return pq.read_table(path).to_pandas()
        if path.suffix.lower() in (".csv", ".tsv", ".txt"):
            import pyarrow.csv as pcsv

            parse = pcsv.ParseOptions(delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
            table = pcsv.read_csv(path, parse_options=parse)
            _refuse_non_utf8(path, table.schema)
            return table.to_pandas()
    except (pa.ArrowInvalid, OSError) as exc:
        raise BadInput(f"{path}: not a readable table: {' '.join(str(exc).split())[:200]}") from None
    raise BadInput(f"{path}: give a .csv, .tsv or .parquet file")
