"""The structure a worker serves: the CSC of its own partitions, over global ids.

Rank ``r`` owns destination nids ``[lo, hi)`` of each node type and eids ``[elo, ehi)`` of each
edge type (:class:`~graphstorm_py.distributed.partition_map.PartitionMap`). Its CSC of an edge
type is the concatenation of its partitions' CSCs: ``indptr`` has ``hi - lo + 1`` entries,
``indices`` are global source nids and position ``j`` is global eid ``elo + j``. Only the owned
partitions' files are read (memory-mapped).

It duck-types :class:`~graphstorm_py.sampling.CSCGraph` for the sampler (``csc``,
``num_nodes`` of the *whole* graph, ``etypes``, ``device``), without CSCGraph's size check.
"""

from __future__ import annotations

from typing import Dict, Tuple

import numpy as np
import torch

from graphstorm_py.sampling.csc_graph import CSCTypes, _as_long
from graphstorm_py.typing import EdgeType

__all__ = ["LocalGraph"]


class LocalGraph(CSCTypes):
    def __init__(self, dataset, pmap, rank: int, device=None):
        self.rank, self.pmap = rank, pmap
        self.num_nodes: Dict[str, int] = {nt: dataset.num_nodes(nt) for nt in dataset.ntypes}
        self.csc: Dict[EdgeType, Tuple[torch.Tensor, torch.Tensor]] = {}
        self.node_base: Dict[str, int] = {nt: pmap.node_range(rank, nt)[0] for nt in dataset.ntypes}
        self.eid_base: Dict[EdgeType, int] = {}
        for et in dataset.etypes:
            et = tuple(et)
            indptrs, indices, offset = [], [], 0
            for k in pmap.parts(rank):
                ip, ind = dataset.csc(et, k)
                ip = np.asarray(ip)
                indptrs.append(ip[:-1] + offset if indptrs or len(pmap.parts(rank)) > 1 else ip)
                offset += len(ind)
                indices.append(np.asarray(ind))
            if len(indptrs) > 1:
                indptrs.append(np.array([offset], dtype=np.int64))
                ip, ind = np.concatenate(indptrs), np.concatenate(indices)
            else:
                ip, ind = indptrs[0], indices[0]
            self.csc[et] = (_as_long(ip, device), _as_long(ind, device))   # type: ignore[index]
            self.eid_base[et] = pmap.edge_range(rank, et)[0]               # type: ignore[index]
