"""Stream input tables as Arrow record batches: parquet, csv, json lines and hdf5.

Every reader yields ``pyarrow.RecordBatch`` objects restricted to the requested columns, so a
table is never held whole as Python objects. A missing column is a :class:`DataError` naming
the file and the column, with the columns that do exist.

A file with no rows is valid input in every format (a parquet file with a schema, a csv file
with only its header, an empty json-lines file, hdf5 datasets of length 0): its reader yields
one empty batch, typed from the file's schema where it has one (``null`` otherwise), so
callers always see the columns and never an empty stream.
"""

from __future__ import annotations

from typing import Iterator, List, Optional, Sequence

import numpy as np
import pyarrow as pa

from graphstorm_py import io
from graphstorm_py.config.suggest import did_you_mean
from graphstorm_py.errors import DataError
from graphstorm_py.registry import Registry

__all__ = ["READERS", "iter_batches", "count_rows", "BATCH_ROWS"]

READERS: Registry = Registry("input format")
BATCH_ROWS = 1 << 17


def _check_columns(path: str, have: Sequence[str], want: Sequence[str]) -> None:
    for col in want:
        if col not in have:
            raise DataError(f"{path}: column {col!r} not found; "
                            f"columns are: {', '.join(map(str, have))}{did_you_mean(col, have)}")


def _blank(path: str) -> bool:
    """Whether a text file holds nothing but whitespace (0 rows, no header)."""
    with io.open_file(path, "rb") as fh:
        head = fh.read(4096)
        return not head.strip() and len(head) < 4096


def _untyped(columns: Sequence[str]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array([], pa.null()) for _ in columns], names=list(columns))


@READERS.register("parquet")
def _parquet(path: str, columns: Sequence[str], separator: Optional[str]) -> Iterator[pa.RecordBatch]:
    import pyarrow.parquet as pq

    with io.open_file(path, "rb") as fh:
        try:
            pf = pq.ParquetFile(fh)
        except pa.ArrowInvalid as exc:
            raise DataError(f"{path}: not a readable parquet file ({exc})") from None
        _check_columns(path, pf.schema_arrow.names, columns)
        if pf.metadata.num_rows == 0:
            schema = pa.schema([pf.schema_arrow.field(c) for c in columns])
            yield pa.RecordBatch.from_pylist([], schema=schema)
            return
        for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=list(columns)):
            yield batch


@READERS.register("csv")
def _csv(path: str, columns: Sequence[str], separator: Optional[str]) -> Iterator[pa.RecordBatch]:
    import pyarrow.csv as pcsv

    if _blank(path):
        yield _untyped(columns)
        return
    with io.open_file(path, "rb") as fh:
        try:
            reader = pcsv.open_csv(
                fh,
                read_options=pcsv.ReadOptions(block_size=64 << 20),
                parse_options=pcsv.ParseOptions(delimiter=separator or ","),
                # an empty field is a null (a missing ID, an unlabelled row), for strings too
                convert_options=pcsv.ConvertOptions(include_columns=list(columns) or None,
                                                    strings_can_be_null=True),
            )
        except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:  # a missing column is a KeyError in newer pyarrow
            msg = str(exc)
            if "include_columns" in msg or "No such column" in msg or "not found" in msg:
                header = io.read_bytes(path).split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
                _check_columns(path, [h.strip() for h in header.split(separator or ",")], columns)
            raise DataError(f"{path}: cannot read csv ({exc})") from None
        rows = 0
        for batch in reader:
            rows += batch.num_rows
            yield batch
        if rows == 0:  # a header without rows
            yield pa.RecordBatch.from_pylist([], schema=reader.schema)


@READERS.register("json")
def _json(path: str, columns: Sequence[str], separator: Optional[str]) -> Iterator[pa.RecordBatch]:
    import pyarrow.json as pjson

    if _blank(path):
        yield _untyped(columns)
        return
    with io.open_file(path, "rb") as fh:
        try:
            table = pjson.read_json(fh, read_options=pjson.ReadOptions(block_size=64 << 20))
        except pa.ArrowInvalid as exc:
            raise DataError(f"{path}: not valid JSON lines ({exc})") from None
    _check_columns(path, table.column_names, columns)
    if table.num_rows == 0:
        yield pa.RecordBatch.from_pylist([], schema=table.select(list(columns)).schema)
        return
    yield from table.select(list(columns)).to_batches(max_chunksize=BATCH_ROWS)


@READERS.register("hdf5")
def _hdf5(path: str, columns: Sequence[str], separator: Optional[str]) -> Iterator[pa.RecordBatch]:
    import h5py

    with io.open_file(path, "rb") as fh, h5py.File(fh, "r") as f:
        _check_columns(path, list(f.keys()), columns)
        n = len(f[columns[0]]) if columns else 0
        for col in columns:
            if len(f[col]) != n:
                raise DataError(f"{path}: dataset {col!r} has {len(f[col])} rows, {columns[0]!r} has {n}")
        for start in range(0, max(n, 1), BATCH_ROWS):  # one empty batch when n == 0
            arrays = [_h5_to_arrow(f[c][start:start + BATCH_ROWS]) for c in columns]
            yield pa.RecordBatch.from_arrays(arrays, names=list(columns))


def _h5_to_arrow(values: np.ndarray) -> pa.Array:
    if values.dtype.kind in ("S", "O", "U"):
        return pa.array([v.decode() if isinstance(v, bytes) else v for v in values], pa.string())
    if values.ndim == 1:
        return pa.array(values)
    flat = pa.array(values.reshape(-1))
    return pa.FixedSizeListArray.from_arrays(flat, int(np.prod(values.shape[1:])))


def iter_batches(files: List[str], fmt: str, columns: Sequence[str],
                 separator: Optional[str] = None) -> Iterator[pa.RecordBatch]:
    """Yield record batches with exactly ``columns`` from every file in order."""
    reader = READERS.get(fmt, key="format.name")
    for path in files:
        try:
            yield from reader(path, columns, separator)
        except FileNotFoundError:
            raise DataError(f"input file not found: {path}") from None


def count_rows(files: List[str], fmt: str, column: str, separator: Optional[str] = None) -> int:
    return sum(b.num_rows for b in iter_batches(files, fmt, [column], separator))
