"""Partitioners that never hold the whole graph's structure: ``hash`` and restreaming ``ldg``.

``hash``: a node's partition is a hash of its raw ID modulo the number of parts, so any worker
can place any node (or edge) without seeing the rest of the graph.

``ldg``: restreaming Linear Deterministic Greedy (Stanton & Kliot 2012; Nishimura & Ugander
2013) over edge chunks. Nodes (all types in one ID space, in a seeded random order) are
placed in ``GROUPS`` groups; for each group one scan of the edges counts its nodes'
neighbours in each part (a ``group x k`` table: no adjacency is ever built), then the group's
nodes are streamed in chunks into the part with the highest ``neighbours * (1 - size /
capacity)``, sizes growing as chunks are placed; capacity is ``(1 + slack) * n / k``. The
first pass counts only nodes already placed (plain LDG), later passes re-place each group
against everyone's latest part. Reverse edge types are left out (they repeat their forward
edges).
"""

from __future__ import annotations

import functools
from typing import Dict, Mapping, Sequence

import numpy as np
import pyarrow as pa

from graphstorm_py.gconstruct.partition import PARTITIONERS, random_partition
from graphstorm_py.gconstruct.sym_csr import global_offsets

__all__ = ["hash_ids", "hash_partition", "ldg_partition"]

EDGE_CHUNK = 1 << 22
NODE_CHUNKS = 256
PASSES = 3
GROUPS = 8
SLACK = 0.03


def hash_ids(ids, seed: int = 0) -> np.ndarray:
    """A stable uint64 hash of raw IDs (numbers or strings), the same in every process."""
    from pandas.util import hash_array

    arr = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    values = arr.to_numpy(zero_copy_only=False) if isinstance(arr, (pa.Array,)) else np.asarray(arr)
    if values.dtype.kind == "O" or values.dtype.kind in "US":
        values = values.astype(object)
    return hash_array(values, hash_key=f"gs-construct{seed:05d}"[:16].ljust(16, "0"))


def _orig_ids(ntype: str, n: int, orig_ids) -> object:
    return orig_ids[ntype] if orig_ids and ntype in orig_ids else np.arange(n, dtype=np.int64)


@PARTITIONERS.register("hash")
def hash_partition(num_nodes, edges, num_parts, seed, train=None, skip=(), orig_ids=None) -> Dict[str, np.ndarray]:
    """Partition = hash(raw ID) mod k (node index when the raw IDs are not given)."""
    return {t: (hash_ids(_orig_ids(t, num_nodes[t], orig_ids), seed) % np.uint64(num_parts)).astype(np.int64)
            for t in sorted(num_nodes)}


def _group_counts(parts: np.ndarray, edges, k: int, lo: int, hi: int) -> np.ndarray:
    """For nodes ``lo..hi``, their neighbours in each part (unplaced neighbours, -1, not counted);
    ``edges``: (src, dst) pairs in the one global ID space."""
    counts = np.zeros((hi - lo, k), dtype=np.int64)
    for src, dst in edges:
        for s in range(0, len(src), EDGE_CHUNK):
            u, v = src[s:s + EDGE_CHUNK], dst[s:s + EDGE_CHUNK]
            for a, b in ((u, v), (v, u)):
                sel = (a >= lo) & (a < hi)
                pb = parts[b[sel]]
                ok = pb >= 0
                if ok.any():
                    key = (a[sel][ok] - lo) * k + pb[ok]
                    counts += np.bincount(key, minlength=(hi - lo) * k).reshape(hi - lo, k)
    return counts


def _place(parts: np.ndarray, counts: np.ndarray, lo: int, k: int, cap: float, rng) -> None:
    """Stream nodes ``lo..lo+len(counts)`` in chunks into the part maximising neighbours x room."""
    sizes = np.bincount(parts[parts >= 0], minlength=k).astype(np.float64)
    n = len(counts)
    step = max(1, -(-n // NODE_CHUNKS))
    for s in range(0, n, step):
        c = counts[s:s + step].astype(np.float64)
        room = np.clip(1.0 - sizes / cap, 0.0, None)
        # neighbours weighted by room; no placed neighbours: the emptiest part (random among equals)
        score = (c + 1e-3) * room + 1e-9 * rng.random(c.shape)
        score[:, room <= 0] = -np.inf
        choice = score.argmax(axis=1)
        parts[lo + s:lo + s + len(choice)] = choice
        sizes += np.bincount(choice, minlength=k)


@PARTITIONERS.register("ldg")
def ldg_partition(num_nodes: Mapping[str, int], edges, num_parts: int, seed: int, train=None,
                  skip: Sequence = (), orig_ids=None, counter=None) -> Dict[str, np.ndarray]:
    """LDG in ``GROUPS`` node groups per pass (each group one scan of the edges), ``PASSES`` passes.

    ``counter(rank, edges, k)``, when given, returns the ``count(parts, lo, hi)`` function that
    scans the edges (``edges``: ``(src, src type offset, dst, dst type offset)`` per edge type;
    node ``g`` of the global ID space streams at ``rank[g]``) instead of this process: the Ray
    engine runs it on workers, chunk by chunk."""
    offsets = global_offsets(num_nodes)
    total = int(sum(num_nodes.values()))
    skip = set(skip)
    if not any(len(s) for et, (s, _) in edges.items() if et not in skip):
        return random_partition(num_nodes, edges, num_parts, seed, train)
    rng = np.random.default_rng(seed)
    order = rng.permutation(total)           # stream nodes in a random order: types interleave
    rank = np.empty(total, dtype=np.int64)
    rank[order] = np.arange(total)
    del order
    if counter is None:
        pairs = [(rank[np.asarray(s) + offsets[et[0]]], rank[np.asarray(d) + offsets[et[2]]])
                 for et, (s, d) in edges.items() if et not in skip]
        count = functools.partial(_group_counts, edges=pairs, k=num_parts)
    else:
        count = counter(rank, [(np.asarray(s), offsets[et[0]], np.asarray(d), offsets[et[2]])
                               for et, (s, d) in edges.items() if et not in skip], num_parts)
    parts = np.full(total, -1, dtype=np.int64)   # first pass: true LDG, only placed nodes count
    cap = (1.0 + SLACK) * total / num_parts
    bounds = np.linspace(0, total, GROUPS + 1).astype(np.int64)
    for _ in range(PASSES):
        for g in range(GROUPS):
            lo, hi = int(bounds[g]), int(bounds[g + 1])
            counts = count(parts, lo=lo, hi=hi)
            parts[lo:hi] = -1
            _place(parts, counts, lo, num_parts, cap, rng)
    out = parts[rank]
    return {t: out[offsets[t]:offsets[t] + num_nodes[t]].copy() for t in sorted(num_nodes)}
