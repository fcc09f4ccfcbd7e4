"""Original node IDs -> nids, vectorised with Arrow hash joins.

A node type's nids are positions in its ID array: ``ids[nid]`` is the user's ID. Lookups use
``pyarrow.compute.index_in`` (one hash table per call), so callers pass whole columns
(``ChunkedArray``) rather than looping over batches or rows.

IDs met elsewhere (edge endpoints, split files) are cast to the node type's ID type as text
would be read (:func:`cast_ids`): ``"007"`` stays ``"007"`` for string IDs and matches ``7``
for integer IDs; a value the type cannot hold (``"A17"`` for integer IDs) is simply unknown.
Null and NaN are *missing* IDs (:func:`missing_mask`), never IDs of a node.
"""

from __future__ import annotations

from typing import List, Sequence, Union

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphstorm_py.errors import DataError

__all__ = ["NodeIdMap", "unique_in_order", "missing_mask", "cast_ids", "unify_types"]

ArrowLike = Union[pa.Array, pa.ChunkedArray]
_INT_TEXT = r"^[+-]?[0-9]+$"
_INT_POINT_ZERO = r"[.]0*$"   # "7.0", "7." : an integral number written as a float
_INT64_MAX = (1 << 63) - 1
_FLOAT_TEXT = r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$"


def _flat(values: ArrowLike) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def missing_mask(values: ArrowLike) -> np.ndarray:
    """True where an ID is missing: null, or NaN in a float column."""
    values = _flat(values)
    if pa.types.is_floating(values.type):
        miss = pc.fill_null(pc.is_nan(values), True)
    else:
        miss = values.is_null()
    return miss.to_numpy(zero_copy_only=False).astype(bool, copy=False)


def unique_in_order(chunks: Sequence[ArrowLike]) -> pa.Array:
    """Distinct values of all chunks, in order of first appearance (missing IDs left out)."""
    arrays = []
    for c in chunks:
        arrays.extend(c.chunks if isinstance(c, pa.ChunkedArray) else [c])
    arrays = [a for a in arrays if not pa.types.is_null(a.type)]
    if not arrays:
        return pa.array([], pa.int64())
    uniq = _flat(pc.unique(pa.chunked_array(unify_types(arrays))))
    miss = missing_mask(uniq)
    return uniq.filter(pa.array(~miss)) if miss.any() else uniq


def unify_types(arrays: List[pa.Array]) -> List[pa.Array]:
    """The arrays with one type: int64 for integers, float64 for numbers, else strings (nulls follow)."""
    types = {a.type for a in arrays if not pa.types.is_null(a.type)}
    if len(types) == 1:
        t = next(iter(types))
        return [a.cast(t) if a.type != t else a for a in arrays]
    if not types:
        return arrays
    if all(pa.types.is_integer(t) for t in types):
        return [a.cast(pa.int64()) for a in arrays]
    if all(pa.types.is_integer(t) or pa.types.is_floating(t) for t in types):
        return [a.cast(pa.float64()) for a in arrays]
    return [cast_ids(a, pa.string()) for a in arrays]


def _integral(values: pa.Array) -> pa.Array:
    """Boolean: a finite float that holds an integer int64 can represent."""
    ok = pc.and_(pc.equal(pc.floor(values), values), pc.less(pc.abs(values), 2.0 ** 63))
    return pc.fill_null(ok, False)


def _parse_ints(text: pa.Array) -> pa.Array:
    """int64 of each decimal integer string (``7.0`` too); null for anything else (or out of int64 range)."""
    text = pc.replace_substring_regex(text, _INT_POINT_ZERO, "")
    ok = pc.fill_null(pc.match_substring_regex(text, _INT_TEXT), False)
    picked = pc.if_else(ok, text, pa.scalar(None, pa.string()))
    try:
        return picked.cast(pa.int64())
    except pa.ArrowInvalid:  # an integer beyond int64: rare, so per value
        def one(v):
            return v if v is not None and -(1 << 63) <= v < (1 << 63) else None
        return pa.array([one(None if v is None else int(v)) for v in picked.to_pylist()], pa.int64())


