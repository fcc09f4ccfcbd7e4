"""Edge features for message passing: which edge arrays feed the GNN, gathered by eid.

GraphStorm's ``edge_feat_name`` (``["user,rating,movie:rate,time"]``, or ``["feat"]`` for every
edge type) names edge feature arrays (``part-k/edges/<etype>/<name>.npy``, rows in eid order).
For the blocks of a mini-batch, :class:`EdgeFeatureSource` gathers each named array for every
block edge (``Block.eids``), flattens the rows and concatenates them along dim 1::

    efeats = EdgeFeatureSource.from_config(store, cfg.gnn.edge_feat_name, ds.etypes)
    efeats.dims                               # {("user", "rating", "movie"): 2}
    efeats.for_block(block)                   # {etype: FloatTensor [block edges, 2]}

The model's edge input encoder projects them to ``hidden_size`` (see
:class:`~graphstorm_py.nn.edge_input_encoder.EdgeInputEncoder`). A named feature that an edge type
does not have, or an edge type the graph does not have, is a
:class:`~graphstorm_py.errors.ConfigError` naming it.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Sequence

import torch

from graphstorm_py.config.suggest import did_you_mean
from graphstorm_py.config.syntax import ANY_ETYPE, dump_etype
from graphstorm_py.errors import ConfigError
from graphstorm_py.sampling.block import Block
from graphstorm_py.store.base import FeatureStore
from graphstorm_py.typing import EdgeType

__all__ = ["EdgeFeatureSource", "RemappedEdgeFeatures", "remap_edge_features"]


class EdgeFeatureSource:
    """Gathers and concatenates the configured edge feature arrays of block edges.

    Args:
        store: where rows come from.
        feat_names: ``{etype: [array names]}``; edge types absent have no features.
    """

    def __init__(self, store: FeatureStore, feat_names: Mapping[EdgeType, Sequence[str]]):
        self.store = store
        self.feat_names: Dict[EdgeType, List[str]] = {tuple(t): list(v) for t, v in feat_names.items() if v}
        self.dims: Dict[EdgeType, int] = {t: sum(store.edge_dim(t, n) for n in names)
                                          for t, names in self.feat_names.items()}

    @classmethod
    def from_config(cls, store: FeatureStore, edge_feat_name: Optional[Mapping[EdgeType, Sequence[str]]],
                    etypes: Sequence[EdgeType]) -> Optional["EdgeFeatureSource"]:
        """Resolve GraphStorm's ``edge_feat_name`` against the graph; ``None`` when it is not set."""
        if not edge_feat_name:
            return None
        etypes = [tuple(e) for e in etypes]
        shown = [dump_etype(e) for e in etypes]
        for et in edge_feat_name:
            if tuple(et) != ANY_ETYPE and tuple(et) not in etypes:
                raise ConfigError(f"edge_feat_name names edge type {dump_etype(et)!r}, which the graph does "
                                  f"not have; edge types: {'; '.join(shown)}{did_you_mean(dump_etype(et), shown)}")
        names: Dict[EdgeType, List[str]] = {}
        for et in etypes:
            wanted = edge_feat_name.get(et, edge_feat_name.get(ANY_ETYPE, []))
            for name in wanted:
                if not store.has_edges(et, name):
                    have = store.edge_names(et)
                    raise ConfigError(f"edge_feat_name: edge type {dump_etype(et)!r} has no feature {name!r}; "
                                      f"it has {', '.join(have) or 'no arrays'}{did_you_mean(name, have)}")
            if wanted:
                names[et] = list(wanted)
        return cls(store, names)

    def __call__(self, eids: Mapping[EdgeType, torch.Tensor]) -> Dict[EdgeType, torch.Tensor]:
        """``{etype: FloatTensor [len(eids), dims[etype]]}`` for the featured types in ``eids``."""
        out = {}
        for et, ids in eids.items():
            names = self.feat_names.get(tuple(et))
            if not names:
                continue
            ids = ids.cpu()
            # the width from the store, not -1: a batch (or an edge type) with 0 edges has no rows to infer it
            cols = [self.store.gather_edges(et, n, ids).reshape(ids.numel(), self.store.edge_dim(et, n)).float()
                    for n in names]
            out[tuple(et)] = cols[0] if len(cols) == 1 else torch.cat(cols, dim=1)
        return out

    def for_block(self, block: Block) -> Dict[EdgeType, torch.Tensor]:
        """Raw edge features of every edge of ``block`` (rows follow ``block.edge_index``)."""
        return self(block.eids)


class RemappedEdgeFeatures:
    """An edge feature source for a graph whose CSC dropped some edges (held-out or target edges).

    Positions in a pruned CSC are no longer eids; ``maps[etype][pos]`` gives the original eid of
    the edge at ``pos``. Edge types without a map are unchanged.
    """

    def __init__(self, source, maps: Mapping[EdgeType, torch.Tensor]):
        self.source, self.maps = source, {tuple(k): v for k, v in maps.items()}

    def __call__(self, eids: Mapping[EdgeType, torch.Tensor]) -> Dict[EdgeType, torch.Tensor]:
        return self.source({et: (self.maps[tuple(et)][ids.cpu()] if tuple(et) in self.maps else ids)
                            for et, ids in eids.items()})


def remap_edge_features(source, maps: Mapping[EdgeType, torch.Tensor]):
    """``source`` seen through pruned-CSC positions (``None`` stays ``None``)."""
    return None if source is None else RemappedEdgeFeatures(source, maps)
