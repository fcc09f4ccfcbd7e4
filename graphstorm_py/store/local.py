"""A feature store over a graph dataset on one machine: memory-mapped ``.npy`` arrays.

Each partition's file ``part-<k>/nodes/<ntype>/<name>.npy`` (or ``.../edges/<etype>/...``)
is memory-mapped once and never concatenated, so opening the store reads no rows. A gather
finds each id's partition with one ``searchsorted`` over the partitions' id ranges, and
copies the rows with numpy fancy indexing; the result is wrapped as a tensor without a
further copy (float32 and integer arrays), so only the gathered rows are ever read.

Array names are the ``.npy`` files that partition 0 holds, minus the CSC structure
(``indptr``, ``indices``, ``eid``).
"""

from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch

from graphstorm_py import io
from graphstorm_py.store.base import FeatureStore, TypeKey
from graphstorm_py.typing import etype_to_str

__all__ = ["LocalFeatureStore"]

_STRUCTURE = {"indptr", "indices", "eid"}


class LocalFeatureStore(FeatureStore):
    """Memory-mapped rows of a :class:`~graphstorm_py.graph.GraphDataset` (local or cached remote)."""

    def __init__(self, dataset):
        self.ds = dataset
        self._name_cache: Dict[tuple, List[str]] = {}
        self._arrays: Dict[tuple, Tuple[np.ndarray, List[np.ndarray]]] = {}

    def _dir(self, kind: str, t: TypeKey, part: int) -> str:
        sub = ("nodes", t) if kind == "node" else ("edges", etype_to_str(t))  # type: ignore[arg-type]
        return io.join(self.ds.root, f"part-{part}", *sub)

    def _range(self, kind: str, t: TypeKey, part: int) -> Tuple[int, int]:
        meta = self.ds.meta
        return meta.node_range(part, t) if kind == "node" else meta.edge_range(part, t)  # type: ignore[arg-type]

    # ---- FeatureStore -------------------------------------------------------------------
    def _types(self, kind: str) -> Sequence[TypeKey]:
        return self.ds.ntypes if kind == "node" else self.ds.etypes

    def _count(self, kind: str, t: TypeKey) -> int:
        return self.ds.num_nodes(t) if kind == "node" else self.ds.num_edges(t)  # type: ignore[arg-type]

    def _names(self, kind: str, t: TypeKey) -> Sequence[str]:
        key = (kind, t)
        if key not in self._name_cache:
            files = io.list_dir(self._dir(kind, t, 0))
            self._name_cache[key] = [f[:-4] for f in files if f.endswith(".npy") and f[:-4] not in _STRUCTURE]
        return self._name_cache[key]

    def _parts(self, kind: str, t: TypeKey, name: str) -> Tuple[np.ndarray, List[np.ndarray]]:
        """``(ends, arrays)``: the end id of each partition's range and its memory-mapped array."""
        key = (kind, t, name)
        if key not in self._arrays:
            parts = range(self.ds.num_partitions)
            ends = np.array([self._range(kind, t, k)[1] for k in parts], dtype=np.int64)
            arrays = [np.asarray(io.load_npy(io.join(self._dir(kind, t, k), f"{name}.npy"))) for k in parts]
            self._arrays[key] = (ends, arrays)
        return self._arrays[key]

    def _row_shape(self, kind: str, t: TypeKey, name: str) -> Sequence[int]:
        return self._parts(kind, t, name)[1][0].shape[1:]

    def _gather(self, kind: str, t: TypeKey, name: str, ids: torch.Tensor) -> np.ndarray:
        ends, arrays = self._parts(kind, t, name)
        idx = ids.numpy()
        if len(arrays) == 1:
            return arrays[0][idx]
        owner = np.searchsorted(ends, idx, side="right")   # first partition whose range ends past id
        out = np.empty((len(idx),) + arrays[0].shape[1:], dtype=arrays[0].dtype)
        for k in np.unique(owner):                          # a loop over partitions, not rows
            sel = owner == k
            start = self._range(kind, t, int(k))[0]
            out[sel] = arrays[k][idx[sel] - start]
        return out
