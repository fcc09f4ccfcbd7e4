"""The undirected, homogenised graph as a compact CSR for multilevel partitioners.

All node types share one ID space (``offsets``: node type -> first global ID, types sorted).
The structure is built with one int64 key per directed half-edge, ``row << 32 | col``,
sorted in place; duplicates (an edge given twice, or an edge and its reverse) and self
loops drop out by compacting the keys in place, and the low words of the same buffer become
``indices`` (int64: pymetis's ``idx_t``, so METIS takes it without a copy). Peak memory is
the key array (16 bytes per input edge) and a 1-byte mask, against ~60 bytes per edge for a
scipy COO -> CSR -> ``A + A.T`` chain plus the int64 copies handed to pymetis.
"""

from __future__ import annotations

from typing import Dict, Mapping, Sequence, Tuple

import numpy as np

from graphstorm_py.typing import EdgeType

__all__ = ["global_offsets", "symmetric_csr"]

Edges = Mapping[EdgeType, Tuple[np.ndarray, np.ndarray]]
_CHUNK = 1 << 22


def global_offsets(num_nodes: Mapping[str, int]) -> Dict[str, int]:
    ntypes = sorted(num_nodes)
    starts = np.cumsum([0] + [int(num_nodes[t]) for t in ntypes])[:-1]
    return {t: int(s) for t, s in zip(ntypes, starts)}


def _fill(key: np.ndarray, at: int, rows: np.ndarray, r_off: int, cols: np.ndarray, c_off: int) -> int:
    """Write ``(rows + r_off) << 32 | (cols + c_off)`` into ``key[at:]`` chunk by chunk."""
    n = len(rows)
    for s in range(0, n, _CHUNK):
        e = min(n, s + _CHUNK)
        out = key[at + s:at + e]
        np.add(rows[s:e], r_off, out=out, dtype=np.int64)
        np.left_shift(out, 32, out=out)
        out |= np.asarray(cols[s:e], dtype=np.int64) + c_off
    return at + n


def symmetric_csr(num_nodes: Mapping[str, int], edges: Edges,
                  skip: Sequence[EdgeType] = ()) -> Tuple[np.ndarray, np.ndarray, int]:
    """Return ``(indptr int64, indices int64, total_nodes)``; ``skip`` lists edge types to leave out
    (reverse edge types, whose edges are already there once symmetrised)."""
    offsets = global_offsets(num_nodes)
    total = int(sum(int(v) for v in num_nodes.values()))
    if total >= 2 ** 31 - 1:
        raise ValueError(f"{total} nodes do not fit the 32-bit halves of the partitioner's edge keys")
    use = [(et, s, d) for et, (s, d) in edges.items() if et not in set(skip)]
    m = sum(len(s) for _, s, _ in use)
    key = np.empty(2 * m, dtype=np.int64)
    at = 0
    for et, s, d in use:
        at = _fill(key, at, s, offsets[et[0]], d, offsets[et[2]])
        at = _fill(key, at, d, offsets[et[2]], s, offsets[et[0]])
    key.sort()
    keep = np.empty(len(key), dtype=bool)
    if len(key):
        keep[0] = True
        np.not_equal(key[1:], key[:-1], out=keep[1:])
    w = 0
    for s in range(0, len(key), _CHUNK):   # compact in place: kept entries never move right
        chunk = key[s:s + _CHUNK]
        sel = chunk[keep[s:s + _CHUNK] & ((chunk >> 32) != (chunk & 0xFFFFFFFF))]   # no self loops
        key[w:w + len(sel)] = sel
        w += len(sel)
    del keep
    key = key[:w]
    indptr = np.searchsorted(key, np.arange(total + 1, dtype=np.int64) << 32)
    key &= 0xFFFFFFFF
    indices = key
    return indptr, indices, total
