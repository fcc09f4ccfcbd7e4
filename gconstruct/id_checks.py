"""Missing IDs (null or NaN) in ID columns: errors that name the file, the column and the count.

A missing ID is never the ID of a node. :func:`raise_missing` turns the per-file counts that
:func:`~graphstorm_py.gconstruct.entry_reader.read_entry` gathers into one
:class:`DataError`; :func:`describe_missing` words the same counts for a log line.
"""

from __future__ import annotations

from typing import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from graphstorm_py.errors import DataError

__all__ = ["raise_missing", "describe_missing", "check_id_range"]

_INT64_MAX = (1 << 63) - 1


def check_id_range(where: str, path: str, column: str, values: pa.Array) -> None:
    """A DataError for IDs no node can have exactly: unsigned above int64's maximum, or floats
    at or beyond 2^53 (where a csv reader puts integers too big for int64)."""
    t = values.type
    if pa.types.is_uint64(t):
        bad = pc.greater(values, pa.scalar(_INT64_MAX, t))
        kind = f"are above int64's maximum {_INT64_MAX}"
    elif pa.types.is_floating(t):
        bad = pc.greater_equal(pc.abs(values), 2.0 ** 53)
        kind = ("are floats at or beyond 2^53, which cannot tell integer IDs apart "
                "(csv and JSON readers read integers above int64's maximum as floats)")
    else:
        return
    count = pc.sum(pc.cast(pc.fill_null(bad, False), pa.int64())).as_py() or 0
    if count:
        example = values.filter(pc.fill_null(bad, False))[0].as_py()
        raise DataError(f"{where}: {path}: {count} IDs in column {column!r} {kind}, e.g. {example}; "
                        f"write IDs as integers within int64 or as strings")


def describe_missing(data, columns: Sequence[str]) -> str:
    """``"file: 2 in column 'src'; ..."`` for every file and column with missing IDs."""
    parts = [f"{path}: {count} in column '{col}'" for col in dict.fromkeys(columns)
             for path, count in data.missing.get(col, [])]
    return "; ".join(parts)


def raise_missing(where: str, data, column: str, hint: str = "") -> None:
    """A DataError if ID column ``column`` of the entry read into ``data`` has missing IDs."""
    found = data.missing.get(column, [])
    if not found:
        return
    total = sum(c for _, c in found)
    raise DataError(f"{where}: ID column '{column}' has {total} missing IDs (null or NaN): "
                    f"{describe_missing(data, [column])}{hint}")
