"""Targets of link prediction: the masked edges of each train/eval edge type, and their reverses.

:class:`LPTargets` reads, per edge type, the endpoints of every edge (``coo``) and the eids of
each split from the edge masks (``mask_fields``; gs-construct writes ``train_mask`` /
``val_mask`` / ``test_mask`` for ``link_prediction`` labels). Eids are positions in the
whole-graph CSC, the ids :meth:`NeighborSampler.sample` excludes.

Leakage control needs the **reverse** of each edge: the edge ``(v, u)`` of the reverse type
(``reverse_edge_types_map``, else the type the graph records as ``reverse_of``).
:class:`EdgeLookup` finds the eids of given ``(src, dst)`` pairs in an edge type by a binary
search over sorted ``src * N_dst + dst`` keys (every parallel edge is returned).

At inference (``require_labels=False``) masks are optional: a split whose mask is absent is
empty, and without ``train_etype`` the edge types are ``default_etypes`` (those the trained
decoder was built for, from the checkpoint), else those with a train mask, else, as GraphStorm
does, every edge type that is not the reverse of another.
"""

from __future__ import annotations

import logging
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch

from graphstorm_py.config.suggest import did_you_mean
from graphstorm_py.errors import ConfigError, DataError
from graphstorm_py.typing import EdgeType

__all__ = ["LPTargets", "EdgeLookup", "fmt_etype"]

log = logging.getLogger(__name__)


def fmt_etype(etype: Sequence[str]) -> str:
    return ",".join(etype)


class EdgeLookup:
    """eids of ``(src, dst)`` pairs in one edge type (all parallel edges)."""

    def __init__(self, src: torch.Tensor, dst: torch.Tensor, num_dst: int):
        self.num_dst = max(int(num_dst), 1)
        keys = src.long() * self.num_dst + dst.long()
        self.keys, self.eids = torch.sort(keys, stable=True)

    def find(self, src: torch.Tensor, dst: torch.Tensor) -> torch.Tensor:
        q = src.long() * self.num_dst + dst.long()
        lo = torch.searchsorted(self.keys, q)
        hi = torch.searchsorted(self.keys, q, right=True)
        count = hi - lo
        if not count.numel() or int(count.max()) <= 1:
            return self.eids[lo[count == 1]]
        row = torch.repeat_interleave(torch.arange(q.numel()), count)
        first = torch.cumsum(count, 0) - count
        return self.eids[torch.arange(int(count.sum())) + (lo - first)[row]]


