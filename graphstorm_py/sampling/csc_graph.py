"""The graph structure the sampler reads: one whole-graph CSC per edge type, as torch tensors.

For an edge type ``(src, rel, dst)``:

- ``indptr``: int64 ``[num_nodes(dst) + 1]``; the in-edges of destination nid ``v`` sit at
  positions ``indptr[v]:indptr[v + 1]``.
- ``indices``: int64 ``[num_edges]``; ``indices[j]`` is the global source nid of edge ``j``.
- The position ``j`` *is* the global edge id (format v1 numbers eids in CSC order).

The tensors may live on any device; the sampler runs where they are. Built from a dataset,
the arrays are wrapped without a copy when they are already int64 (memory-mapped pages
are read on demand by the OS).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Dict, List, Mapping, Tuple

import numpy as np
import torch

from graphstorm_py.typing import EdgeType

__all__ = ["CSCGraph", "CSCTypes"]


def _as_long(x, device=None) -> torch.Tensor:
    """An int64 tensor on ``device``; numpy int64 arrays (even read-only memmaps) are not copied."""
    if isinstance(x, torch.Tensor):
        t = x
    else:
        arr = np.asarray(x)
        if arr.dtype != np.int64:
            arr = arr.astype(np.int64)
        with warnings.catch_warnings():  # read-only memmap: we never write to it
            warnings.simplefilter("ignore", UserWarning)
            t = torch.from_numpy(arr)
    return t.to(device=device, dtype=torch.long)


class CSCTypes:
    """The type lists and device of anything with ``csc`` ({etype: (indptr, indices)}) and ``num_nodes``."""

    csc: Dict[EdgeType, Tuple[torch.Tensor, torch.Tensor]]
    num_nodes: Dict[str, int]

    @property
    def etypes(self) -> List[EdgeType]:
        return list(self.csc)

    @property
    def ntypes(self) -> List[str]:
        return list(self.num_nodes)

    @property
    def device(self) -> torch.device:
        for indptr, _ in self.csc.values():
            return indptr.device
        return torch.device("cpu")


@dataclass(frozen=True)
class CSCGraph(CSCTypes):
    """Per edge type ``(indptr, indices)`` plus the node count of every node type."""

    csc: Dict[EdgeType, Tuple[torch.Tensor, torch.Tensor]]
    num_nodes: Dict[str, int]

    def __post_init__(self):
        for etype, (indptr, indices) in self.csc.items():
            src, _, dst = etype
            for nt in (src, dst):
                if nt not in self.num_nodes:
                    raise ValueError(f"edge type {etype} uses node type {nt!r}, which has no node count")
            if indptr.numel() != self.num_nodes[dst] + 1:
                raise ValueError(f"indptr of {etype} has {indptr.numel()} entries, "
                                 f"expected num_nodes({dst}) + 1 = {self.num_nodes[dst] + 1}")

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def from_arrays(cls, csc: Mapping[EdgeType, tuple], num_nodes: Mapping[str, int],
                    device=None) -> "CSCGraph":
        """From numpy arrays or tensors ``{etype: (indptr, indices)}``."""
        return cls({tuple(et): (_as_long(ip, device), _as_long(ind, device))  # type: ignore[misc]
                    for et, (ip, ind) in csc.items()},
                   {nt: int(n) for nt, n in num_nodes.items()})

    @classmethod
    def from_edges(cls, edges: Mapping[EdgeType, tuple], num_nodes: Mapping[str, int],
                   device=None) -> "CSCGraph":
        """From ``{etype: (src, dst)}`` nid arrays. Edges are sorted by ``(dst, src)``, so an
        edge's eid is its rank in that order (as :func:`graphstorm_py.graph.write_graph` does)."""
        csc = {}
        for et, (src, dst) in edges.items():
            src, dst = _as_long(src), _as_long(dst)
            n_src, n_dst = int(num_nodes[et[0]]), int(num_nodes[et[2]])
            order = torch.argsort(dst * max(n_src, 1) + src, stable=True)
            counts = torch.bincount(dst, minlength=n_dst)
            indptr = torch.zeros(n_dst + 1, dtype=torch.long)
            torch.cumsum(counts, 0, out=indptr[1:])
            csc[tuple(et)] = (indptr, src[order])
        return cls.from_arrays(csc, num_nodes, device)

    @classmethod
    def from_dataset(cls, ds, device=None) -> "CSCGraph":
        """The whole graph of a :class:`~graphstorm_py.graph.GraphDataset`."""
        return cls.from_arrays({et: ds.csc(et) for et in ds.etypes},
                               {nt: ds.num_nodes(nt) for nt in ds.ntypes}, device)

    # ---- queries (etypes, ntypes, device: CSCTypes) ----------------------------------------

    def num_edges(self, etype: EdgeType) -> int:
        return int(self.csc[tuple(etype)][1].numel())  # type: ignore[index]

    def in_degrees(self, etype: EdgeType) -> torch.Tensor:
        indptr = self.csc[tuple(etype)][0]  # type: ignore[index]
        return indptr[1:] - indptr[:-1]

    def to(self, device) -> "CSCGraph":
        return CSCGraph({et: (ip.to(device), ind.to(device)) for et, (ip, ind) in self.csc.items()},
                        dict(self.num_nodes))
