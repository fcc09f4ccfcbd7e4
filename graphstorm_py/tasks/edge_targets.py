"""Targets of an edge task: the labelled edges of one edge type, split by masks.

:class:`EdgeTargets` reads the label array of ``target_etype`` and its three edge masks
(``mask_fields``, default ``train_mask``/``val_mask``/``test_mask``) once, and keeps the eids
of each split. Eids are positions in the whole-graph CSC, so ``labels(eids)``,
``endpoints(eids)`` and ``edge_feats(eids)`` are all row lookups in eid order
(:meth:`GraphDataset.edge_array` / :meth:`GraphDataset.coo`) and stay aligned by construction.

It also resolves the **reverse** edge type of the target (``reverse_edge_types_map``, else the
type the graph records as ``reverse_of``), which ``remove_target_edge_type`` drops from
message passing together with the target type.

At inference (``require_labels=False``) the label and the masks are optional: a new graph
without them still gives endpoints, edge features and the reverse type; the splits whose
mask is absent are empty, and asking for labels that are not there is a ``ConfigError``.
"""

from __future__ import annotations

import logging
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch

from graphstorm_py.config.suggest import did_you_mean
from graphstorm_py.errors import ConfigError, DataError
from graphstorm_py.tasks.link_prediction_targets import EdgeLookup
from graphstorm_py.typing import EdgeType

__all__ = ["EdgeTargets"]

log = logging.getLogger(__name__)


def _fmt(etype: Sequence[str]) -> str:
    return ",".join(etype)


