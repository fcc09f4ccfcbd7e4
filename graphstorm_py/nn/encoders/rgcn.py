"""RGCN: relational graph convolution (Schlichtkrull et al., 2018, https://arxiv.org/abs/1703.06103).

For destination node :math:`i` of type :math:`t` (GraphStorm's ``RelGraphConvLayer``):

.. math::
    h_i' = \\sigma\\Big(\\sum_{r \\,:\\, \\mathrm{dst}(r) = t} \\frac{1}{|\\mathcal N_r(i)|}
           \\sum_{j \\in \\mathcal N_r(i)} h_j W_r \\;+\\; h_i W_0 \\;+\\; b\\Big)

i.e. per relation the *mean* of the in-neighbours (DGL ``GraphConv(norm="right")``), summed
over relations, plus a self-loop :math:`W_0` (``use_self_loop``) and a bias. A node with no
in-edges of relation :math:`r` gets 0 from it.

**Basis decomposition** (``0 < num_bases < len(etypes)``): the relation weights share
``B`` bases, :math:`W_r = \\sum_b a_{rb} V_b`, computed as one matrix product
``w_comp [R, B] @ bases [B, in*out]`` (DGL ``WeightBasis``). Otherwise each relation has its
own :math:`W_r`. All weights are Xavier-uniform with the ReLU gain; the bias starts at 0.

**Aggregation.** The per-relation mean is one sparse-CSR x dense product
``A_r @ x`` with ``A_r[i, j] = 1/|N_r(i)|`` (:func:`mean_aggregate`, CPU only): an MKL
SpMM that never materialises the ``[E, dim]`` gathered messages, and autograd gives
``A_r^T @ grad`` for the backward. Each relation multiplies by ``W_r`` on the cheaper side
(before aggregating when there are fewer source rows than destination rows x the width
ratio, else after). ``_AGG = "scatter"`` selects the previous gather + PyG ``scatter(mean)``
path (kept for the benchmark and the equivalence test).

Per GraphStorm: hidden layers apply norm -> ReLU -> NGNN -> dropout; the last layer applies
none of them unless ``last_layer_act`` (then norm and ReLU, no dropout).

**Edge features** (``edge_feat_name``): a relation with edge features uses
:class:`~graphstorm_py.nn.encoders.edge_feat.EdgeFeatGraphConv` (its own weight, in-degree^-1/2
normalisation) instead of the mean and :math:`W_r`, as GraphStorm's ``GraphConvwithEdgeFeat``.
"""

from __future__ import annotations

import warnings
from typing import Dict, Mapping, NamedTuple, Optional, Sequence, Union

import torch
from torch import nn
from torch_geometric.utils import scatter

from graphstorm_py.nn.encoders import GNN_ENCODERS
from graphstorm_py.nn.encoders.base import GNNEncoder, LayerTail
from graphstorm_py.nn.encoders.edge_feat import EdgeFeatGraphConv
from graphstorm_py.nn.encoders.relational import check_block_etypes, dst_prefix
from graphstorm_py.sampling.block import Block
from graphstorm_py.typing import EdgeType

__all__ = ["RelGraphConvLayer", "RGCNEncoder", "LinearInput"]


warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta state")

_AGG = "csr"   # "csr" (sparse CSR matmul) or "scatter" (gather + PyG scatter mean, the old path)


