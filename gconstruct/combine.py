"""Combine the rows several node entries give for one feature or label of a node type.

A node type may be spread over several entries that each have ``node_id_col`` (labelled and
unlabelled papers in two files, say), each with the same feature. Every entry's rows land on
the nids of their IDs. Rows of disjoint ID sets simply combine; an ID given by two entries
must carry the same value in both, otherwise it is a :class:`DataError` naming the IDs.
Nodes no entry covers get 0 (features) or the caller's fill value.
"""

from __future__ import annotations

from typing import Sequence, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphstorm_py.errors import DataError

__all__ = ["combine_arrays", "combine_columns", "scatter"]


def scatter(arr: np.ndarray, rows: np.ndarray, n: int, fill=0) -> np.ndarray:
    """``arr`` placed at ``rows`` of an ``n``-row array (``fill`` elsewhere)."""
    if len(rows) == n and np.array_equal(rows, np.arange(n)):
        return arr
    out = np.full((n,) + arr.shape[1:], fill, dtype=arr.dtype)
    out[rows] = arr
    return out


def _first_of_each(rows: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions of each row's first occurrence, positions of repeats, their first positions)."""
    order = np.argsort(rows, kind="stable")
    srt = rows[order]
    repeat = np.zeros(len(rows), dtype=bool)
    repeat[1:] = srt[1:] == srt[:-1]
    head = np.maximum.accumulate(np.where(~repeat, np.arange(len(rows)), 0))
    return order[~repeat], order[repeat], order[head[repeat]]


def _conflict(name: str, ids: pa.Array, rows: np.ndarray, where: str):
    examples = ids.take(pa.array(np.unique(rows)[:5])).to_pylist()
    return DataError(f"{where}: {len(np.unique(rows))} node IDs are given different values of {name!r} "
                     f"by two entries, e.g. IDs {examples}")


def combine_arrays(name: str, parts: Sequence[Tuple[np.ndarray, np.ndarray]], n: int, ids: pa.Array,
                   where: str) -> np.ndarray:
    """One ``n``-row array from ``(rows, values)`` parts; repeated rows must agree."""
    if len(parts) == 1:
        return scatter(parts[0][1], parts[0][0], n)
    shapes = {a.shape[1:] for _, a in parts}
    if len(shapes) > 1:
        raise DataError(f"{where}: feature {name!r} has shapes {sorted(shapes)} in different entries")
    rows = np.concatenate([r for r, _ in parts])
    vals = np.concatenate([a for _, a in parts])
    first, rep, orig = _first_of_each(rows)
    if len(rep):
        a, b = vals[rep].reshape(len(rep), -1), vals[orig].reshape(len(rep), -1)
        differ = a != b
        if vals.dtype.kind == "f":
            differ &= ~(np.isnan(a) & np.isnan(b))
        bad = differ.any(axis=1)
        if bad.any():
            raise _conflict(name, ids, rows[rep][bad], where)
    return scatter(vals[first], rows[first], n)


def _common(types) -> pa.DataType:
    if all(pa.types.is_integer(t) for t in types):
        return pa.int64()
    if all(pa.types.is_integer(t) or pa.types.is_floating(t) for t in types):
        return pa.float64()
    return pa.string()


def combine_columns(name: str, parts: Sequence[Tuple[np.ndarray, pa.Array]], ids: pa.Array, where: str
                    ) -> Tuple[np.ndarray, pa.Array]:
    """``(rows, column)`` with each row once, from Arrow ``(rows, column)`` parts (e.g. raw labels)."""
    if len(parts) == 1:
        return parts[0]
    rows = np.concatenate([r for r, _ in parts])
    cols = [c for _, c in parts]
    types = {c.type for c in cols if not pa.types.is_null(c.type)}
    target = next(iter(types)) if len(types) == 1 else _common(types) if types else None
    col = pa.concat_arrays([c.cast(target) if target is not None and c.type != target else c for c in cols])
    first, rep, orig = _first_of_each(rows)
    if len(rep):
        a, b = col.take(pa.array(rep)), col.take(pa.array(orig))
        same = pc.fill_null(pc.equal(a, b), False)
        both_null = pc.and_(a.is_null(), b.is_null())
        bad = ~np.asarray(pc.or_(same, both_null).to_numpy(zero_copy_only=False), dtype=bool)
        if bad.any():
            raise _conflict(name, ids, rows[rep][bad], where)
    return rows[first], col.take(pa.array(first))
