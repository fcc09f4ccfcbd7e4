"""Missing IDs (null or NaN) in ID columns: errors that name the file, the column and the count.

A missing ID is never the ID of a node. :func:`raise_missing` turns the per-file counts that
:func:`~graphstorm_py.gconstruct.entry_reader.read_entry` gathers into one
:class:`DataError`; :func:`describe_missing` words the same counts for a log line.
"""

from __future__ import annotations

from typing import Sequence

from graphstorm_py.errors import DataError

__all__ = ["raise_missing", "describe_missing"]


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