def mean_aggregate(x: torch.Tensor, ei: torch.Tensor, n_dst: int) -> torch.Tensor:
    """``[n_dst, dim]``: row ``i`` = mean of ``x[ei[0, e]]`` over the edges ``e`` with ``ei[1, e] == i``
    (0 for rows without edges); the same as ``scatter(x[ei[0]], ei[1], 0, dim_size=n_dst, reduce="mean")``."""
    # CPU only: cuSPARSE rejected some test blocks ("invalid value" in cusparseCreateCsr), and the
    # GPU scatter is fast anyway
    if _AGG == "scatter" or x.device.type != "cpu" or x.dtype not in (torch.float32, torch.float64) \
            or x.layout != torch.strided:
        return scatter(x[ei[0]], ei[1], 0, dim_size=n_dst, reduce="mean")
    src, dst = ei[0], ei[1]
    if dst.numel() > 1 and not bool((dst[1:] >= dst[:-1]).all()):   # the sampler emits dst-sorted edges
        order = torch.argsort(dst, stable=True)
        src, dst = src[order], dst[order]
    deg = torch.bincount(dst, minlength=n_dst)
    crow = deg.new_zeros(n_dst + 1)
    torch.cumsum(deg, 0, out=crow[1:])
    val = torch.repeat_interleave(deg.clamp(min=1).to(x.dtype).reciprocal(), deg, output_size=dst.numel())
    adj = torch.sparse_csr_tensor(crow, src, val, (n_dst, x.size(0)), check_invariants=False)
    return torch.sparse.mm(adj, x.contiguous())


class LinearInput(NamedTuple):
    """A lazy input ``x @ weight`` (the input encoder's projection, not yet applied).

    The first rgcn layer aggregates the raw ``x`` and projects only the ``n_dst`` aggregated
    rows: ``A_r @ (x @ P) == (A_r @ x) @ P`` and ``(x @ P)[:n_dst] == x[:n_dst] @ P``, so the
    projection of the (many more) source-only rows is never computed, forward or backward.
    """
    x: torch.Tensor
    weight: torch.Tensor

    def size(self, dim: int) -> int:
        return self.x.size(dim) if dim == 0 else self.weight.size(1)

    def dense(self) -> torch.Tensor:
        return self.x @ self.weight


def _prefix(v: Union[torch.Tensor, LinearInput], n: int) -> torch.Tensor:
    return v.x[:n] @ v.weight if isinstance(v, LinearInput) else v[:n]


def _transform_first(n_src: int, n_dst: int, n_edges: int, in_dim: int, out_dim: int) -> bool:
    """Whether ``A @ (x @ W)`` costs fewer flops than ``(A @ x) @ W`` (matmul rows x in x out + SpMM nnz x width)."""
    return n_src * in_dim * out_dim + n_edges * out_dim < n_dst * in_dim * out_dim + n_edges * in_dim


def _xavier(*shape: int) -> nn.Parameter:
    w = nn.Parameter(torch.empty(*shape))
    nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("relu"))
    return w


