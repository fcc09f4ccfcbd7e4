"""HGT: heterogeneous graph transformer (Hu et al., 2020, https://arxiv.org/abs/2003.01332).

This follows GraphStorm's ``HGTLayer`` (not PyG's ``HGTConv``, which softmaxes jointly over all
relations, applies GELU and a different skip). For an edge :math:`(s, e, t)` of relation
:math:`\\phi(e)` and head :math:`k` of width :math:`d = \\mathrm{out}/K`:

.. math::
    \\mathrm{att}^k(s,e,t) = \\mathrm{softmax}_{s \\in \\mathcal N_{\\phi}(t)}\\Big(
        \\big(K^k_{\\tau(s)}(h_s)\\, W^{ATT,k}_{\\phi}\\big) \\cdot Q^k_{\\tau(t)}(h_t)
        \\;\\frac{\\mu^k_{\\phi}}{\\sqrt d}\\Big)

    \\tilde h_t = \\frac{1}{R_{\\tau(t)}} \\sum_{\\phi \\,:\\, \\mathrm{dst}(\\phi)=\\tau(t)} \\;
        \\big\\Vert_k \\sum_{s} \\mathrm{att}^k(s,e,t)\\; V^k_{\\tau(s)}(h_s)\\, W^{MSG,k}_{\\phi}

    h_t' = \\sigma\\Big(\\mathrm{norm}\\big(\\alpha_{\\tau(t)}\\, \\mathrm{dropout}(\\tilde h_t)
          + (1-\\alpha_{\\tau(t)})\\, A_{\\tau(t)}(h_t)\\big)\\Big), \\quad \\alpha = \\mathrm{sigmoid}(\\mathrm{skip})

The softmax runs per relation; the relations are then *averaged* over the
:math:`R_{\\tau(t)}` relations of the metadata that end in :math:`\\tau(t)` (DGL
``multi_update_all(cross_reducer="mean")``); a node type that no relation reaches uses
:math:`A_{\\tau}(h_t)` in place of :math:`\\tilde h_t`. ``K, Q, V, A`` are per-node-type
``nn.Linear`` layers; :math:`\\mu` starts at 1, :math:`W^{ATT}, W^{MSG}` Xavier-uniform, skip at 1.
Per GraphStorm, norm (``gnn_norm``) and ReLU follow every layer (the last included), NGNN all
but the last.

**Edge features** (``edge_feat_name``, GraphStorm's ``HGTLayerwithEdgeFeat``): on a relation with
edge features the keys and values are computed per edge from :math:`\\mathrm{op}(h_s, f_e)`
(``add``/``sub``/``mul``/``div``), or as :math:`K_{\\tau(s)}(h_s) + K^E_{\\phi}(f_e)` and
:math:`V_{\\tau(s)}(h_s) + V^E_{\\phi}(f_e)` for ``concat``, with per-relation linear maps
:math:`K^E, V^E` of the edge embedding.
"""

from __future__ import annotations

import math
from typing import Dict, Mapping, Sequence

import torch
from torch import nn
from torch_geometric.utils import scatter, softmax

from graphstorm_py.nn.encoders import GNN_ENCODERS
from graphstorm_py.nn.encoders.base import GNNEncoder, LayerTail
from graphstorm_py.nn.encoders.edge_feat import combine
from graphstorm_py.nn.encoders.relational import check_block_etypes, dst_prefix
from graphstorm_py.sampling.block import Block
from graphstorm_py.typing import EdgeType

__all__ = ["HGTLayer", "HGTEncoder"]


