"""``link_prediction``: score ``(src, rel, dst)`` edges against corrupted destinations.

A training batch holds positive edges (the ``train_mask`` edges of ``train_etype``, shuffled
jointly over the types), ``num_negative_edges`` negative destinations per positive from
``train_negative_sampler`` (:mod:`graphstorm_py.sampling.negative`), and optionally hard
negatives (``train_etypes_negative_dstnode``: an edge feature of destination nids, ``-1``
padded, as gs-construct stores them; ``num_train_hard_negatives`` of the ``k`` slots).
The batch's seeds are the unique endpoints and negatives; the decoder
(:data:`~graphstorm_py.nn.decoders.link_predict` score function ``lp_decoder_type``) scores
positives and negatives and ``lp_loss_func`` turns them into a loss, each positive weighted
by ``lp_edge_weight_for_loss``.

**Leakage control** (``exclude_training_targets``, default true): a batch's positive edges and
their reverses (``reverse_edge_types_map``, else the graph's recorded reverse types) never
carry messages, and neither do the val/test edges of the train/eval types (and reverses), in
training and in evaluation; full-ranking embeddings are computed on the graph without those
held-out edges.

**Evaluation** (``lp_eval_ranking``):

* ``sampled`` (default): each val/test edge is ranked against ``num_negative_edges_eval``
  destinations drawn by ``eval_negative_sampler`` (or the fixed negatives of
  ``eval_etypes_negative_dstnode``); metrics ``mrr``, ``hit_at_K``.
* ``full``: each edge is ranked against **every** node of its destination type, filtered
  (other known true edges of the source do not count), with embeddings computed once by
  layer-wise full-graph inference (:mod:`graphstorm_py.eval.full_ranking`); metrics
  ``full_mrr``, ``full_hit_at_K``.

With ``report_eval_per_type`` a metric is ``{"src,rel,dst": value}``; the trainer selects
models by their mean.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Dict, Iterator, List, Mapping, Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from graphstorm_py.config import syntax
from graphstorm_py.errors import ConfigError
from graphstorm_py.eval import Metric
from graphstorm_py.eval.full_ranking import KnownEdges, full_ranking_ranks
from graphstorm_py.eval.ranking import ranks_from_scores
from graphstorm_py.nn.decoders import LP_DECODERS
from graphstorm_py.nn.losses import LP_LOSSES
from graphstorm_py.sampling.negative import NegContext, Negatives, part_ranges_of, sample_negatives
from graphstorm_py.sampling.neighbor_sampler import ExcludeEids
from graphstorm_py.tasks.lp_schedule import all_etype_batches, all_etype_num_batches
from graphstorm_py.tasks.base import Task, TaskBatch
from graphstorm_py.tasks.link_prediction_targets import LPTargets, fmt_etype
from graphstorm_py.typing import EdgeType

__all__ = ["LinkPredictionTask"]

_MASKED = -1e4   # score given to masked negatives in the loss (contributes ~nothing)


def _per_etype(mapping, etype: EdgeType):
    if not mapping:
        return None
    return mapping.get(tuple(etype), mapping.get(syntax.ANY_ETYPE))


class LinkPredictionTask(Task):
    """See the module docstring. Arguments as :class:`~graphstorm_py.tasks.node.NodeTask`."""

    task_type = "link_prediction"

    def __init__(self, config, dataset, name: Optional[str] = None, *, seed: int = 0,
                 decoder_ffn_layers: int = 0, dropout: float = 0.0, inference: bool = False,
                 decoder_etypes: Optional[Mapping[str, List[EdgeType]]] = None):
        super().__init__(config, name or "link_prediction", inference=inference)
        c = config
        # {task name: edge types} of trained decoders (a checkpoint's): what inference falls back to
        # when neither train_etype nor train masks name the edge types
        self._decoder_etypes = dict(decoder_etypes or {})
        self.dataset, self.seed = dataset, seed
        self.full_ranking = c.lp_eval_ranking == "full"
        if self.full_ranking:
            self.metrics = [Metric("full_" + m.name, m.fn, needs_candidates=m.needs_candidates) for m in self.metrics]
        if not c.sampler_implemented:
            raise ConfigError(f"link_prediction: negative sampler "
                              f"{c.train_negative_sampler!r}/{c.eval_negative_sampler!r} is not implemented; "
                              "use uniform, joint, inbatch_joint, localuniform or localjoint")
        self.generator = torch.Generator()
        self.generator.manual_seed(int(seed))
        self.eval_generator = torch.Generator()
        self.batch_size = int(c.batch_size or 1024)
        loss_cls = LP_LOSSES.get(c.lp_loss_func, key="lp_loss_func")
        if c.lp_loss_func == "contrastive":
            self.loss_fn = loss_cls(temperature=c.contrastive_loss_temperature)
        elif c.lp_loss_func == "cross_entropy":
            self.loss_fn = loss_cls(adversarial_temperature=c.adversarial_temperature)
        else:
            self.loss_fn = loss_cls()
        if not inference:   # at inference the name may still change (build_tasks), and it picks the defaults
            self.targets    # validate etypes, masks, reverse map and hard negatives now

    # ---- targets --------------------------------------------------------------------------
    @cached_property
    def targets(self) -> LPTargets:
        c = self.config
        t = LPTargets(self.dataset, c.train_etype, c.eval_etype, c.mask_fields, c.reverse_edge_types_map,
                      require_labels=not self.inference, default_etypes=self._decoder_etypes.get(self.name))
        if self.inference:   # hard negatives are only read to train and evaluate
            return t
        for key, etypes in (("train_etypes_negative_dstnode", t.train_etypes),
                            ("eval_etypes_negative_dstnode", t.eval_etypes)):
            for et in etypes:
                field = _per_etype(getattr(c, key), et)
                if field is not None and not self.dataset.has_edge_array(et, field):
                    raise ConfigError(f"{key}: edge type {fmt_etype(et)!r} has no edge feature {field!r}")
        return t

    @cached_property
    def _train_pairs(self) -> torch.Tensor:
        """``[E, 2]`` (edge type index, eid) of every training edge."""
        parts = [torch.stack([torch.full_like(e, i), e], 1)
                 for i, et in enumerate(self.targets.train_etypes)
                 for e in [self.targets.eids[(et, "train")]]]
        return torch.cat(parts)

    @cached_property
    def _held_out(self) -> Dict[EdgeType, torch.Tensor]:
        return self.targets.held_out() if self.config.exclude_training_targets else {}

    @property
    def output_name(self) -> str:
        """gs-infer's prediction dataset name: ``src_rel_dst`` of the (first) eval edge type."""
        return "_".join(self.targets.eval_etypes[0])

    def num_train_batches(self) -> int:
        if self._all_etype:
            return all_etype_num_batches(self._train_eids, self.batch_size)
        return (self._train_pairs.size(0) + self.batch_size - 1) // self.batch_size

    def split_size(self, split: str) -> int:
        ets = self.targets.train_etypes if split == "train" else self.targets.eval_etypes
        return int(sum(self.targets.eids[(et, split)].numel() for et in ets))

    def _ctx(self, etype: EdgeType, generator) -> NegContext:
        nt = etype[2]
        return NegContext(self.dataset.num_nodes(nt), part_ranges_of(self.dataset.meta, nt), generator)

    def _hard(self, key: str, etype: EdgeType, eids: torch.Tensor) -> Optional[torch.Tensor]:
        field = _per_etype(getattr(self.config, key), etype)
        if field is None:
            return None
        src = self.dataset.edge_array(etype, field)
        arr = np.asarray(src[eids.numpy()])
        return torch.from_numpy(arr.reshape(len(eids), int(np.prod(src.shape[1:]))).astype(np.int64))

    def _negatives(self, etype, eids, src, dst, train: bool, gen) -> Negatives:
        c = self.config
        if not train:
            fixed = self._hard("eval_etypes_negative_dstnode", etype, eids)
            if fixed is not None:   # fixed eval negatives; -1 padding is masked
                return Negatives(fixed.clamp(min=0), shared=False, valid=fixed >= 0)
        name = c.base_sampler(c.train_negative_sampler if train else c.eval_negative_sampler)
        k = c.num_negative_edges if train else c.num_negative_edges_eval
        neg = sample_negatives(name, src, dst, k, self._ctx(etype, gen))
        hard = self._hard("train_etypes_negative_dstnode", etype, eids) if train else None
        if hard is None:
            return neg
        nh = _per_etype(c.num_train_hard_negatives, etype) or hard.size(1)
        nh = min(int(nh), hard.size(1), k)
        neg = neg.per_row(src.numel())
        out = neg.dst.clone()
        h = hard[:, :nh]
        out[:, :nh] = torch.where(h >= 0, h, out[:, :nh])    # padding keeps the sampled node
        return Negatives(out, shared=False)

    def _make_batch(self, per_etype: Dict[EdgeType, torch.Tensor], train: bool, gen) -> TaskBatch:
        nodes: Dict[str, List[torch.Tensor]] = {}
        groups = []
        for et, eids in per_etype.items():
            src, dst = self.targets.endpoints(et, eids)
            neg = self._negatives(et, eids, src, dst, train, gen)
            groups.append({"etype": et, "eids": eids, "src": src, "dst": dst, "neg": neg})
            for nt, ids in ((et[0], src), (et[2], dst), (et[2], neg.dst.reshape(-1))):
                nodes.setdefault(nt, []).append(ids)
        seeds, offsets = {}, {}
        for nt, parts in nodes.items():
            seeds[nt], inv = torch.unique(torch.cat(parts), return_inverse=True)
            offsets[nt] = list(inv.split([p.numel() for p in parts]))
        for g in groups:
            et = g["etype"]
            g["src_idx"] = offsets[et[0]].pop(0)
            g["dst_idx"] = offsets[et[2]].pop(0)
            g["neg_idx"] = offsets[et[2]].pop(0).reshape(g["neg"].dst.shape)
            wfield = _per_etype(self.config.lp_edge_weight_for_loss, et) if train else None
            g["weight"] = (None if wfield is None else torch.from_numpy(np.asarray(
                self.dataset.edge_array(et, wfield)[g["eids"].numpy()], dtype=np.float32).reshape(-1)))
        exclude = None
        if self.config.exclude_training_targets:
            excl = self.targets.with_reverses(per_etype) if train else {}
            sampler = self.config.train_negative_sampler if train else self.config.eval_negative_sampler
            if sampler.startswith("fast_"):   # held-out edges are trimmed after sampling (GraphStorm's fast_*)
                exclude = ExcludeEids(excl, self._held_out) if (excl or self._held_out) else None
            else:
                for et, e in self._held_out.items():
                    excl[et] = torch.cat([excl[et], e]) if et in excl else e
                exclude = excl or None
        return TaskBatch(seeds=seeds, exclude_eids=exclude, extra={"groups": groups})

    def _split_batches(self, pairs: torch.Tensor, etypes, train: bool, gen) -> Iterator[TaskBatch]:
        for chunk in pairs.split(self.batch_size):
            per = {}
            for i, et in enumerate(etypes):
                sel = chunk[chunk[:, 0] == i, 1]
                if sel.numel():
                    per[et] = sel
            yield self._make_batch(per, train, gen)

    def train_batches(self, epoch: int) -> Iterator[TaskBatch]:
        if self._all_etype:
            return (self._make_batch(per, True, self.generator) for per in
                    all_etype_batches(self._train_eids, self.batch_size, self.generator))
        pairs = self._train_pairs[torch.randperm(self._train_pairs.size(0), generator=self.generator)]
        return self._split_batches(pairs, self.targets.train_etypes, True, self.generator)

    @property
    def _all_etype(self) -> bool:
        return self.config.train_negative_sampler.startswith("all_etype_")

    @property
    def _train_eids(self) -> Dict[EdgeType, torch.Tensor]:
        return {et: self.targets.eids[(et, "train")] for et in self.targets.train_etypes}

    def eval_batches(self, split: str, batch_size: int) -> Iterator[TaskBatch]:
        ets = self.targets.eval_etypes
        pairs = torch.cat([torch.stack([torch.full_like(e, i), e], 1)
                           for i, et in enumerate(ets) for e in [self.targets.eids[(et, split)]]])
        self.eval_generator.manual_seed(int(self.seed) + 7919)  # the same negatives every evaluation
        old, self.batch_size = self.batch_size, int(batch_size)
        try:
            yield from self._split_batches(pairs, ets, False, self.eval_generator)
        finally:
            self.batch_size = old

    # ---- model side -----------------------------------------------------------------------
    def build_decoder(self, in_dim: int) -> nn.Module:
        c = self.config
        ets = sorted(set(self.targets.train_etypes) | set(self.targets.eval_etypes))
        return LP_DECODERS.get(c.lp_decoder_type, key="lp_decoder_type")(ets, in_dim, c.gamma)

    def _norm(self, h: torch.Tensor) -> torch.Tensor:
        return F.normalize(h, dim=-1) if self.config.lp_embed_normalizer == "l2_norm" else h

    def _scores(self, decoder, emb: Mapping[str, torch.Tensor], g) -> tuple:
        et = g["etype"]
        hs = self._norm(emb[et[0]][g["src_idx"]])
        hd = self._norm(emb[et[2]][g["dst_idx"]])
        hn = self._norm(emb[et[2]][g["neg_idx"]])
        pos = decoder.score(hs, hd, et)
        neg_ = g["neg"]
        neg = decoder.score_candidates(hs, hn, et) if neg_.shared else decoder.score(hs[:, None], hn, et)
        return pos, neg, neg_.scores_mask(g["dst"]).to(neg.device)

    def loss(self, decoder: nn.Module, emb: Mapping[str, torch.Tensor], batch: TaskBatch) -> torch.Tensor:
        total, count = 0.0, 0
        for g in batch.extra["groups"]:
            pos, neg, mask = self._scores(decoder, emb, g)
            neg = neg.masked_fill(~mask, _MASKED)
            w = None if g["weight"] is None else g["weight"].to(pos.device)
            total = total + self.loss_fn(pos, neg, w) * pos.numel()
            count += pos.numel()
        return total / max(count, 1)

    def predict(self, decoder: nn.Module, emb: Mapping[str, torch.Tensor], batch: TaskBatch) -> torch.Tensor:
        """Rank of each positive among its negatives (ties count half), groups concatenated."""
        return torch.cat([self._group_ranks(decoder, emb, g) for g in batch.extra["groups"]])

    def _group_ranks(self, decoder, emb, g, with_sizes: bool = False):
        pos, neg, mask = self._scores(decoder, emb, g)
        neg = neg.masked_fill(~mask, float("-inf"))
        ranks = ranks_from_scores(pos.float().cpu(), neg.float().cpu())
        if not with_sizes:
            return ranks
        # candidate set: the scored negatives plus the true edge (GraphStorm's AMRI candidate size)
        return ranks, mask.expand(neg.shape).sum(1).cpu().double() + 1

    @property
    def _needs_candidates(self) -> bool:
        return any(m.needs_candidates for m in self.metrics)

    # ---- metrics --------------------------------------------------------------------------
    def metrics_of_ranks(self, ranks: Mapping[EdgeType, torch.Tensor],
                         sizes: Optional[Mapping[EdgeType, torch.Tensor]] = None) -> Dict[str, Any]:
        """``{metric: value}`` over all edge types, or per type with ``report_eval_per_type``.

        ``sizes`` (candidate set size per ranked edge) feed the metrics that need them (``amri``)."""
        def value(m, ets):
            r = torch.cat([ranks[et] for et in ets])
            if not m.needs_candidates:
                return m(r)
            if sizes is None:
                raise ValueError(f"metric {m.name!r} needs the candidate set sizes of the ranks")
            return m(r, torch.cat([sizes[et] for et in ets]))
        if self.config.report_eval_per_type:
            return {m.name: {fmt_etype(et): value(m, [et]) for et in ranks} for m in self.metrics}
        return {m.name: value(m, list(ranks)) for m in self.metrics}

    def compute_metrics(self, preds: torch.Tensor, labels=None) -> Dict[str, Any]:
        return {m.name: m(preds) for m in self.metrics}

    @torch.no_grad()
    def evaluate(self, decoder: nn.Module, embedder, split: str, batch_size: int) -> Optional[Dict[str, Any]]:
        if self.split_size(split) == 0:
            return None
        sizes = None
        if self._needs_candidates:
            ranks, sizes = (self.full_ranks(decoder, embedder, split, with_sizes=True) if self.full_ranking else
                            self.sampled_ranks(decoder, embedder, split, batch_size, with_sizes=True))
        else:
            ranks = self.full_ranks(decoder, embedder, split) if self.full_ranking else \
                self.sampled_ranks(decoder, embedder, split, batch_size)
        return self.metrics_of_ranks({et: r for et, r in ranks.items() if r.numel()}, sizes)

    def sampled_ranks(self, decoder, embedder, split: str, batch_size: int, with_sizes: bool = False):
        """Ranks against sampled (or fixed) negatives, per eval edge type; with ``with_sizes``
        also the candidate set size of each ranked edge: ``(ranks, sizes)``."""
        from graphstorm_py.model.embed import FullGraphEmbedder
        if isinstance(embedder, FullGraphEmbedder):
            embedder = self.eval_full_embedder(embedder)
        out: Dict[EdgeType, List[torch.Tensor]] = {et: [] for et in self.targets.eval_etypes}
        size: Dict[EdgeType, List[torch.Tensor]] = {et: [] for et in self.targets.eval_etypes}
        for batch in self.eval_batches(split, batch_size):
            emb = embedder(batch.seeds, batch.exclude_eids, batch.exclude_etypes)
            for g in batch.extra["groups"]:
                r = self._group_ranks(decoder, emb, g, with_sizes)
                out[g["etype"]].append(r[0] if with_sizes else r)
                if with_sizes:
                    size[g["etype"]].append(r[1])
        ranks = {et: torch.cat(v) if v else torch.empty(0) for et, v in out.items()}
        if not with_sizes:
            return ranks
        return ranks, {et: torch.cat(v) if v else torch.empty(0) for et, v in size.items()}

    def eval_full_embedder(self, embedder):
        """A layer-wise full-graph embedder over the graph without the held-out edges.

        Built from the model/features of ``embedder`` (mini-batch or full-graph); its cache
        is computed on first use, once per evaluation.
        """
        from graphstorm_py.model.embed import FullGraphEmbedder
        from graphstorm_py.sampling.csc_graph import CSCGraph
        graph = embedder.graph if isinstance(embedder, FullGraphEmbedder) else embedder.sampler.graph
        csc, eid_maps = dict(graph.csc), {}
        for et, eids in self._held_out.items():
            indptr, indices = csc[et]
            keep = torch.ones(indices.numel(), dtype=torch.bool, device=indices.device)
            keep[eids.to(indices.device)] = False
            dst = torch.repeat_interleave(torch.arange(indptr.numel() - 1, device=indptr.device),
                                          indptr[1:] - indptr[:-1])
            counts = torch.bincount(dst[keep], minlength=indptr.numel() - 1)
            new_ptr = torch.zeros_like(indptr)
            torch.cumsum(counts, 0, out=new_ptr[1:])
            csc[et] = (new_ptr, indices[keep])
            eid_maps[et] = torch.nonzero(keep).flatten().cpu()   # pruned position -> eid (edge features)
        pruned = CSCGraph(csc, dict(graph.num_nodes))
        bs = getattr(embedder, "batch_size", 4096)
        from graphstorm_py.model.edge_features import remap_edge_features
        return FullGraphEmbedder(embedder.model, pruned, embedder.features, bs, embedder.device,
                                 remap_edge_features(getattr(embedder, "edge_features", None), eid_maps))

    def full_ranks(self, decoder, embedder, split: str, filtered: bool = True, with_sizes: bool = False,
                   table=None, select=None):
        """Exact (filtered) ranks against every destination node, per eval edge type; with
        ``with_sizes`` also each edge's candidate set size: ``(ranks, sizes)``. ``table``: the
        embeddings to rank with (default: :meth:`eval_full_embedder`'s); ``select(eids)``: the
        part of each type's eval edges to rank (a distributed worker's share)."""
        table = self.eval_full_embedder(embedder).all() if table is None else table
        out, sizes = {}, {}
        for et in self.targets.eval_etypes:
            eids = self.targets.eids[(et, split)]
            eids = eids if select is None else select(eids)
            src, dst = self.targets.endpoints(et, eids)
            known = None
            if filtered:
                asrc, adst = self.targets.coo(et)
                known = KnownEdges(asrc, adst, self.dataset.num_nodes(et[0]))
            hs = self._norm(table[et[0]][src])
            cand = self._norm(table[et[2]])
            out[et] = full_ranking_ranks(lambda s, c, et=et: decoder.score_candidates(s, c, et),
                                         hs, dst, cand, known, src,
                                         pair_score_fn=lambda s, d, et=et: decoder.score(s, d, et))
            if with_sizes:
                n = self.dataset.num_nodes(et[2])
                sz = torch.full((src.numel(),), float(n), dtype=torch.double)
                if known is not None and src.numel():   # every other known destination is filtered out
                    row, kd = known.pairs(src.long())
                    uniq = torch.unique(row * max(n, 1) + kd)
                    sz -= torch.bincount(uniq // max(n, 1), minlength=src.numel()).double() - 1
                sizes[et] = sz
        return (out, sizes) if with_sizes else out

    def state_dict(self) -> Dict[str, Any]:
        return {"loader_rng": self.generator.get_state()}

    def load_state_dict(self, state) -> None:
        if "loader_rng" in state:
            self.generator.set_state(state["loader_rng"])