class RelGraphConvLayer(nn.Module):
    """One RGCN layer over a block. Shapes: ``{t: [n_src_t, in_dim]} -> {t: [n_dst_t, out_dim]}``."""

    def __init__(self, in_dim: int, out_dim: int, ntypes: Sequence[str], etypes: Sequence[EdgeType],
                 num_bases: int = -1, *, self_loop: bool = True, bias: bool = True, tail: Optional[LayerTail] = None,
                 edge_feat_etypes: Sequence[EdgeType] = (), edge_feat_mp_op: str = "concat"):
        super().__init__()
        self.in_dim, self.out_dim = in_dim, out_dim
        self.etypes = list(etypes)
        self.etype_index = {e: i for i, e in enumerate(self.etypes)}
        num_rels = len(self.etypes)
        self.num_bases = num_bases if 0 < num_bases < num_rels else num_rels
        if self.num_bases < num_rels:
            self.bases = _xavier(self.num_bases, in_dim, out_dim)
            self.w_comp = _xavier(num_rels, self.num_bases)
        else:
            self.weight = _xavier(max(num_rels, 1), in_dim, out_dim)
        self.loop_weight = _xavier(in_dim, out_dim) if self_loop else None
        self.h_bias = nn.Parameter(torch.zeros(out_dim)) if bias else None
        self.skip_self_loop = False   # see GNNEncoder.last_self_loop_skipped
        self.tail = tail or LayerTail(ntypes, out_dim)
        # relations whose edge features take part in message passing, keyed by etype index
        self.ef_convs = nn.ModuleDict({str(self.etype_index[tuple(et)]): EdgeFeatGraphConv(in_dim, out_dim, edge_feat_mp_op)
                                       for et in edge_feat_etypes if tuple(et) in self.etype_index})

    @property
    def use_basis(self) -> bool:
        return self.num_bases < len(self.etypes)

    def relation_weights(self) -> torch.Tensor:
        """``[R, in_dim, out_dim]``: the weight of every relation (from the bases if used)."""
        if self.use_basis:
            return (self.w_comp @ self.bases.reshape(self.num_bases, -1)).reshape(-1, self.in_dim, self.out_dim)
        return self.weight

    def forward(self, block: Block, h_src: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        check_block_etypes(block, self.etype_index)
        if any(isinstance(v, LinearInput) for v in h_src.values()):
            h_dst = {t: _prefix(h_src[t], block.num_dst(t)) for t in block.dst_nodes if t in h_src}
        else:
            h_dst = dst_prefix(block, h_src)
        weights = self.relation_weights()
        out = {t: x.new_zeros(x.size(0), self.out_dim) for t, x in h_dst.items()}
        for et, ei in block.edge_index.items():
            s, _, d = et
            if d not in out or s not in h_src or ei.size(1) == 0:
                continue
            w = weights[self.etype_index[et]]
            x = h_src[s]
            n_dst = out[d].size(0)
            ef = self.ef_convs[str(self.etype_index[et])] if str(self.etype_index[et]) in self.ef_convs else None
            if ef is not None:   # edge features: GraphStorm's GraphConvwithEdgeFeat
                dense = x.dense() if isinstance(x, LinearInput) else x
                out[d] = out[d] + ef(dense, ei, n_dst, block.edge_feats.get(et))
                continue
            if isinstance(x, LinearInput):   # aggregate the raw input, then project n_dst rows only
                if _AGG == "scatter":
                    agg = scatter(x.x[ei[0]], ei[1], 0, dim_size=n_dst, reduce="mean")
                else:
                    agg = mean_aggregate(x.x, ei, n_dst)
                agg = (agg @ x.weight) @ w
            elif _AGG == "scatter":
                if self.in_dim > self.out_dim:  # transform first when it shrinks the messages
                    agg = scatter((x @ w)[ei[0]], ei[1], 0, dim_size=n_dst, reduce="mean")
                else:
                    agg = scatter(x[ei[0]], ei[1], 0, dim_size=n_dst, reduce="mean") @ w
            elif _transform_first(x.size(0), n_dst, ei.size(1), self.in_dim, self.out_dim):
                agg = mean_aggregate(x @ w, ei, n_dst)
            else:
                agg = mean_aggregate(x, ei, n_dst) @ w
            out[d] = out[d] + agg
        for t in out:
            h = out[t]
            if self.loop_weight is not None and not self.skip_self_loop:
                h = h + h_dst[t] @ self.loop_weight
            if self.h_bias is not None:
                h = h + self.h_bias
            out[t] = self.tail(h, t)
        return out


@GNN_ENCODERS.register("rgcn")
class RGCNEncoder(GNNEncoder):
    """Relational GCN encoder (GraphStorm ``RelationalGCNEncoder``); see the module docstring."""

    supports_edge_feats = True

    def _make_layer(self, l: int, in_dim: int, out_dim: int, last: bool) -> nn.Module:
        act = (not last) or self.last_layer_act
        tail = LayerTail(self.ntypes, out_dim, norm=self.norm if act else None,
                         activation=self.activation if act else None,
                         num_ffn_layers=0 if last else self.num_ffn_layers_in_gnn,
                         dropout=0.0 if last else self.dropout)
        return RelGraphConvLayer(in_dim, out_dim, self.ntypes, self.etypes, self.num_bases,
                                 self_loop=self.use_self_loop, tail=tail, edge_feat_etypes=self.edge_feat_etypes,
                                 edge_feat_mp_op=self.edge_feat_mp_op)
