"""Which rank owns which node and edge: contiguous id ranges from ``metadata.json``.

Partition ``k`` owns one contiguous nid range per node type and one eid range per edge type
(an edge belongs to its destination's partition), and the ranges follow partition order. With
``P`` partitions and ``W`` workers, rank ``r`` owns partitions ``[r * P/W, (r + 1) * P/W)``, so
it too owns one contiguous range per type, and the owner of an id is one ``searchsorted`` over
the ``W`` range ends.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import torch

from graphstorm_py.errors import ConfigError
from graphstorm_py.typing import EdgeType

__all__ = ["PartitionMap", "check_partitions"]


def check_partitions(num_partitions: int, world_size: int, graph: str = "the graph") -> int:
    """Partitions per worker; a :class:`ConfigError` (exit 2) naming both numbers otherwise."""
    if world_size < 1 or num_partitions % world_size:
        raise ConfigError(f"{graph} has {num_partitions} partition(s), which cannot be split evenly between "
                          f"{world_size} worker(s): the number of partitions must be a multiple of the number "
                          f"of workers (--num-trainers); repartition with gs-construct --num-parts, or pick a "
                          f"divisor of {num_partitions}")
    return num_partitions // world_size


class PartitionMap:
    """Owner ranks of node and edge ids for ``world_size`` workers over ``meta``'s partitions."""

    def __init__(self, meta, world_size: int):
        self.world_size = world_size
        self.per_rank = check_partitions(meta.num_partitions, world_size, f"graph {meta.graph_name!r}")
        self.ntypes: List[str] = list(meta.ntypes)
        self.etypes: List[EdgeType] = [tuple(e) for e in meta.etypes]  # type: ignore[misc]
        self._node: Dict[str, torch.Tensor] = {nt: self._bounds(lambda k, t=nt: meta.node_range(k, t))
                                               for nt in self.ntypes}
        self._edge: Dict[EdgeType, torch.Tensor] = {et: self._bounds(lambda k, t=et: meta.edge_range(k, t))
                                                    for et in self.etypes}

    def _bounds(self, rng) -> torch.Tensor:
        """``[W + 1]``: rank r owns ``[b[r], b[r + 1])``."""
        k = self.per_rank
        return torch.tensor([rng(r * k)[0] for r in range(self.world_size)] + [rng(self.world_size * k - 1)[1]],
                            dtype=torch.long)

    def parts(self, rank: int) -> range:
        return range(rank * self.per_rank, (rank + 1) * self.per_rank)

    def node_range(self, rank: int, ntype: str) -> Tuple[int, int]:
        b = self._node[ntype]
        return int(b[rank]), int(b[rank + 1])

    def edge_range(self, rank: int, etype: EdgeType) -> Tuple[int, int]:
        b = self._edge[tuple(etype)]  # type: ignore[index]
        return int(b[rank]), int(b[rank + 1])

    def node_owner(self, ntype: str, nids: torch.Tensor) -> torch.Tensor:
        return torch.searchsorted(self._node[ntype][1:], nids.cpu(), right=True)

    def edge_owner(self, etype: EdgeType, eids: torch.Tensor) -> torch.Tensor:
        return torch.searchsorted(self._edge[tuple(etype)][1:], eids.cpu(), right=True)  # type: ignore[index]
