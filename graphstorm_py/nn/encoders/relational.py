"""Shared plumbing for layers that run one PyG convolution per relation and sum the results.

This is what PyG's ``HeteroConv(aggr="sum")`` and DGL's ``HeteroGraphConv`` do, written for
blocks: the destination features are the prefix ``x_src[:n_dst]`` of the source features, and a
relation whose source and destination types are equal still gets the bipartite pair
``(x_src, x_dst)``, which ``HeteroConv`` would not give it.

Every relation of the encoder's metadata whose destination type has nodes in the block is
applied, even with zero edges (then only a root/self term can contribute). That keeps each
node's output independent of which other nodes share its batch, which is what makes
mini-batch and layer-wise full-graph inference agree exactly.
"""

from __future__ import annotations

from typing import Dict, Mapping, Sequence

import torch
from torch import nn

from graphstorm_py.sampling.block import Block
from graphstorm_py.typing import EdgeType

__all__ = ["dst_prefix", "relation_sum", "check_block_etypes", "unreached_self_lins", "PerRelationLayer"]


def dst_prefix(block: Block, h_src: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """``{ntype: h_src[ntype][:n_dst]}`` for every destination type of the block.

    A type with no destination node in this batch gets its ``[0, dim]`` rows too, so a layer's
    output always has every destination type, and a later layer or task never misses a key.
    """
    return {t: h_src[t][: block.num_dst(t)] for t in block.dst_nodes if t in h_src}


def check_block_etypes(block: Block, etype_index: Mapping[EdgeType, int]) -> None:
    for et in block.edge_index:
        if et not in etype_index:
            raise ValueError(f"block has edge type {et} that the encoder was not built with")


def relation_sum(convs: nn.ModuleList, etypes: Sequence[EdgeType], block: Block,
                 h_src: Mapping[str, torch.Tensor], h_dst: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Sum over relations of ``convs[r]((x_src, x_dst), edge_index)``, per destination type.

    ``convs[r]`` belongs to ``etypes[r]``. Destination types that no relation reaches are
    absent from the result.
    """
    out: Dict[str, torch.Tensor] = {}
    for r, et in enumerate(etypes):
        s, _, d = et
        if d not in h_dst:
            continue
        x_dst = h_dst[d]
        x_src = h_src.get(s)
        if x_src is None:
            x_src = x_dst.new_zeros(0, x_dst.size(1))
        ei = block.edge_index.get(et)
        if ei is None:
            ei = torch.empty(2, 0, dtype=torch.long, device=x_dst.device)
        kw = {}
        if getattr(convs[r], "takes_edge_feat", False):   # edge features in message passing
            kw["edge_feat"] = block.edge_feats.get(et)
        y = convs[r]((x_src, x_dst), ei, size=(x_src.size(0), x_dst.size(0)), **kw)
        y = y.flatten(1) if y.dim() > 2 else y    # per-head outputs, concatenated ([0, ...] rows too)
        out[d] = y if d not in out else out[d] + y
    return out


def unreached_self_lins(ntypes: Sequence[str], etypes: Sequence[EdgeType], in_dim: int, out_dim: int, *,
                        same_type_only: bool = False) -> nn.ModuleDict:
    """Bias-free ``Linear(in_dim, out_dim)`` for each node type that is no relation's destination.

    ``same_type_only``: also for the types that only relations from *other* types reach (a
    convolution without a root term, like GAT, has no self-loop to give their nodes).
    """
    reached = {e[2] for e in etypes if not same_type_only or e[0] == e[2]}
    lins = nn.ModuleDict()
    for i, t in enumerate(ntypes):
        if t not in reached:
            lins[str(i)] = nn.Linear(in_dim, out_dim, bias=False)
            nn.init.xavier_uniform_(lins[str(i)].weight, gain=nn.init.calculate_gain("relu"))
    return lins


class PerRelationLayer(nn.Module):
    """One layer of per-relation convolutions summed per destination type, then the layer tail.

    Subclasses build ``convs`` (one PyG convolution per edge type, in ``etypes`` order) and pass
    them in. Input dropout applies to every source feature; node types that no relation reaches
    (with ``self_lin_same_type_only``: no relation from their own type) get their own bias-free
    linear map of their destination rows, added to the relations' sum, so they do not vanish.
    Shapes: ``{t: [n_src_t, in_dim]} -> {t: [n_dst_t, out_dim]}``.
    """

    def __init__(self, convs: nn.ModuleList, in_dim: int, out_dim: int, ntypes: Sequence[str],
                 etypes: Sequence[EdgeType], dropout: float, tail: nn.Module, self_lin_same_type_only: bool = False):
        super().__init__()
        self.ntypes, self.etypes = list(ntypes), list(etypes)
        self.etype_index = {e: i for i, e in enumerate(self.etypes)}
        self.convs = convs
        self.self_lins = unreached_self_lins(self.ntypes, self.etypes, in_dim, out_dim,
                                             same_type_only=self_lin_same_type_only)
        self.feat_drop = nn.Dropout(dropout)
        self.tail = tail

    def forward(self, block: Block, h_src: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        check_block_etypes(block, self.etype_index)
        h_src = {t: self.feat_drop(x) for t, x in h_src.items()}
        h_dst = dst_prefix(block, h_src)
        out = relation_sum(self.convs, self.etypes, block, h_src, h_dst)
        for i, t in enumerate(self.ntypes):
            if str(i) in self.self_lins and t in h_dst:
                own = self.self_lins[str(i)](h_dst[t])
                out[t] = own if t not in out else out[t] + own
        return {t: self.tail(h, t) for t, h in out.items()}
