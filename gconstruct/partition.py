"""Assign nodes to partitions: ``random``, ``metis`` (pymetis), ``kaminpar`` (when installed), and
``hash`` / ``ldg`` from :mod:`.stream_partition`.

A partitioner returns, per node type, an int64 array giving each node's partition. Empty
partitions are allowed (a tiny graph cut into many parts), unlike GraphStorm's METIS path.
Training nodes are balanced across partitions as GraphStorm does: ``random`` deals them
round-robin before the other nodes; after the other methods, :func:`balance_train` swaps
training nodes against other nodes (those whose move cuts fewest edges) until each part holds
``1/k`` of both (pymetis takes one weight per node, so GraphStorm's multi-constraint weights
are not available).

The multilevel methods see the undirected, homogenised graph (:mod:`.sym_csr`), without the
reverse edge types (they add nothing once the graph is symmetrised). ``metis`` bisects
recursively up to 8 parts (pymetis's choice; k-way above), ``kaminpar`` is KaMinPar's default
preset, ``kaminpar-eco`` its slower preset with FM refinement. On the benchmark's uniformly
random 1M/10M graph at 2 parts they cut 35.1% (METIS recursive; METIS k-way, GraphStorm's
call, 36.3%), 36.3% and 35.1% of the edges: a random graph of that degree has no much
smaller bisection. pymetis's METIS has 64-bit indices (``idx_t``; no option to change) and
keeps every coarsening level, whose edge counts shrink slowly on a graph without structure:
it took ~120 bytes per adjacency entry there (+2.4 GB); KaMinPar, on its compressed graph,
a fraction of that.
"""

from __future__ import annotations

import functools
import logging
from typing import Dict, Mapping, Optional, Sequence, Tuple

import numpy as np

from graphstorm_py.gconstruct.sym_csr import global_offsets, symmetric_csr
from graphstorm_py.registry import Registry
from graphstorm_py.typing import EdgeType

__all__ = ["PARTITIONERS", "partition_nodes", "edge_cut", "partition_stats"]

log = logging.getLogger(__name__)
PARTITIONERS: Registry = Registry("partition method")

Edges = Mapping[EdgeType, Tuple[np.ndarray, np.ndarray]]
Masks = Optional[Mapping[str, np.ndarray]]


@PARTITIONERS.register("random")
def random_partition(num_nodes: Mapping[str, int], edges: Edges, num_parts: int, seed: int,
                     train: Masks = None, skip: Sequence[EdgeType] = (), orig_ids=None) -> Dict[str, np.ndarray]:
    """Balanced random assignment: a seeded permutation dealt round-robin (training nodes first)."""
    rng = np.random.default_rng(seed)
    out = {}
    for ntype in sorted(num_nodes):
        n = num_nodes[ntype]
        mask = (train or {}).get(ntype)
        parts = np.empty(n, dtype=np.int64)
        if mask is None or not mask.any():
            parts[rng.permutation(n)] = np.arange(n, dtype=np.int64) % num_parts
        else:
            first = np.flatnonzero(mask)
            rest = np.flatnonzero(~mask)
            parts[first[rng.permutation(len(first))]] = np.arange(len(first), dtype=np.int64) % num_parts
            parts[rest[rng.permutation(len(rest))]] = np.arange(len(first), n, dtype=np.int64) % num_parts
        out[ntype] = parts
    return out


def _global_train(num_nodes: Mapping[str, int], train: Masks) -> Optional[np.ndarray]:
    """The training mask over the global (type-offset) ID space, or None without training nodes."""
    if not train or not any(m.any() for m in train.values()):
        return None
    offsets = global_offsets(num_nodes)
    out = np.zeros(int(sum(num_nodes.values())), dtype=bool)
    for ntype, mask in train.items():
        out[offsets[ntype]:offsets[ntype] + num_nodes[ntype]] = mask
    return out