class EdgeTargets:
    """Labelled edges of ``etype`` per split.

    Args:
        dataset: a :class:`~graphstorm_py.graph.GraphDataset`.
        etype: the target edge type (``target_etype``).
        label_field: the edge label (``label_field``).
        mask_fields: names of the train, val and test edge masks.
        reverse_map: ``{etype: reverse}`` from ``reverse_edge_types_map``.
        edge_feat_names: edge features the decoder reads (``decoder_edge_feat``).
        require_labels: training needs the label and a non-empty train mask; inference does not.
    """

    def __init__(self, dataset, etype: EdgeType, label_field: str, mask_fields: Sequence[str],
                 reverse_map: Optional[Mapping[EdgeType, EdgeType]] = None,
                 edge_feat_names: Optional[Sequence[str]] = None, require_labels: bool = True):
        etype = tuple(etype)
        graph_etypes = [tuple(e) for e in dataset.etypes]
        names = [_fmt(e) for e in graph_etypes]
        if etype not in graph_etypes:
            raise ConfigError(f"target_etype {_fmt(etype)!r} is not an edge type of the graph; "
                              f"edge types: {'; '.join(names)}{did_you_mean(_fmt(etype), names)}")
        for src, dst in (reverse_map or {}).items():
            for et, what in ((src, "edge type"), (dst, "reverse edge type")):
                if tuple(et) not in graph_etypes:
                    raise ConfigError(f"reverse_edge_types_map: {what} {_fmt(et)!r} is not in the graph; "
                                      f"edge types: {'; '.join(names)}")
        labels_meta = dataset.meta.edge_type(etype).get("labels", {}) or {}
        self.has_labels = dataset.has_edge_array(etype, label_field)
        if require_labels and not self.has_labels:
            raise ConfigError(f"label_field {label_field!r}: edge type {_fmt(etype)!r} has no such label; "
                              f"its labels: {', '.join(labels_meta) or 'none'}"
                              f"{did_you_mean(label_field, list(labels_meta))}")
        self.dataset, self.etype, self.label_field = dataset, etype, label_field
        rev = (reverse_map or {}).get(etype) or dataset.meta.reverse_etype(etype)
        self.reverse: Optional[EdgeType] = tuple(rev) if rev is not None else None
        self._labels = dataset.edge_array(etype, label_field) if self.has_labels else None
        self.feat_names: List[str] = list(edge_feat_names or [])
        feats_meta = dataset.meta.edge_type(etype).get("features", {}) or {}
        for f in self.feat_names:
            if not dataset.has_edge_array(etype, f):
                raise ConfigError(f"decoder_edge_feat {f!r}: edge type {_fmt(etype)!r} has no such feature; "
                                  f"its features: {', '.join(feats_meta) or 'none'}{did_you_mean(f, list(feats_meta))}")
        self.eids: Dict[str, torch.Tensor] = {}
        for split, mask in zip(("train", "val", "test"), mask_fields):
            if not dataset.has_edge_array(etype, mask):
                if split == "train" and require_labels:
                    labs = dataset.meta.edge_type(etype).get("labels", {}) or {}
                    have = sorted({m for lab in labs.values() for m in (lab.get("masks") or {}).values()}
                                  | {"train_mask", "val_mask", "test_mask"})
                    have = [m for m in have if dataset.has_edge_array(etype, m)]
                    raise ConfigError(f"mask_fields: edge type {_fmt(etype)!r} has no train mask {mask!r}; its masks: "
                                      f"{', '.join(have) or 'none'}{did_you_mean(mask, have)}")
                if require_labels:
                    log.warning("edge type %s has no %s mask %r: that split is not evaluated",
                                _fmt(etype), split, mask)
                self.eids[split] = torch.empty(0, dtype=torch.long)
                continue
            m = np.asarray(dataset.edge_array(etype, mask)).reshape(-1)
            self.eids[split] = torch.from_numpy(np.flatnonzero(m).astype(np.int64))
        if require_labels and self.eids["train"].numel() == 0:
            raise DataError(f"edge type {_fmt(etype)!r} has no training edges in mask {mask_fields[0]!r}")
        src, dst = dataset.coo(etype)
        self._src = torch.as_tensor(np.asarray(src)).long()
        self._dst = torch.as_tensor(np.asarray(dst)).long()
        self._lookup: Optional[EdgeLookup] = None

    @property
    def removed_etypes(self) -> List[EdgeType]:
        """The target type and its reverse (what ``remove_target_edge_type`` drops)."""
        return [self.etype] + ([self.reverse] if self.reverse and self.reverse != self.etype else [])

    def labels(self, eids: torch.Tensor) -> torch.Tensor:
        """Label rows of ``eids`` (floats as float32, integers as int64)."""
        if self._labels is None:
            raise ConfigError(f"label_field {self.label_field!r}: edge type {_fmt(self.etype)!r} of this graph "
                              "has no such label, so it can be predicted but not evaluated")
        t = torch.from_numpy(np.ascontiguousarray(np.asarray(self._labels[eids.numpy()])))
        return t.float() if t.is_floating_point() else t.long()

    def endpoints(self, eids: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(src nids, dst nids)`` of ``eids``."""
        return self._src[eids], self._dst[eids]

    def edge_feats(self, eids: torch.Tensor) -> Optional[torch.Tensor]:
        """``decoder_edge_feat`` rows of ``eids``, concatenated (``None`` without any)."""
        if not self.feat_names:
            return None
        arrays = [self.dataset.edge_array(self.etype, f) for f in self.feat_names]
        cols = [np.asarray(a[eids.numpy()], dtype=np.float32).reshape(len(eids), int(np.prod(a.shape[1:])))
                for a in arrays]
        return torch.from_numpy(np.concatenate(cols, axis=1))

    def edge_feat_dim(self) -> Optional[int]:
        """Width of :meth:`edge_feats` rows (from the arrays' shapes: no edge needs to be labelled)."""
        if not self.feat_names:
            return None
        shapes = [self.dataset.edge_array(self.etype, f).shape[1:] for f in self.feat_names]
        return int(sum(int(np.prod(s)) for s in shapes))

    def with_reverse(self, eids: torch.Tensor) -> Dict[EdgeType, torch.Tensor]:
        """``{target etype: eids}`` plus the reverse edges of ``eids`` (every parallel one)."""
        out = {self.etype: eids}
        if self.reverse is None or self.reverse == self.etype:
            return out
        if self._lookup is None:
            rs, rd = (torch.as_tensor(np.asarray(a)).long() for a in self.dataset.coo(self.reverse))
            self._lookup = EdgeLookup(rs, rd, self.dataset.num_nodes(self.reverse[2]))
        src, dst = self.endpoints(eids)
        out[self.reverse] = self._lookup.find(dst, src)
        return out

    def all_labelled(self) -> torch.Tensor:
        return torch.cat([self.eids[s] for s in ("train", "val", "test")])
