"""The co-training input layer: an LM per text node type, inside the input encoder.

For a node type with an LM, the input feature is ``[LM(tokens) || other features]``, projected
to ``hidden_size`` as any feature is (:class:`~graphstorm_py.nn.input_encoder.NodeInputEncoder`).

Per training batch, ``lm_train_nodes`` of the batch's nodes (``-1``: all, ``0``: none) run the
LM with gradients. The others, depending on ``lm_cache``:

* ``cached`` (default, beyond GraphStorm): read the LM-embedding table
  (:class:`~graphstorm_py.lm.cache.LMEmbeddingTable`). Gradient nodes are drawn from the seeds
  first, without replacement; their fresh embeddings are written through to the table. The
  table is recomputed whenever the LM changed since the last refresh and the model switches
  between train and eval mode (so once per epoch, before evaluation), and evaluation, gs-infer
  and the final embeddings all read it.
* ``recompute`` (GraphStorm): gradient nodes are a random subset of all the batch's nodes, and
  every other node is re-encoded by the LM without gradients in every batch; evaluation
  re-encodes every node.

With ``lm_train_nodes: 0`` (or during ``freeze_lm_encoder_epochs``) the LM is frozen; a frozen
LM's table is memory-mapped on disk and reused by later runs (:meth:`LMEmbeddingTable.load_or_compute_frozen`).
"""

from __future__ import annotations

import logging
from typing import Dict, Iterator, Mapping, Optional

import torch
from torch import nn

from graphstorm_py.lm.cache import LMEmbeddingTable
from graphstorm_py.lm.encoder import LMEncoder
from graphstorm_py.lm.tokens import TokenSource
from graphstorm_py.nn.input_encoder import NodeInputEncoder

__all__ = ["LMNodeInputEncoder"]

log = logging.getLogger(__name__)


