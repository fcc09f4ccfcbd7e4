"""Assign nodes to partitions: ``random`` or ``metis`` (pymetis on the homogenised graph).

A partitioner returns, per node type, an int64 array giving each node's partition. Empty
partitions are allowed (a tiny graph cut into many parts), unlike GraphStorm's METIS path.
"""

from __future__ import annotations

import logging
from typing import Dict, Mapping, Tuple

import numpy as np

from graphstorm_py.registry import Registry
from graphstorm_py.typing import EdgeType

__all__ = ["PARTITIONERS", "partition_nodes"]

log = logging.getLogger(__name__)
PARTITIONERS: Registry = Registry("partition method")

Edges = Mapping[EdgeType, Tuple[np.ndarray, np.ndarray]]


@PARTITIONERS.register("random")
def random_partition(num_nodes: Mapping[str, int], edges: Edges, num_parts: int, seed: int) -> Dict[str, np.ndarray]:
    """Balanced random assignment: a seeded permutation dealt round-robin."""
    rng = np.random.default_rng(seed)
    out = {}
    for ntype in sorted(num_nodes):
        n = num_nodes[ntype]
        parts = np.empty(n, dtype=np.int64)
        parts[rng.permutation(n)] = np.arange(n, dtype=np.int64) % num_parts
        out[ntype] = parts
    return out


@PARTITIONERS.register("metis")
def metis_partition(num_nodes: Mapping[str, int], edges: Edges, num_parts: int, seed: int) -> Dict[str, np.ndarray]:
    """METIS k-way on the undirected, homogenised graph (all node and edge types together)."""
    import pymetis
    import scipy.sparse as sp

    ntypes = sorted(num_nodes)
    offsets = dict(zip(ntypes, np.cumsum([0] + [num_nodes[t] for t in ntypes])[:-1]))
    total = int(sum(num_nodes.values()))
    rows = [np.asarray(s, np.int64) + offsets[et[0]] for et, (s, d) in edges.items()]
    cols = [np.asarray(d, np.int64) + offsets[et[2]] for et, (s, d) in edges.items()]
    r = np.concatenate(rows) if rows else np.empty(0, np.int64)
    c = np.concatenate(cols) if cols else np.empty(0, np.int64)
    keep = r != c
    if total == 0 or not keep.any():
        log.warning("graph has no edges between distinct nodes; METIS falls back to random partitioning")
        return random_partition(num_nodes, edges, num_parts, seed)
    data = np.ones(int(keep.sum()), dtype=np.int8)
    adj = sp.coo_matrix((data, (r[keep], c[keep])), shape=(total, total)).tocsr()
    adj = (adj + adj.T).tocsr()
    adj.sort_indices()
    opts = pymetis.Options(seed=seed)
    csr = pymetis.CSRAdjacency(adj.indptr.astype(np.int64), adj.indices.astype(np.int64))
    _, membership = pymetis.part_graph(num_parts, csr, options=opts)
    membership = np.asarray(membership, dtype=np.int64)
    return {t: membership[offsets[t]:offsets[t] + num_nodes[t]] for t in ntypes}


def partition_nodes(method: str, num_nodes: Mapping[str, int], edges: Edges, num_parts: int,
                    seed: int = 0) -> Dict[str, np.ndarray]:
    if num_parts == 1:
        return {t: np.zeros(n, dtype=np.int64) for t, n in num_nodes.items()}
    return PARTITIONERS.get(method, key="--part-method")(num_nodes, edges, num_parts, seed)
