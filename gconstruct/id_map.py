"""Original node IDs -> nids, vectorised with Arrow hash joins.

A node type's nids are positions in its ID array: ``ids[nid]`` is the user's ID. Lookups use
``pyarrow.compute.index_in`` (one hash table per call), so callers pass whole columns
(``ChunkedArray``) rather than looping over batches or rows.
"""

from __future__ import annotations

from typing import List, Sequence, Union

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphstorm_py.errors import DataError

__all__ = ["NodeIdMap", "unique_in_order"]

ArrowLike = Union[pa.Array, pa.ChunkedArray]


def _flat(values: ArrowLike) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values


def unique_in_order(chunks: Sequence[ArrowLike]) -> pa.Array:
    """Distinct values of all chunks, in order of first appearance."""
    if not chunks:
        return pa.array([], pa.int64())
    arrays = []
    for c in chunks:
        arrays.extend(c.chunks if isinstance(c, pa.ChunkedArray) else [c])
    return _flat(pc.unique(pa.chunked_array(_unify(arrays))))


def _unify(arrays: List[pa.Array]) -> List[pa.Array]:
    types = {a.type for a in arrays}
    if len(types) <= 1:
        return arrays
    if all(pa.types.is_integer(t) for t in types):
        return [a.cast(pa.int64()) for a in arrays]
    return [a.cast(pa.string()) for a in arrays]


class NodeIdMap:
    """The original IDs of one node type, in nid order."""

    def __init__(self, ntype: str, ids: pa.Array):
        self.ntype = ntype
        if ids.null_count:
            raise DataError(f"node type {ntype!r}: {ids.null_count} node IDs are null")
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
        if values.type == self.ids.type:
            return values
        if pa.types.is_integer(values.type) and pa.types.is_integer(self.ids.type):
            return values.cast(pa.int64())
        if pa.types.is_string(self.ids.type):
            return values.cast(pa.string())
        try:
            return values.cast(self.ids.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise DataError(f"node type {self.ntype!r}: IDs of type {values.type} cannot be matched "
                            f"against node IDs of type {self.ids.type}") from None

    def lookup(self, values: ArrowLike) -> np.ndarray:
        """nid of every value (int64), -1 where the ID is unknown."""
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
