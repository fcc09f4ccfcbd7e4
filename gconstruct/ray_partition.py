"""Partitioning in the Ray engine: ``hash`` and ``ldg`` with their per-chunk work on workers.

- ``hash``: each chunk of raw IDs hashed by a task (:func:`~.stream_partition.hash_ids`, the
  local engine's function, elementwise, so chunking changes nothing).
- ``ldg``: :func:`~.stream_partition.ldg_partition` with its edge scans on workers. Each edge
  chunk is turned into streaming ranks once by a task (kept in the object store); every group
  of every pass sends the current assignment to one task per chunk, which returns the group's
  ``group x k`` neighbour counts; the driver sums them (integers: the local engine's sums) and
  places the group. No process holds an adjacency structure.
- ``random`` (a seeded permutation over the nodes, no edges), ``metis`` and ``kaminpar`` run on
  the driver, as in the local engine.

Training-node balancing after ``hash``/``ldg`` is the shared driver-side pass.
"""

from __future__ import annotations

import functools
from typing import Dict

import numpy as np
import pyarrow as pa

from graphstorm_py.gconstruct.partition import partition_nodes
from graphstorm_py.gconstruct.stream_partition import (EDGE_CHUNK, GROUPS, PASSES, _group_counts, hash_ids,
                                                        ldg_partition)
from graphstorm_py.progress import progress

__all__ = ["partition_on_workers"]

ID_CHUNK = 1 << 20


def _hash_chunk(ids, num_parts: int, seed: int) -> np.ndarray:
    return (hash_ids(ids, seed) % np.uint64(num_parts)).astype(np.int64)


def _rank_pairs(rank: np.ndarray, src: np.ndarray, off_s: int, dst: np.ndarray, off_d: int):
    return rank[src + off_s], rank[dst + off_d]


def _chunk_counts(parts: np.ndarray, pair, k: int, lo: int, hi: int) -> np.ndarray:
    return _group_counts(parts, [pair], k, lo, hi)


def _hash(ray, num_nodes, edges, num_parts, seed, train=None, skip=(), orig_ids=None) -> Dict[str, np.ndarray]:
    task = ray.remote(num_cpus=1)(_hash_chunk)
    out = {}
    for t in sorted(num_nodes):
        n = num_nodes[t]
        ids = orig_ids[t] if orig_ids and t in orig_ids else np.arange(n, dtype=np.int64)
        chunks = [ids.slice(s, ID_CHUNK) if isinstance(ids, pa.Array) else ids[s:s + ID_CHUNK]
                  for s in range(0, n, ID_CHUNK)]
        refs = [task.remote(c, num_parts, seed) for c in chunks]
        out[t] = np.concatenate(ray.get(refs)) if refs else np.empty(0, dtype=np.int64)
    return out


def _ldg_counter(ray, rank, edges, k):
    """The ``count(parts, lo, hi)`` of :func:`ldg_partition`, scanning edge chunks on workers."""
    ranks, counts = ray.remote(num_cpus=1)(_rank_pairs), ray.remote(num_cpus=1)(_chunk_counts)
    rank_ref = ray.put(rank)
    pairs = [ranks.remote(rank_ref, src[s:s + EDGE_CHUNK], off_s, dst[s:s + EDGE_CHUNK], off_d)
             for src, off_s, dst, off_d in edges for s in range(0, len(src), EDGE_CHUNK)]
    num_edges = sum(len(e[0]) for e in edges)
    bar = progress(total=num_edges * PASSES * GROUPS, desc="partition ldg (ray)", unit="edges", unit_scale=True)

    def count(parts, lo, hi):
        ref = ray.put(parts)
        total = np.zeros((hi - lo, k), dtype=np.int64)
        for c in ray.get([counts.remote(ref, p, k, lo, hi) for p in pairs]):
            total += c
        bar.update(num_edges)
        if bar.n >= bar.total:
            bar.close()
        return total

    return count


def partition_on_workers(ray, method, *args, **kwargs) -> Dict[str, np.ndarray]:
    """:func:`partition_nodes` with ``hash`` and ``ldg`` on Ray workers (others on the driver)."""
    runners = {
        "hash": functools.partial(_hash, ray),
        "ldg": functools.partial(ldg_partition, counter=functools.partial(_ldg_counter, ray)),
    }
    return partition_nodes(method, *args, partitioner=runners.get(method), **kwargs)
