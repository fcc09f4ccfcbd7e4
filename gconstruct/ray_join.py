"""Edge endpoints -> nids on Ray workers, bucket by bucket.

The raw endpoint IDs are cast to the node type's ID type and hashed into the same
``NUM_BUCKETS`` buckets as the ID map (:func:`~.stream_partition.hash_ids`); so are the ID
map's ``(raw ID, nid)`` rows. :func:`bucket_shuffle` brings each bucket's map rows and
endpoints to one task, which joins them with one Arrow hash lookup: no task sees the whole ID
map, and no group-by on raw IDs (skewed IDs would make one group straggle; buckets stay even).
The shuffle is plain Ray tasks (one split task per block returning one table per bucket, one
task per bucket): Ray Data's ``groupby`` starts aggregator actors and took 12-20 s even on a
few thousand rows. The
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

__all__ = ["lookup_on_workers", "bucket_shuffle", "BLOCK_ROWS"]

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


def _split(block: pa.Table, prep, buckets: int):
    """Split task: ``prep(block)`` (which adds ``bucket``) cut into one table per bucket."""
    t = prep(block)
    b = t.column("bucket").to_numpy()
    order = np.argsort(b, kind="stable")
    t = t.take(pa.array(order))
    cuts = np.searchsorted(b[order], np.arange(buckets + 1))
    return tuple(t.slice(int(cuts[j]), int(cuts[j + 1] - cuts[j])) for j in range(buckets))


def _reduce(fn, *tables: pa.Table) -> pa.Table:
    return fn(pa.concat_tables(tables))


def bucket_shuffle(ray, inputs, buckets: int):
    """``inputs``: ``(blocks, prep)`` pairs; yields ``reduce(bucket's rows)`` per bucket, as
    ``fn`` given to the returned function; a block's rows go to the bucket ``prep`` gives them."""
    split = ray.remote(num_cpus=1)(_split).options(num_returns=buckets)
    pieces = [split.remote(block, prep, buckets) for blocks, prep in inputs for block in blocks]

    def run(fn):
        reduce = ray.remote(num_cpus=1)(_reduce)
        refs = [reduce.remote(fn, *[p[j] for p in pieces]) for j in range(buckets)]
        while refs:
            done, refs = ray.wait(refs, num_returns=1)
            yield ray.get(done[0])
    return run


def lookup_on_workers(ray, idmap: NodeIdMap, values, buckets: int, bar=None) -> np.ndarray:
    """``idmap.lookup(values)`` with the join on Ray workers."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    n = len(values)
    if n == 0 or not len(idmap):
        return idmap.lookup(values)
    idmap.lookup(values.slice(0, 1))   # a type that cannot match raises the local engine's DataError here
    pos = pa.array(np.arange(n, dtype=np.int64))
    nid = pa.array(np.arange(len(idmap), dtype=np.int64))
    run = bucket_shuffle(ray, [
        (_blocks(idmap.ids, "nid", nid), functools.partial(_map_rows, buckets=buckets)),
        (_blocks(values, "pos", pos), functools.partial(_endpoint_rows, id_type=idmap.ids.type, buckets=buckets)),
    ], buckets)
    out = np.full(n, -1, dtype=np.int64)
    for t in run(_join_bucket):
        if t.num_rows:
            out[t.column("pos").to_numpy()] = t.column("nid").to_numpy()
            if bar is not None:
                bar.update(t.num_rows)
    return out
