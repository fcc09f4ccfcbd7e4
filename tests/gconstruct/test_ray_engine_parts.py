"""The Ray engine's per-task functions run in this process (no Ray): bucket join = NodeIdMap.lookup,
LDG with chunked edge scans = LDG."""

import functools

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.gconstruct.id_map import NodeIdMap
from graphstorm_py.gconstruct.ray_join import _endpoint_rows, _join_bucket, _map_rows, _reduce, _split
from graphstorm_py.gconstruct.ray_partition import _chunk_counts, _rank_pairs
from graphstorm_py.gconstruct.stream_partition import ldg_partition

BUCKETS = 8


def _bucket_lookup(idmap, values):
    """What lookup_on_workers does, its tasks called directly; blocks of 5 rows."""
    n = len(values)
    maps = [pa.table({"id": idmap.ids.slice(s, 5), "nid": pa.array(np.arange(s, min(s + 5, len(idmap))))})
            for s in range(0, len(idmap), 5)]
    ends = [pa.table({"id": values.slice(s, 5), "pos": pa.array(np.arange(s, min(s + 5, n)))})
            for s in range(0, n, 5)]
    pieces = [_split(b, functools.partial(_map_rows, buckets=BUCKETS), BUCKETS) for b in maps]
    pieces += [_split(b, functools.partial(_endpoint_rows, id_type=idmap.ids.type, buckets=BUCKETS), BUCKETS)
               for b in ends]
    out = np.full(n, -1, dtype=np.int64)
    for j in range(BUCKETS):
        t = _reduce(_join_bucket, *[p[j] for p in pieces])
        out[t.column("pos").to_numpy()] = t.column("nid").to_numpy()
    return out


@pytest.mark.parametrize("ids,values", [
    (["a", "b", "c", "d", "e", "f", "g"], ["g", None, "a", "zz", "c", "c", " b", "f", "e", "x", "d"]),
    ([7, 3, 100, 12, 5, 9], ["007", "3", None, "A17", "12.0", "100", "5", "9", "-1", "8"]),
    ([7, 3, 100, 12, 5, 9], [7.0, np.nan, 3.5, 100.0, 12.0, 9.0]),
])
def test_bucket_join_is_lookup(ids, values):
    idmap = NodeIdMap("n", pa.array(ids))
    vals = pa.array(values)
    np.testing.assert_array_equal(_bucket_lookup(idmap, vals), idmap.lookup(vals))


def test_ldg_with_chunked_counts_is_ldg(monkeypatch):
    import graphstorm_py.gconstruct.stream_partition as sp

    rng = np.random.default_rng(0)
    num_nodes = {"a": 300, "b": 200}
    edges = {("a", "r", "b"): (rng.integers(0, 300, 3000), rng.integers(0, 200, 3000)),
             ("b", "s", "b"): (rng.integers(0, 200, 1000), rng.integers(0, 200, 1000))}
    want = ldg_partition(num_nodes, edges, 4, seed=3)
    monkeypatch.setattr(sp, "EDGE_CHUNK", 700)

    def counter(rank, chunks, k):   # the Ray engine's counter, its tasks called in this process
        pairs = [_rank_pairs(rank, s[i:i + 700], os_, d[i:i + 700], od) for s, os_, d, od in chunks
                 for i in range(0, len(s), 700)]
        return lambda parts, lo, hi: sum(_chunk_counts(parts, p, k, lo, hi) for p in pairs)

    got = ldg_partition(num_nodes, edges, 4, seed=3, counter=counter)
    for t in num_nodes:
        np.testing.assert_array_equal(got[t], want[t])
