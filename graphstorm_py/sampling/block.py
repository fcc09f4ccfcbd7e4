"""Value objects passed from the sampler to the model: blocks and mini-batches.

A :class:`Block` is one layer of message passing on a bipartite graph, in DGL's
convention: for every node type, the destination nodes are a *prefix* of the source nodes,
so a layer can take ``x_dst = x_src[ntype][:num_dst[ntype]]`` for root/self-loop terms.

``edge_index[etype]`` is a ``[2, E]`` long tensor of *local* indices: row 0 indexes
``src_nodes[src_type]``, row 1 indexes ``dst_nodes[dst_type]``. This is exactly what PyG's
bipartite layers (``conv((x_src, x_dst), edge_index)``) and ``HeteroConv`` consume.

A :class:`MiniBatch` holds the blocks from the input layer to the output layer; the
seeds are the destination nodes of the last block, in the order they were given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List

import torch

from graphstorm_py.typing import EdgeType

__all__ = ["Block", "MiniBatch"]


@dataclass
class Block:
    src_nodes: Dict[str, torch.Tensor]            # ntype -> global nids (dst nodes first)
    dst_nodes: Dict[str, torch.Tensor]            # ntype -> global nids
    edge_index: Dict[EdgeType, torch.Tensor]      # etype -> [2, E] local (src idx, dst idx)
    eids: Dict[EdgeType, torch.Tensor] = field(default_factory=dict)  # etype -> global eids
    # etype -> [E, hidden] edge embeddings for message passing (edge_feat_name), set by the model
    edge_feats: Dict[EdgeType, torch.Tensor] = field(default_factory=dict)

    def num_src(self, ntype: str) -> int:
        t = self.src_nodes.get(ntype)
        return 0 if t is None else int(t.numel())

    def num_dst(self, ntype: str) -> int:
        t = self.dst_nodes.get(ntype)
        return 0 if t is None else int(t.numel())

    def to(self, device) -> "Block":
        return Block(
            {k: v.to(device) for k, v in self.src_nodes.items()},
            {k: v.to(device) for k, v in self.dst_nodes.items()},
            {k: v.to(device) for k, v in self.edge_index.items()},
            {k: v.to(device) for k, v in self.eids.items()},
            {k: v.to(device) for k, v in self.edge_feats.items()},
        )


@dataclass
class MiniBatch:
    seeds: Dict[str, torch.Tensor]     # ntype -> global nids of the output nodes
    blocks: List[Block]                # input layer first

    @property
    def input_nodes(self) -> Dict[str, torch.Tensor]:
        return self.blocks[0].src_nodes if self.blocks else self.seeds

    def to(self, device) -> "MiniBatch":
        return MiniBatch({k: v.to(device) for k, v in self.seeds.items()}, [b.to(device) for b in self.blocks])
