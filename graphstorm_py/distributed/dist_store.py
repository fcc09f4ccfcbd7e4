"""Feature rows of any node for a worker: its own rows from disk, remote rows from their owners.

:class:`DistFeatureStore` implements the :class:`~graphstorm_py.store.base.FeatureStore`
interface. It memory-maps only the owned partitions' arrays; a gather buckets the ids by owner,
sends each owner its ids in one exchange and gets the rows back in a second one. A gather is
a *collective*: every rank calls it in the same order (ranks with nothing to ask pass no ids).

:class:`DistNodeFeatureSource` is the model's feature function (see
:class:`~graphstorm_py.model.features.NodeFeatureSource`): for a batch it packs every featured
node type and every feature name into **one** exchange of ids and one of float32 rows, and
serves what it can from an optional :class:`~graphstorm_py.distributed.cache.RowCache` first.
"""

from __future__ import annotations

import copy
from typing import Dict, List, Mapping, Sequence, Tuple

import numpy as np
import torch

from graphstorm_py import io
from graphstorm_py.model.features import NodeFeatureSource
from graphstorm_py.store.base import FeatureStore, TypeKey
from graphstorm_py.store.local import _STRUCTURE
from graphstorm_py.typing import etype_to_str

__all__ = ["DistFeatureStore", "DistNodeFeatureSource"]


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
    """One packed exchange per batch for every featured node type and feature name."""

    def __init__(self, store: DistFeatureStore, feat_names: Mapping[str, Sequence[str]], cache=None):
        super().__init__(store, feat_names)
        self.cache = cache
        self.exchanger = None                   # None: the context's; a prefetch thread uses its own group's
        self._types = sorted(self.feat_names)

    def with_exchanger(self, exchanger) -> "DistNodeFeatureSource":
        """The same source (store, cache) talking over another exchanger."""
        other = copy.copy(self)
        other.exchanger = exchanger
        return other

    def own_features(self, ntype: str, ids: torch.Tensor) -> torch.Tensor:
        cols = [torch.from_numpy(np.ascontiguousarray(self.store.own_rows("node", ntype, n, ids)))
                .reshape(ids.numel(), -1).float() for n in self.feat_names[ntype]]
        return cols[0] if len(cols) == 1 else torch.cat(cols, dim=1)

    def __call__(self, nids: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        ctx = self.store.ctx
        W, pm, ex = ctx.world_size, ctx.pmap, self.exchanger or ctx.exchanger
        out: Dict[str, torch.Tensor] = {}
        plan = {}                                   # ntype -> (positions to fill, per-owner positions)
        counts = torch.zeros(W, len(self._types), dtype=torch.long)
        send: List[List[torch.Tensor]] = [[] for _ in range(W)]
        for j, t in enumerate(self._types):
            ids = nids.get(t)
            if ids is None:
                continue
            ids = ids.cpu().long()
            out[t] = torch.empty(ids.numel(), self.dims[t])
            miss = torch.arange(ids.numel())
            if self.cache is not None:
                hit, rows = self.cache.lookup(t, ids, pm.node_owner(t, ids) == ctx.rank)
                if rows.numel():
                    out[t][hit] = rows
                miss = torch.nonzero(~hit).flatten()
            own = pm.node_owner(t, ids.index_select(0, miss))
            order = torch.argsort(own, stable=True)
            c = torch.bincount(own, minlength=W)
            counts[:, j] = c
            pos = miss.index_select(0, order).split(c.tolist())
            plan[t] = pos
            for r in range(W):
                send[r].append(ids.index_select(0, pos[r]))
        asked = ex.exchange([torch.cat([counts[r]] + send[r]) for r in range(W)])
        replies = []
        for msg in asked:
            n = msg[:len(self._types)].tolist()
            chunks = msg[len(self._types):].split(n)
            replies.append(torch.cat([torch.zeros(0)] + [self.own_features(t, c).flatten()
                                                         for t, c in zip(self._types, chunks) if c.numel()]))
        got = ex.exchange(replies)
        for r in range(W):
            k = 0
            for j, t in enumerate(self._types):
                m = int(counts[r, j])
                if m:
                    d = self.dims[t]
                    out[t][plan[t][r]] = got[r][k:k + m * d].view(m, d)
                    k += m * d
        return out