class LPTargets:
    """Edges of the train and eval edge types, by split.

    Args:
        dataset: the :class:`~graphstorm_py.graph.GraphDataset`.
        train_etypes / eval_etypes: edge types (``None``: every type with a train mask, or every
            type when none has one). A training type without a train mask trains on all its edges.
        mask_fields: names of the train, val and test edge masks.
        reverse_map: ``{etype: reverse etype}`` from ``reverse_edge_types_map``; types it does not
            name fall back to the graph's recorded reverses.
        require_labels: training needs the train masks; inference does not (see the module docstring).
        default_etypes: at inference, the edge types when ``train_etypes`` does not say.
    """

    def __init__(self, dataset, train_etypes: Optional[Sequence[EdgeType]],
                 eval_etypes: Optional[Sequence[EdgeType]], mask_fields: Sequence[str],
                 reverse_map: Optional[Mapping[EdgeType, EdgeType]] = None, require_labels: bool = True,
                 default_etypes: Optional[Sequence[EdgeType]] = None):
        self.dataset = dataset
        self.mask_fields = list(mask_fields)
        self.require_labels = require_labels
        graph_etypes = [tuple(e) for e in dataset.etypes]
        for key, etypes in (("train_etype", train_etypes), ("eval_etype", eval_etypes)):
            for et in etypes or ():
                if tuple(et) not in graph_etypes:
                    text = fmt_etype(et)
                    raise ConfigError(f"{key}: {text!r} is not an edge type of the graph; edge types: "
                                      f"{'; '.join(fmt_etype(e) for e in graph_etypes)}"
                                      f"{did_you_mean(text, [fmt_etype(e) for e in graph_etypes])}")
        masked = [e for e in graph_etypes if dataset.has_edge_array(e, self.mask_fields[0])]
        if not train_etypes and not require_labels and (default_etypes or not masked):
            masked = self._default_etypes(graph_etypes, default_etypes, reverse_map)
        # no train_etype: the types with a train mask; when none has one, every type (GraphStorm's
        # rule: a training edge type without a train mask trains on all of its edges)
        self.train_etypes: List[EdgeType] = [tuple(e) for e in train_etypes] if train_etypes else \
            (masked or list(graph_etypes))
        self.eval_etypes: List[EdgeType] = [tuple(e) for e in eval_etypes] if eval_etypes else list(self.train_etypes)
        if not self.train_etypes:
            raise ConfigError("link_prediction: the graph has no edge types to train on")
        self.reverse: Dict[EdgeType, Optional[EdgeType]] = {}
        for src, dst in (reverse_map or {}).items():
            for et, what in ((src, "edge type"), (dst, "reverse edge type")):
                if tuple(et) not in graph_etypes:
                    raise ConfigError(f"reverse_edge_types_map: {what} {fmt_etype(et)!r} is not in the graph; "
                                      f"edge types: {'; '.join(fmt_etype(e) for e in graph_etypes)}")
        for et in set(self.train_etypes) | set(self.eval_etypes):
            rev = (reverse_map or {}).get(et) or dataset.meta.reverse_etype(et)
            self.reverse[et] = tuple(rev) if rev is not None else None
        self._coo: Dict[EdgeType, Tuple[torch.Tensor, torch.Tensor]] = {}
        self._lookup: Dict[EdgeType, EdgeLookup] = {}
        self.eids: Dict[Tuple[EdgeType, str], torch.Tensor] = {}
        for et in set(self.train_etypes) | set(self.eval_etypes):
            for split, mask in zip(("train", "val", "test"), self.mask_fields):
                self.eids[(et, split)] = self._mask_eids(et, split, mask, required=et in self.train_etypes
                                                         and split == "train")

    def _default_etypes(self, graph_etypes: List[EdgeType], default_etypes, reverse_map) -> List[EdgeType]:
        if default_etypes:
            return [tuple(e) for e in default_etypes if tuple(e) in graph_etypes]
        # GraphStorm's rule: every edge type but the reverse ones (named by the map, or recorded as reverse_of)
        reverses = {tuple(r) for r in (reverse_map or {}).values()}
        reverses |= {e for e in graph_etypes if self.dataset.meta.edge_type(e).get("reverse_of")}
        return [e for e in graph_etypes if e not in reverses]

    def _mask_eids(self, et: EdgeType, split: str, mask: str, required: bool) -> torch.Tensor:
        if not self.dataset.has_edge_array(et, mask):
            if required and self.require_labels:   # GraphStorm: a training edge type without a train mask trains on all its edges
                log.info("edge type %s has no train mask %r: all of its %d edges are training edges",
                         fmt_etype(et), mask, self.dataset.num_edges(et))
                return torch.arange(self.dataset.num_edges(et), dtype=torch.long)
            if self.require_labels:
                log.warning("edge type %s has no %s mask %r: that split is empty", fmt_etype(et), split, mask)
            return torch.empty(0, dtype=torch.long)
        m = np.asarray(self.dataset.edge_array(et, mask)).reshape(-1)
        eids = torch.from_numpy(np.flatnonzero(m).astype(np.int64))
        if required and self.require_labels and eids.numel() == 0:
            raise DataError(f"link_prediction: edge type {fmt_etype(et)!r} has no training edges in {mask!r}")
        return eids

    def coo(self, et: EdgeType) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(src, dst)`` nids of every edge of ``et``, by eid."""
        if et not in self._coo:
            src, dst = self.dataset.coo(et)
            self._coo[et] = (torch.as_tensor(np.asarray(src)).long(), torch.as_tensor(np.asarray(dst)).long())
        return self._coo[et]

    def endpoints(self, et: EdgeType, eids: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        src, dst = self.coo(et)
        return src[eids], dst[eids]

    def reverse_eids(self, et: EdgeType, eids: torch.Tensor) -> Tuple[Optional[EdgeType], torch.Tensor]:
        """The reverse edge type of ``et`` and the eids of the reverses of ``eids`` in it."""
        rev = self.reverse.get(et)
        if rev is None:
            return None, torch.empty(0, dtype=torch.long)
        if rev not in self._lookup:
            rs, rd = self.coo(rev)
            self._lookup[rev] = EdgeLookup(rs, rd, self.dataset.num_nodes(rev[2]))
        src, dst = self.endpoints(et, eids)
        return rev, self._lookup[rev].find(dst, src)

    def with_reverses(self, per_etype: Mapping[EdgeType, torch.Tensor]) -> Dict[EdgeType, torch.Tensor]:
        """``{etype: eids}`` plus the reverse edges of each, merged per edge type."""
        out: Dict[EdgeType, List[torch.Tensor]] = {}
        for et, eids in per_etype.items():
            out.setdefault(et, []).append(eids)
            rev, reids = self.reverse_eids(et, eids)
            if rev is not None:
                out.setdefault(rev, []).append(reids)
        return {et: torch.cat(v) for et, v in out.items()}

    def held_out(self) -> Dict[EdgeType, torch.Tensor]:
        """Every val and test edge of the train/eval types, and their reverses."""
        per = {}
        for et in set(self.train_etypes) | set(self.eval_etypes):
            per[et] = torch.cat([self.eids[(et, "val")], self.eids[(et, "test")]])
        return self.with_reverses(per)

    def split_eids(self, split: str, etypes: Sequence[EdgeType]) -> Dict[EdgeType, torch.Tensor]:
        return {et: self.eids[(et, split)] for et in etypes}
