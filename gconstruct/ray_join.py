"""Edge endpoints -> nids on Ray workers, bucket by bucket.

The raw endpoint IDs are cast to the node type's ID type and hashed into the same
``NUM_BUCKETS`` buckets as the ID map (:func:`~.stream_partition.hash_ids`); so are the ID
map's ``(raw ID, nid)`` rows. ``groupby(bucket)`` brings each bucket's map rows and endpoints
to one worker, which joins them with one Arrow hash lookup: no task sees the whole ID map, and
no group-by on raw IDs (skewed IDs would make one group straggle; buckets stay even). The
driver scatters the ``(row, nid)`` results into the answer, ``-1`` where an ID is unknown or
missing, exactly :meth:`NodeIdMap.lookup`'s answer, so errors and ``--skip-nonexist-edges``
behave as in the local engine.
"""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphstorm_py.gconstruct.id_map import NodeIdMap, cast_ids, missing_mask
from graphstorm_py.gconstruct.stream_partition import hash_ids

__all__ = ["lookup_on_workers", "BLOCK_ROWS"]

BLOCK_ROWS = 1 << 20
_COLUMNS = ("id", "pos", "nid", "bucket")


def _buckets(ids: pa.Array, buckets: int) -> pa.Array:
    return pa.array((hash_ids(ids) % np.uint64(buckets)).astype(np.int32))


def _endpoint_rows(batch: pa.Table, id_type: pa.DataType, buckets: int) -> pa.Table:
    """Worker: endpoints as the map's ID type; missing or uncastable IDs stay out (they are -1)."""
    ids = cast_ids(batch.column("id"), id_type)
    keep = ~missing_mask(ids)
    ids, pos = ids.filter(pa.array(keep)), batch.column("pos").combine_chunks().filter(pa.array(keep))
    nid = pa.array(np.full(len(ids), -1, dtype=np.int64))
    return pa.table([ids, pos, nid, _buckets(ids, buckets)], names=list(_COLUMNS))


def _map_rows(batch: pa.Table, buckets: int) -> pa.Table:
    """Worker: the ID map's rows with their bucket (``pos`` -1 marks them as map rows)."""
    ids = batch.column("id").combine_chunks()
    pos = pa.array(np.full(len(ids), -1, dtype=np.int64))
    return pa.table([ids, pos, batch.column("nid").combine_chunks(), _buckets(ids, buckets)], names=list(_COLUMNS))


def _join_bucket(group: pa.Table) -> pa.Table:
    """Worker: one bucket's endpoints looked up in that bucket's map rows -> (pos, nid)."""
    is_map = pc.less(group.column("pos"), 0)
    m, e = group.filter(is_map), group.filter(pc.invert(is_map))
    idx = pc.index_in(e.column("id"), value_set=m.column("id").combine_chunks())
    nid = m.column("nid").combine_chunks().take(idx).fill_null(-1)
    return pa.table({"pos": e.column("pos"), "nid": nid})


def _blocks(values: pa.Array, name: str, second: pa.Array):
    return [pa.table({"id": values.slice(s, BLOCK_ROWS), name: second.slice(s, BLOCK_ROWS)})
            for s in range(0, len(values), BLOCK_ROWS)]


def lookup_on_workers(ray, idmap: NodeIdMap, values, buckets: int, bar=None) -> np.ndarray:
    """``idmap.lookup(values)`` with the join on Ray workers."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    n = len(values)
    if n == 0 or not len(idmap):
        return idmap.lookup(values)
    idmap.lookup(values.slice(0, 1))   # a type that cannot match raises the local engine's DataError here
    pos = pa.array(np.arange(n, dtype=np.int64))
    ends = ray.data.from_arrow(_blocks(values, "pos", pos)).map_batches(
        functools.partial(_endpoint_rows, id_type=idmap.ids.type, buckets=buckets),
        batch_format="pyarrow", batch_size=None)
    nid = pa.array(np.arange(len(idmap), dtype=np.int64))
    maps = ray.data.from_arrow(_blocks(idmap.ids, "nid", nid)).map_batches(
        functools.partial(_map_rows, buckets=buckets), batch_format="pyarrow", batch_size=None)
    joined = maps.union(ends).groupby("bucket").map_groups(_join_bucket, batch_format="pyarrow")
    out = np.full(n, -1, dtype=np.int64)
    for t in joined.iter_batches(batch_format="pyarrow", batch_size=None):
        if t.num_rows:
            out[t.column("pos").to_numpy()] = t.column("nid").to_numpy()
            if bar is not None:
                bar.update(t.num_rows)
    return out