def balance_train(parts: np.ndarray, train: np.ndarray, k: int, seed: int,
                  nb: Optional[np.ndarray] = None) -> np.ndarray:
    """Even out training nodes across parts by swaps: a part with too many sends training nodes
    to a part with too few and takes back as many other nodes, so node counts do not change.

    pymetis has no multi-constraint weights (one weight per node), so METIS balances nodes and
    this pass the training nodes, at the price of a slightly larger cut. ``nb``: each node's
    neighbours per part (``[n, k]``, :func:`neighbour_parts`); with it the swapped nodes are
    those whose move cuts fewest edges (a training node with most neighbours in its new part),
    without it random ones.
    """
    rng = np.random.default_rng(seed)
    have = np.bincount(parts[train], minlength=k)
    target = np.full(k, int(have.sum()) // k)
    target[np.argsort(-have, kind="stable")[: int(have.sum()) % k]] += 1   # the remainder where they are
    surplus = have - target
    out = parts.copy()
    donors = [p for p in range(k) if surplus[p] > 0]
    takers = [p for p in range(k) if surplus[p] < 0]
    for d in donors:
        for t in takers:
            n = int(min(surplus[d], -surplus[t]))
            if n <= 0:
                continue
            back = _pick(np.flatnonzero((out == t) & ~train), n, nb, t, d, rng)
            give = _pick(np.flatnonzero((out == d) & train), len(back), nb, d, t, rng)
            out[give] = t
            out[back] = d
            surplus[d] -= len(back)
            surplus[t] += len(back)
            if surplus[d] == 0:
                break
    return out


def _pick(idx: np.ndarray, n: int, nb: Optional[np.ndarray], frm: int, to: int, rng) -> np.ndarray:
    """``n`` of the nodes ``idx`` (in part ``frm``) to move to part ``to``: best gain first, ties random."""
    idx = rng.permutation(idx)
    if nb is None:
        return idx[:n]
    gain = nb[idx, to].astype(np.int64) - nb[idx, frm]
    return idx[np.argsort(-gain, kind="stable")[:n]]


_NB_TABLE_MAX = 1 << 28   # entries of the [n, k] neighbour table (int32: 1 GiB); above it swaps are random


def neighbour_parts(flat: np.ndarray, k: int, edges: Edges, offsets: Mapping[str, int],
                    skip: Sequence[EdgeType] = ()) -> Optional[np.ndarray]:
    """Each node's neighbours in each part, ``[n, k]`` int32 over the global IDs (edges both ways,
    ``skip`` types left out); None when the table would be larger than ``_NB_TABLE_MAX``."""
    n = len(flat)
    if n * k > _NB_TABLE_MAX:
        return None
    counts = np.zeros(n * k, dtype=np.int32)
    step = 1 << 22
    for et, (src, dst) in edges.items():
        if et in set(skip):
            continue
        for s in range(0, len(src), step):
            u = np.asarray(src[s:s + step], dtype=np.int64) + offsets[et[0]]
            v = np.asarray(dst[s:s + step], dtype=np.int64) + offsets[et[2]]
            for a, b in ((u, v), (v, u)):
                np.add(counts, np.bincount(a * k + flat[b], minlength=n * k), out=counts, casting="unsafe")
    return counts.reshape(n, k)


def _multilevel(name: str, run):
    def partition(num_nodes, edges, num_parts, seed, train=None, skip=(), orig_ids=None):
        indptr, indices, total = symmetric_csr(num_nodes, edges, skip)
        if total == 0 or len(indices) == 0:
            log.warning("graph has no edges between distinct nodes; %s falls back to random partitioning", name)
            return random_partition(num_nodes, edges, num_parts, seed, train)
        graph = {"indptr": indptr, "indices": indices}
        del indptr, indices   # ``run`` may drop them once handed over
        membership = np.asarray(run(graph, num_parts, seed), dtype=np.int64)
        offsets = global_offsets(num_nodes)
        return {t: membership[offsets[t]:offsets[t] + num_nodes[t]] for t in sorted(num_nodes)}
    partition.__doc__ = f"{name} k-way on the undirected, homogenised graph (all node and edge types together)."
    return partition


def _run_metis(graph, num_parts, seed):
    import pymetis

    opts = pymetis.Options(seed=seed)
    adjacency = pymetis.CSRAdjacency(graph.pop("indptr"), graph.pop("indices"))   # int64 = idx_t: no copy
    _, membership = pymetis.part_graph(num_parts, adjacency, options=opts)
    return membership


def _run_kaminpar(graph, num_parts, seed, preset: str = "default"):
    """KaMinPar's Python API loads graphs from files only: the CSR goes through a ParHIP binary file."""
    import os
    import tempfile

    import kaminpar

    indptr, indices = graph.pop("indptr"), graph.pop("indices")
    n, m = len(indptr) - 1, len(indices)
    fd, path = tempfile.mkstemp(suffix=".parhip")
    try:
        with os.fdopen(fd, "wb") as fh:   # version 3: no node or edge weights; offsets are byte positions
            np.array([3, n, m], dtype=np.uint64).tofile(fh)
            ((indptr + (4 + n)) * 8).astype(np.uint64).tofile(fh)
            indices.tofile(fh)
        del indptr, indices
        kgraph = kaminpar.load_graph(path, kaminpar.GraphFileFormat.PARHIP, compress=True)
    finally:
        os.remove(path)
    kaminpar.reseed(seed)
    return kaminpar.KaMinPar(1, kaminpar.context_by_name(preset)).compute_partition(kgraph, num_parts, 0.03)


PARTITIONERS.register("metis")(_multilevel("METIS", _run_metis))
PARTITIONERS.register("kaminpar")(_multilevel("KaMinPar", _run_kaminpar))
PARTITIONERS.register("kaminpar-eco")(_multilevel("KaMinPar (eco)", functools.partial(_run_kaminpar, preset="eco")))


def partition_nodes(method: str, num_nodes: Mapping[str, int], edges: Edges, num_parts: int,
                    seed: int = 0, train: Masks = None, skip: Sequence[EdgeType] = (),
                    orig_ids: Optional[Mapping[str, object]] = None, partitioner=None) -> Dict[str, np.ndarray]:
    """``orig_ids``: per node type, the raw IDs (``hash`` partitions by them); ``partitioner``: a
    function to run instead of the registered one (an engine's own, e.g. on Ray workers)."""
    if num_parts == 1:
        return {t: np.zeros(n, dtype=np.int64) for t, n in num_nodes.items()}
    run = partitioner or PARTITIONERS.get(method, key="--part-method")
    parts = run(num_nodes, edges, num_parts, seed, train, skip, orig_ids=orig_ids)
    mask = _global_train(num_nodes, train) if method != "random" else None
    if mask is None:
        return parts
    offsets = global_offsets(num_nodes)
    flat = np.empty(len(mask), dtype=np.int64)
    for t, p in parts.items():
        flat[offsets[t]:offsets[t] + num_nodes[t]] = p
    flat = balance_train(flat, mask, num_parts, seed, neighbour_parts(flat, num_parts, edges, offsets, skip))
    return {t: flat[offsets[t]:offsets[t] + num_nodes[t]] for t in sorted(num_nodes)}


def edge_cut(parts: Mapping[str, np.ndarray], edges: Edges, skip: Sequence[EdgeType] = ()) -> Tuple[int, int]:
    """(edges whose endpoints lie in different partitions, all edges), reverse types left out."""
    cut = total = 0
    step = 1 << 22
    for et, (src, dst) in edges.items():
        if et in set(skip):
            continue
        ps, pd = parts[et[0]], parts[et[2]]
        for s in range(0, len(src), step):
            cut += int(np.count_nonzero(ps[src[s:s + step]] != pd[dst[s:s + step]]))
        total += len(src)
    return cut, total


def partition_stats(method: str, parts: Mapping[str, np.ndarray], num_parts: int, edges: Edges,
                    train: Masks = None, skip: Sequence[EdgeType] = ()) -> dict:
    """What metadata.json records about the partitioning: edge cut and per-partition counts."""
    cut, total = edge_cut(parts, edges, skip)
    stats = {"method": method if num_parts > 1 else "none", "edge_cut": cut, "num_edges": total,
             "edge_cut_ratio": round(cut / total, 6) if total else 0.0,
             "nodes_per_part": {t: np.bincount(p, minlength=num_parts).tolist() for t, p in sorted(parts.items())}}
    if train:
        stats["train_nodes_per_part"] = {
            t: np.bincount(parts[t][m.astype(bool)], minlength=num_parts).tolist() for t, m in sorted(train.items())}
    return stats


from graphstorm_py.gconstruct import stream_partition  # noqa: E402,F401  (registers hash and ldg)
