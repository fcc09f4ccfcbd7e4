"""Feature rows of any node for a worker: its own rows from disk, remote rows from their owners.

:class:`DistFeatureStore` implements the :class:`~graphstorm_py.store.base.FeatureStore`
interface. It memory-maps only the owned partitions' arrays; a gather buckets the ids by owner,
sends each owner its ids in one exchange and gets the rows back in a second one. A gather is
a *collective*: every rank calls it in the same order (ranks with nothing to ask pass no ids).

:class:`DistNodeFeatureSource` is the model's feature function (see
:class:`~graphstorm_py.model.features.NodeFeatureSource`): for a batch it packs every featured
node type and every feature name, and the edge features of the batch's blocks (an edge's row
lives with its destination's owner), into **one** exchange of ids and one of float32 rows, and
serves the node rows it can from an optional :class:`~graphstorm_py.distributed.cache.RowCache`
first. :func:`fetch_batch` is what a trainer or embedder calls for a mini-batch.
"""

from __future__ import annotations

import copy
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch

from graphstorm_py import io
from graphstorm_py.model.features import NodeFeatureSource
from graphstorm_py.store.base import FeatureStore, TypeKey
from graphstorm_py.store.local import _STRUCTURE
from graphstorm_py.typing import EdgeType, etype_to_str

__all__ = ["DistFeatureStore", "DistNodeFeatureSource", "fetch_batch"]


class DistFeatureStore(FeatureStore):
    """Owned rows memory-mapped, remote rows by exchange (``ctx``: the worker's DistContext)."""

    def __init__(self, dataset, ctx):
        self.ds, self.ctx = dataset, ctx
        self._arrays: Dict[tuple, List[np.ndarray]] = {}
        self._name_cache: Dict[tuple, List[str]] = {}

    def _dir(self, kind: str, t: TypeKey, part: int) -> str:
        sub = ("nodes", t) if kind == "node" else ("edges", etype_to_str(t))  # type: ignore[arg-type]
        return io.join(self.ds.root, f"part-{part}", *sub)

    def _types(self, kind: str) -> Sequence[TypeKey]:
        return self.ds.ntypes if kind == "node" else self.ds.etypes

    def _count(self, kind: str, t: TypeKey) -> int:
        return self.ds.num_nodes(t) if kind == "node" else self.ds.num_edges(t)  # type: ignore[arg-type]

    def _names(self, kind: str, t: TypeKey) -> Sequence[str]:
        key = (kind, t)
        if key not in self._name_cache:
            files = io.list_dir(self._dir(kind, t, self.ctx.pmap.parts(self.ctx.rank)[0]))
            self._name_cache[key] = [f[:-4] for f in files if f.endswith(".npy") and f[:-4] not in _STRUCTURE]
        return self._name_cache[key]

    def _own(self, kind: str, t: TypeKey, name: str) -> List[np.ndarray]:
        key = (kind, t, name)
        if key not in self._arrays:
            self._arrays[key] = [np.asarray(io.load_npy(io.join(self._dir(kind, t, k), f"{name}.npy")))
                                 for k in self.ctx.pmap.parts(self.ctx.rank)]
        return self._arrays[key]

    def _row_shape(self, kind: str, t: TypeKey, name: str) -> Sequence[int]:
        return self._own(kind, t, name)[0].shape[1:]

    def _range(self, kind: str, t: TypeKey) -> Tuple[int, int]:
        pm = self.ctx.pmap
        return pm.node_range(self.ctx.rank, t) if kind == "node" else pm.edge_range(self.ctx.rank, t)  # type: ignore

    def own_rows(self, kind: str, t: TypeKey, name: str, ids: torch.Tensor) -> np.ndarray:
        """Rows of ids this rank owns (global ids)."""
        arrays = self._own(kind, t, name)
        lo = self._range(kind, t)[0]
        arr = arrays[0] if len(arrays) == 1 else self._arrays.setdefault((kind, t, name, "cat"),
                                                                          [np.concatenate(arrays)])[0]
        return arr[ids.numpy() - lo]

    def _owner(self, kind: str, t: TypeKey, ids: torch.Tensor) -> torch.Tensor:
        pm = self.ctx.pmap
        return pm.node_owner(t, ids) if kind == "node" else pm.edge_owner(t, ids)  # type: ignore[arg-type]

    def _gather(self, kind: str, t: TypeKey, name: str, ids: torch.Tensor):
        """Collective: ids to owners, rows back (as raw bytes, so any dtype travels)."""
        W, ex = self.ctx.world_size, self.ctx.exchanger
        own = self._owner(kind, t, ids)
        order = torch.argsort(own, stable=True)
        counts = torch.bincount(own, minlength=W).tolist()
        asked = ex.exchange(list(ids.index_select(0, order).split(counts)))
        shape = tuple(self._row_shape(kind, t, name))
        dtype = self._own(kind, t, name)[0].dtype
        replies = [torch.from_numpy(np.ascontiguousarray(self.own_rows(kind, t, name, a)).view(np.uint8).reshape(-1))
                   for a in asked]
        got = ex.exchange(replies)
        rows = np.concatenate([g.numpy().view(dtype).reshape((-1,) + shape) for g in got])
        out = np.empty_like(rows)
        out[order.numpy()] = rows
        return out