class HGTLayer(nn.Module):
    """One HGT layer over a block. Shapes: ``{t: [n_src_t, in_dim]} -> {t: [n_dst_t, out_dim]}``."""

    def __init__(self, in_dim: int, out_dim: int, ntypes: Sequence[str], etypes: Sequence[EdgeType],
                 num_heads: int, dropout: float = 0.0, tail: LayerTail = None,
                 edge_feat_etypes: Sequence[EdgeType] = (), edge_feat_mp_op: str = "concat"):
        super().__init__()
        self.ntypes, self.etypes = list(ntypes), list(etypes)
        self.nidx = {t: i for i, t in enumerate(self.ntypes)}
        self.etype_index = {e: i for i, e in enumerate(self.etypes)}
        self.out_dim, self.num_heads, self.d_k = out_dim, num_heads, out_dim // num_heads
        n, r = len(self.ntypes), len(self.etypes)
        self.k_lins, self.q_lins, self.v_lins, self.a_lins = (
            nn.ModuleList(nn.Linear(in_dim, out_dim) for _ in range(n)) for _ in range(4))
        self.skip = nn.Parameter(torch.ones(n))
        self.rel_pri = nn.Parameter(torch.ones(r, num_heads))
        self.rel_att = nn.Parameter(torch.empty(r, num_heads, self.d_k, self.d_k))
        self.rel_msg = nn.Parameter(torch.empty(r, num_heads, self.d_k, self.d_k))
        for i in range(r):
            nn.init.xavier_uniform_(self.rel_att.data[i])
            nn.init.xavier_uniform_(self.rel_msg.data[i])
        self.num_rels_into = {t: sum(e[2] == t for e in self.etypes) for t in self.ntypes}
        self.drop = nn.Dropout(dropout)
        self.tail = tail or LayerTail(ntypes, out_dim)
        self.ef_op = edge_feat_mp_op
        self.ef_rels = {self.etype_index[tuple(e)] for e in edge_feat_etypes if tuple(e) in self.etype_index}
        concat = edge_feat_mp_op == "concat"
        self.ef_k, self.ef_v = (nn.ModuleDict({str(i): nn.Linear(in_dim, out_dim) for i in sorted(self.ef_rels)}
                                              if concat else nn.ModuleDict()) for _ in range(2))

    def _heads(self, lins: nn.ModuleList, t: str, x: torch.Tensor) -> torch.Tensor:
        return lins[self.nidx[t]](x).view(-1, self.num_heads, self.d_k)

    def _edge_keys_values(self, r: int, s: str, x: torch.Tensor, ei: torch.Tensor, ef):
        """``[E, heads, d_k]`` keys and values of relation ``r``'s edges from their edge features."""
        if ef is None:
            raise ValueError("this relation uses edge features but the block carries none")
        if self.ef_op == "concat":
            ke = self._heads(self.k_lins, s, x)[ei[0]] + self.ef_k[str(r)](ef).view(-1, self.num_heads, self.d_k)
            ve = self._heads(self.v_lins, s, x)[ei[0]] + self.ef_v[str(r)](ef).view(-1, self.num_heads, self.d_k)
            return ke, ve
        z = combine(x[ei[0]], ef, self.ef_op)
        return self._heads(self.k_lins, s, z), self._heads(self.v_lins, s, z)

    def forward(self, block: Block, h_src: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        check_block_etypes(block, self.etype_index)
        h_dst = dst_prefix(block, h_src)
        keys: Dict[str, torch.Tensor] = {}
        vals: Dict[str, torch.Tensor] = {}
        agg: Dict[str, torch.Tensor] = {}
        for r, et in enumerate(self.etypes):
            s, _, d = et
            ei = block.edge_index.get(et)
            if d not in h_dst or s not in h_src or ei is None or ei.size(1) == 0:
                continue
            n_dst = h_dst[d].size(0)
            if r in self.ef_rels:   # edge features: keys and values per edge
                ke, ve = self._edge_keys_values(r, s, h_src[s], ei, block.edge_feats.get(et))
                k = torch.einsum("nhd,hde->nhe", ke, self.rel_att[r])
                v = torch.einsum("nhd,hde->nhe", ve, self.rel_msg[r])
                k_e, v_e = k, v
            else:
                if s not in keys:
                    keys[s], vals[s] = self._heads(self.k_lins, s, h_src[s]), self._heads(self.v_lins, s, h_src[s])
                k = torch.einsum("nhd,hde->nhe", keys[s], self.rel_att[r])
                v = torch.einsum("nhd,hde->nhe", vals[s], self.rel_msg[r])
                k_e, v_e = k[ei[0]], v[ei[0]]
            q = self._heads(self.q_lins, d, h_dst[d])
            score = (q[ei[1]] * k_e).sum(-1) * self.rel_pri[r] / math.sqrt(self.d_k)
            attn = softmax(score, ei[1], num_nodes=n_dst)
            msg = scatter(v_e * attn.unsqueeze(-1), ei[1], 0, dim_size=n_dst, reduce="sum")
            agg[d] = msg if d not in agg else agg[d] + msg
        out = {}
        for t, x in h_dst.items():
            alpha = torch.sigmoid(self.skip[self.nidx[t]])
            skip = self.a_lins[self.nidx[t]](x)
            if self.num_rels_into.get(t, 0) > 0:
                m = agg[t].reshape(-1, self.out_dim) / self.num_rels_into[t] if t in agg else skip.new_zeros(skip.shape)
            else:  # no relation reaches this type: a pseudo self-loop, as in GraphStorm
                m = skip
            out[t] = self.tail(self.drop(m) * alpha + skip * (1 - alpha), t)
        return out


@GNN_ENCODERS.register("hgt")
class HGTEncoder(GNNEncoder):
    """Heterogeneous graph transformer encoder; see the module docstring."""

    supports_edge_feats = True

    default_last_layer_act = True

    def _make_layer(self, l: int, in_dim: int, out_dim: int, last: bool) -> nn.Module:
        self._check_heads(out_dim)
        tail = LayerTail(self.ntypes, out_dim, norm=self.norm,
                         activation=self.activation if (not last or self.last_layer_act) else None,
                         num_ffn_layers=0 if last else self.num_ffn_layers_in_gnn, dropout=0.0,
                         ngnn_dropout=self.dropout)
        return HGTLayer(in_dim, out_dim, self.ntypes, self.etypes, self.num_heads, self.dropout, tail,
                        self.edge_feat_etypes, self.edge_feat_mp_op)