class LMNodeInputEncoder(NodeInputEncoder):
    """:class:`NodeInputEncoder` whose LM node types get LM embeddings as (the first) features.

    Args:
        num_nodes, feat_dims, hidden_size, **kwargs: as for :class:`NodeInputEncoder`
            (``feat_dims`` are the *other* features of each type).
        lms: ``{ntype: LMEncoder}``; types sharing one LM pass the same module.
        tokens: ``{ntype: TokenSource}``.
        lm_train_nodes, lm_infer_batch_size, lm_cache: see the module docstring.
        disk_cache: keep a frozen LM's table on disk (GraphStorm's ``cache_lm_embed``).
    """

    def __init__(self, num_nodes: Mapping[str, int], feat_dims: Mapping[str, int], hidden_size: int, *,
                 lms: Mapping[str, LMEncoder], tokens: Mapping[str, TokenSource], lm_train_nodes: int = 0,
                 lm_infer_batch_size: int = 32, lm_cache: str = "cached", disk_cache: bool = True,
                 lm_tune_lr: Optional[float] = None, lm_warmup_steps: int = 0, **kwargs):
        dims = dict(feat_dims)
        for t, lm in lms.items():
            dims[t] = int(dims.get(t, 0) or 0) + lm.out_dims
        super().__init__(num_nodes, dims, hidden_size, **kwargs)
        self.lm_ntypes = list(lms)
        unique: Dict[int, str] = {}
        for t, lm in lms.items():
            unique.setdefault(id(lm), t)
        self.lm = nn.ModuleDict({unique[id(lm)]: lm for lm in {id(m): m for m in lms.values()}.values()})
        self._lm_key = {t: unique[id(lm)] for t, lm in lms.items()}
        self.tokens = dict(tokens)
        self.lm_train_nodes, self.lm_infer_batch_size = lm_train_nodes, lm_infer_batch_size
        self.lm_cache, self.disk_cache = lm_cache, disk_cache
        self.tables = {t: LMEmbeddingTable(num_nodes[t], lms[t].out_dims) for t in lms}
        self.lm_frozen = lm_train_nodes == 0
        self._dirty = False
        self._seed_counts: Dict[str, int] = {}
        self.grad_rows = 0                        # LM rows encoded with gradients (speed figures)
        self.nograd_rows = 0                      # rows encoded without gradients in batches (recompute)
        self.lm_tune_lr = lm_tune_lr              # the optimiser reads it (default: lr)
        self.lm_warmup_steps = lm_warmup_steps    # and this (its LM group's linear warm-up)
        self.set_lm_frozen(self.lm_frozen)

    # ---- state ------------------------------------------------------------------------
    @property
    def is_linear(self) -> bool:                  # LM features come with gradients: no fused rgcn input
        return False

    def lm_of(self, ntype: str) -> LMEncoder:
        return self.lm[self._lm_key[ntype]]

    def lm_parameters(self) -> Iterator[nn.Parameter]:
        return self.lm.parameters()

    def set_lm_frozen(self, frozen: bool) -> None:
        """Freeze (no LM gradients, no LM nodes) or unfreeze the LM (``freeze_lm_encoder_epochs``)."""
        self.lm_frozen = frozen or self.lm_train_nodes == 0
        for p in self.lm.parameters():
            p.requires_grad_(not self.lm_frozen)

    def set_seeds(self, seeds: Mapping[str, torch.Tensor]) -> None:
        """How many of the next batch's input nodes (a prefix) are seeds; the model calls this."""
        self._seed_counts = {t: int(s.numel()) for t, s in seeds.items()}

    def train(self, mode: bool = True):
        if mode != self.training and self._dirty and self.lm_cache == "cached":
            self.refresh()
        return super().train(mode)

    def refresh(self) -> None:
        """Recompute every LM table with the current LM weights."""
        for t in self.lm_ntypes:
            self._compute_table(t, force=True)
        self._dirty = False

    def ensure_tables(self) -> None:
        """Compute the tables not computed yet (from the disk cache when this LM state is there)."""
        for t in self.lm_ntypes:
            self._compute_table(t)

    def forward_rows(self) -> int:
        """LM rows encoded so far (tables + gradient nodes + recomputed nodes)."""
        return sum(tb.forward_rows for tb in self.tables.values()) + self.grad_rows + self.nograd_rows

    def _compute_table(self, t: str, force: bool = False) -> LMEmbeddingTable:
        table = self.tables[t]
        if table.ready and not force:
            return table
        lm, desc = self.lm_of(t), f"LM embeddings ({t})"
        if self.lm_train_nodes == 0 and self.disk_cache:
            table.load_or_compute_frozen(lm, self.tokens[t], self.lm_infer_batch_size, desc)
        else:
            table.compute(lm, self.tokens[t], self.lm_infer_batch_size, desc,
                          start_from_disk=self.disk_cache and not table.ready)
        return table

    # ---- forward ----------------------------------------------------------------------
    def forward(self, nids: Mapping[str, torch.Tensor],
                feats: Optional[Mapping[str, Optional[torch.Tensor]]] = None, *,
                lazy: bool = False) -> Dict[str, torch.Tensor]:
        feats = dict(feats or {})
        for t, ids in nids.items():
            if t in self.tables:
                emb = self.lm_embed(t, ids)
                other = feats.get(t)
                feats[t] = emb if other is None else torch.cat([emb, other.to(emb.device).float()], dim=1)
        self._seed_counts = {}
        return super().forward(nids, feats)

    def lm_embed(self, t: str, ids: torch.Tensor) -> torch.Tensor:
        """``[len(ids), lm dims]``: some rows with LM gradients, the rest from the table or recomputed."""
        n = int(ids.numel())
        device = self.input_projs[t].device
        k = 0 if (not self.training or self.lm_frozen) else (n if self.lm_train_nodes < 0 else min(self.lm_train_nodes, n))
        if self.lm_cache == "recompute" and not (self.lm_frozen and self.tables[t].ready):
            return self._recompute(t, ids, k, device)
        table = self.tables[t]
        if k == n:                                     # every node with gradients: no table needed
            pos, out = torch.arange(n), None
        else:
            out = self._compute_table(t).rows(ids).to(device)
            if k == 0:
                return out
            pos = self._grad_positions(t, n, k, ids.device)
        grad_ids = ids[pos]
        emb = self.lm_of(t)(*self.tokens[t](grad_ids)).to(device)
        self.grad_rows += k
        table.write(grad_ids, emb)
        self._dirty = True
        return emb if out is None else out.index_put((pos.to(device),), emb)    # differentiable in emb

    def _grad_positions(self, t: str, n: int, k: int, device) -> torch.Tensor:
        """``k`` positions of the batch's input nodes: seeds first (a random subset), then others."""
        s = min(self._seed_counts.get(t, n), n)
        if k <= s:
            return torch.randperm(s)[:k]
        rest = s + torch.randperm(n - s)[:k - s]
        return torch.cat([torch.arange(s), rest])

    def _recompute(self, t: str, ids: torch.Tensor, k: int, device) -> torch.Tensor:
        """GraphStorm's behaviour: ``k`` random nodes with gradients, every other one re-encoded now."""
        n = int(ids.numel())
        lm, tokens = self.lm_of(t), self.tokens[t]
        perm = torch.randperm(n)
        grad_pos, rest_pos = perm[:k], perm[k:]
        out = torch.empty(n, lm.out_dims, device=device)
        if rest_pos.numel():
            was = lm.training
            lm.eval() if not self.training else None
            with torch.no_grad():
                for chunk in rest_pos.split(self.lm_infer_batch_size):
                    out[chunk.to(device)] = lm(*tokens(ids[chunk])).to(device)
            lm.train(was)
            self.nograd_rows += int(rest_pos.numel())
        if k:
            emb = lm(*tokens(ids[grad_pos])).to(device)
            self.grad_rows += k
            self._dirty = True
            out = out.index_put((grad_pos.to(device),), emb)
        return out