class DistNodeFeatureSource(NodeFeatureSource):
    """One packed exchange per batch for every featured node type and feature name, and for the
    edge features (``edge_feat_name``) of the batch's blocks: an edge's row lives with the owner
    of its destination, which is also the rank that sampled it.

    Args:
        store: the worker's :class:`DistFeatureStore`.
        feat_names: ``{ntype: [array names]}`` (``node_feat_name``, resolved).
        cache: an optional :class:`~graphstorm_py.distributed.cache.RowCache` of node rows.
        edge_feat_names: ``{etype: [array names]}`` (``edge_feat_name``, resolved), or ``None``.
    """

    def __init__(self, store: DistFeatureStore, feat_names: Mapping[str, Sequence[str]], cache=None,
                 edge_feat_names: Optional[Mapping[EdgeType, Sequence[str]]] = None):
        super().__init__(store, feat_names)
        self.cache = cache
        self.exchanger = None                   # None: the context's; a prefetch thread uses its own group's
        self._types = sorted(self.feat_names)
        self.edge_feat_names: Dict[EdgeType, List[str]] = {tuple(et): list(v)                 # type: ignore[misc]
                                                           for et, v in (edge_feat_names or {}).items() if v}
        self.edge_dims: Dict[EdgeType, int] = {et: sum(store.edge_dim(et, n) for n in names)
                                               for et, names in self.edge_feat_names.items()}
        self._etypes = sorted(self.edge_feat_names)

    def with_exchanger(self, exchanger) -> "DistNodeFeatureSource":
        """The same source (store, cache) talking over another exchanger."""
        other = copy.copy(self)
        other.exchanger = exchanger
        return other

    def own_features(self, ntype: str, ids: torch.Tensor) -> torch.Tensor:
        cols = [torch.from_numpy(np.ascontiguousarray(self.store.own_rows("node", ntype, n, ids)))
                .reshape(ids.numel(), -1).float() for n in self.feat_names[ntype]]
        return cols[0] if len(cols) == 1 else torch.cat(cols, dim=1)

    def own_edge_features(self, etype: EdgeType, eids: torch.Tensor) -> torch.Tensor:
        """Edge feature rows of eids this rank owns (global eids), ``[len(eids), edge_dims[etype]]``."""
        cols = [torch.from_numpy(np.ascontiguousarray(self.store.own_rows("edge", etype, n, eids)))
                .reshape(eids.numel(), -1).float() for n in self.edge_feat_names[etype]]
        return cols[0] if len(cols) == 1 else torch.cat(cols, dim=1)

    def __call__(self, nids: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        return self.fetch(nids)[0]

    def fetch(self, nids: Mapping[str, torch.Tensor], block_eids: Optional[Sequence[Mapping]] = None
              ) -> Tuple[Dict[str, torch.Tensor], Optional[List[Dict[EdgeType, torch.Tensor]]]]:
        """``(node rows, edge rows per block)`` in one exchange of ids and one of float32 rows.

        ``block_eids``: each block's ``eids`` (``None``: no edge rows, e.g. an empty batch; the
        exchange is the same collective either way). Edge rows follow each block's eids, for
        the featured edge types present in the block (as :class:`EdgeFeatureSource` gives them).
        """
        ctx = self.store.ctx
        W, pm, ex = ctx.world_size, ctx.pmap, self.exchanger or ctx.exchanger
        groups = [("node", t) for t in self._types] + [("edge", et) for et in self._etypes]
        ids_of: Dict[int, torch.Tensor] = {}
        for j, t in enumerate(self._types):
            if nids.get(t) is not None:
                ids_of[j] = nids[t].cpu().long()
        if block_eids is not None:
            for k, et in enumerate(self._etypes):
                parts = [b[et].cpu().long() for b in block_eids if et in b]
                if parts:
                    ids_of[len(self._types) + k] = torch.cat(parts)
        rows: Dict[int, torch.Tensor] = {}
        plan = {}                                   # group -> per-owner positions to fill
        counts = torch.zeros(W, len(groups), dtype=torch.long)
        send: List[List[torch.Tensor]] = [[] for _ in range(W)]
        for j, ids in ids_of.items():
            kind, t = groups[j]
            rows[j] = torch.empty(ids.numel(), self.dims[t] if kind == "node" else self.edge_dims[t])
            miss = torch.arange(ids.numel())
            if kind == "node":
                owner = pm.node_owner(t, ids)
                if self.cache is not None:
                    hit, got = self.cache.lookup(t, ids, owner == ctx.rank)
                    if got.numel():
                        rows[j][hit] = got
                    miss = torch.nonzero(~hit).flatten()
                    owner = owner.index_select(0, miss)
            else:
                owner = pm.edge_owner(t, ids)
            order = torch.argsort(owner, stable=True)
            c = torch.bincount(owner, minlength=W)
            counts[:, j] = c
            plan[j] = miss.index_select(0, order).split(c.tolist())
            for r in range(W):
                send[r].append(ids.index_select(0, plan[j][r]))
        asked = ex.exchange([torch.cat([counts[r]] + send[r]) for r in range(W)])
        replies = []
        for msg in asked:
            n = msg[:len(groups)].tolist()
            chunks = msg[len(groups):].split(n)
            replies.append(torch.cat([torch.zeros(0)] + [
                (self.own_features(t, c) if kind == "node" else self.own_edge_features(t, c)).flatten()
                for (kind, t), c in zip(groups, chunks) if c.numel()]))
        got = ex.exchange(replies)
        for r in range(W):
            k = 0
            for j in range(len(groups)):
                m = int(counts[r, j])
                if m:
                    d = rows[j].shape[1]
                    rows[j][plan[j][r]] = got[r][k:k + m * d].view(m, d)
                    k += m * d
        feats = {t: rows[j] for j, t in enumerate(self._types) if j in rows}
        if block_eids is None or not self._etypes:
            return feats, None if block_eids is None else [{} for _ in block_eids]
        efeats: List[Dict[EdgeType, torch.Tensor]] = []
        offset = {et: 0 for et in self._etypes}
        for b in block_eids:
            one = {}
            for k, et in enumerate(self._etypes):
                if et in b:
                    n = b[et].numel()
                    one[et] = rows[len(self._types) + k][offset[et]:offset[et] + n]
                    offset[et] += n
            efeats.append(one)
        return feats, efeats


def fetch_batch(features, batch, edge_features=None):
    """``(node features, edge features per block or None)`` of a mini-batch.

    A :class:`DistNodeFeatureSource` with edge features fetches both in its one packed exchange;
    otherwise node rows come from ``features`` and edge rows from ``edge_features`` (an
    :class:`~graphstorm_py.model.edge_features.EdgeFeatureSource` over memory-mapped arrays, or ``None``).
    """
    if getattr(features, "edge_feat_names", None):
        return features.fetch(batch.input_nodes, [b.eids for b in batch.blocks])
    feats = features(batch.input_nodes)
    if edge_features is None:
        return feats, None
    return feats, [edge_features(b.eids) for b in batch.blocks]
