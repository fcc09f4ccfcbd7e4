"""Input features of nodes: which arrays feed the input encoder, gathered by nid.

GraphStorm's ``node_feat_name`` picks feature arrays per node type
(``["user:age_feat,gender", "movie:title"]``, or ``["feat"]`` for every type). For a batch of
nodes, :class:`NodeFeatureSource` gathers each named array from the feature store, flattens
the rows and concatenates them along dim 1, in the order given::

    feats = NodeFeatureSource.from_config(store, cfg.gnn.node_feat_name, ds.ntypes)
    feats.dims                                # {"user": 24, "movie": 384}
    feats({"user": torch.tensor([0, 5])})     # {"user": FloatTensor [2, 24]}

Node types without features are absent from :attr:`dims` and from the result; the input
encoder gives them learnable (sparse) embeddings. A named feature that a node type does not
have, or a node type the graph does not have, is a :class:`~graphstorm_py.errors.ConfigError`
naming it: nothing is silently dropped.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Sequence

import torch

from graphstorm_py.config.suggest import did_you_mean
from graphstorm_py.config.syntax import ANY_NTYPE
from graphstorm_py.errors import ConfigError
from graphstorm_py.store.base import FeatureStore

__all__ = ["NodeFeatureSource"]


class NodeFeatureSource:
    """Gathers and concatenates the configured feature arrays of nodes.

    Args:
        store: where rows come from (memory-mapped locally, or a distributed store).
        feat_names: ``{ntype: [array names]}``; types with an empty list have no features.
    """

    def __init__(self, store: FeatureStore, feat_names: Mapping[str, Sequence[str]]):
        self.store = store
        self.feat_names: Dict[str, List[str]] = {t: list(v) for t, v in feat_names.items() if v}
        self._widths: Dict[str, List[int]] = {t: [store.dim(t, n) for n in names]
                                              for t, names in self.feat_names.items()}
        self.dims: Dict[str, int] = {t: sum(w) for t, w in self._widths.items()}

    @classmethod
    def from_config(cls, store: FeatureStore, node_feat_name: Optional[Mapping[str, Sequence[str]]],
                    ntypes: Sequence[str]) -> "NodeFeatureSource":
        """Resolve GraphStorm's ``node_feat_name`` (as parsed by the config) against the graph."""
        node_feat_name = dict(node_feat_name or {})
        for t in node_feat_name:
            if t != ANY_NTYPE and t not in ntypes:
                raise ConfigError(f"node_feat_name names node type {t!r}, which the graph does not have; "
                                  f"node types: {', '.join(ntypes)}{did_you_mean(t, ntypes)}")
        names: Dict[str, List[str]] = {}
        for t in ntypes:
            wanted = node_feat_name.get(t, node_feat_name.get(ANY_NTYPE, []))
            for name in wanted:
                if not store.has(t, name):
                    have = store.names(t)
                    raise ConfigError(f"node_feat_name: node type {t!r} has no feature {name!r}; "
                                      f"it has {', '.join(have) or 'no arrays'}{did_you_mean(name, have)}")
            names[t] = list(wanted)
        return cls(store, names)

    def __call__(self, nids: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """``{ntype: FloatTensor [len(nids), dims[ntype]]}`` for the featured types in ``nids``."""
        out = {}
        for t, ids in nids.items():
            names = self.feat_names.get(t)
            if not names:
                continue
            ids = ids.cpu()
            # the width is explicit: a batch with 0 nodes of a type still gets a [0, dim] tensor
            cols = [self.store.gather(t, n, ids).reshape(ids.numel(), w).float()
                    for n, w in zip(names, self._widths[t])]
            out[t] = cols[0] if len(cols) == 1 else torch.cat(cols, dim=1)
        return out