def cast_ids(values: ArrowLike, target: pa.DataType) -> pa.Array:
    """``values`` as IDs of type ``target``, read the way text would be; null where impossible.

    Strings are trimmed. Integer targets take decimal strings (``"007"`` is 7) and integral
    floats; string targets take strings as they are and numbers as their shortest text
    (``7``, ``7.0`` -> ``"7"``); float targets take numbers and numeric strings.
    """
    values = _flat(values)
    t = values.type
    if pa.types.is_dictionary(t):
        values, t = values.cast(t.value_type), t.value_type
    if t == target:
        return values
    if pa.types.is_null(t):
        return pa.nulls(len(values), target)
    if _is_text(t):
        values = pc.utf8_trim_whitespace(values.cast(pa.string()))
    if _is_text(target):
        if pa.types.is_floating(t):  # 7.0 is the ID "7"
            whole = _integral(values)
            as_int = pc.if_else(whole, values, pa.scalar(None, t)).cast(pa.int64()).cast(pa.string())
            return pc.if_else(whole, as_int, values.cast(pa.string()))
        return values.cast(target)
    if pa.types.is_integer(target):
        if pa.types.is_unsigned_integer(t) and t.bit_width == 64:  # above int64: no node has that ID
            values = pc.if_else(pc.less_equal(values, pa.scalar(_INT64_MAX, t)), values, pa.scalar(None, t))
        if pa.types.is_integer(t):
            return values.cast(target)
        if pa.types.is_floating(t):
            return pc.if_else(_integral(values), values, pa.scalar(None, t)).cast(target)
        if _is_text(values.type):
            return _parse_ints(values).cast(target)
    if pa.types.is_floating(target):
        if pa.types.is_integer(t) or pa.types.is_floating(t):
            return values.cast(target)
        if _is_text(values.type):
            ok = pc.fill_null(pc.match_substring_regex(values, _FLOAT_TEXT), False)
            return pc.if_else(ok, values, pa.scalar(None, pa.string())).cast(target)
    try:
        return values.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise DataError(f"IDs of type {t} cannot be matched against node IDs of type {target}") from None


class NodeIdMap:
    """The original IDs of one node type, in nid order."""

    def __init__(self, ntype: str, ids: pa.Array):
        self.ntype = ntype
        missing = int(missing_mask(ids).sum())
        if missing:
            raise DataError(f"node type {ntype!r}: {missing} node IDs are missing (null or NaN)")
        if pa.types.is_null(ids.type):
            ids = ids.cast(pa.int64())
        if pa.types.is_integer(ids.type):
            ids = ids.cast(pa.int64())
        elif pa.types.is_large_string(ids.type) or pa.types.is_dictionary(ids.type):
            ids = ids.cast(pa.string())
        self.ids = ids

    @classmethod
    def from_column(cls, ntype: str, column: ArrowLike, where: str) -> "NodeIdMap":
        """IDs from a node file's ID column; duplicates are a DataError naming examples."""
        ids = _flat(column)
        uniq = pc.unique(ids)
        if len(uniq) != len(ids):
            counts = pc.value_counts(ids)
            dup = counts.filter(pc.greater(counts.field("counts"), 1)).field("values")
            raise DataError(f"{where}: {len(ids) - len(uniq)} duplicate node IDs for node type {ntype!r}, "
                            f"e.g. {dup[:5].to_pylist()}")
        return cls(ntype, ids)

    def __len__(self) -> int:
        return len(self.ids)

    def _coerce(self, values: pa.Array) -> pa.Array:
        try:
            return cast_ids(values, self.ids.type)
        except DataError as exc:
            raise DataError(f"node type {self.ntype!r}: {exc}") from None

    def lookup(self, values: ArrowLike) -> np.ndarray:
        """nid of every value (int64), -1 where the ID is unknown or missing."""
        values = _flat(values)
        idx = pc.index_in(self._coerce(values), value_set=self.ids)
        return idx.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)

    def extended(self, values: Sequence[ArrowLike]) -> "NodeIdMap":
        """A map with the unseen IDs among ``values`` appended in order of appearance."""
        if not len(self.ids):
            return NodeIdMap(self.ntype, unique_in_order(list(values)))
        new = unique_in_order([self._coerce(_flat(v)) for v in values])
        unseen = new.filter(pc.invert(pc.is_in(new, value_set=self.ids))) if len(self.ids) else new
        if not len(unseen):
            return self
        return NodeIdMap(self.ntype, pa.concat_arrays([self.ids, unseen.cast(self.ids.type)]))
