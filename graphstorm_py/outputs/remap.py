"""nid → the user's original ID, by a vectorised ``take`` on the graph's ``id_map/`` (never a dict).

``id_map/<ntype>`` holds columns ``orig`` and ``nid`` sorted by nid. When the nids are exactly
``0..N-1`` (what gs-construct writes), row ``i`` is nid ``i`` and remapping is one Arrow
``take``; otherwise positions come from one ``searchsorted``. The original ID keeps its Arrow
type (string or integer).
"""

from __future__ import annotations

from typing import Dict

import numpy as np
import pyarrow as pa

from graphstorm_py.errors import DataError

__all__ = ["IdRemapper"]


class IdRemapper:
    """Caches one node type's ``orig`` column; :meth:`__call__` maps a batch of nids."""

    def __init__(self, dataset):
        self.dataset = dataset
        self._orig: Dict[str, pa.Array] = {}
        self._pos: Dict[str, np.ndarray] = {}     # sorted nids when they are not 0..N-1

    def _load(self, ntype: str) -> pa.Array:
        if ntype not in self._orig:
            table = self.dataset.id_map(ntype)
            nid = table.column("nid").to_numpy()
            n = self.dataset.num_nodes(ntype)
            if len(nid) != n:
                raise DataError(f"id_map of node type {ntype!r} has {len(nid)} rows but the graph has {n} nodes")
            if n and not (nid[0] == 0 and nid[-1] == n - 1 and bool(np.all(np.diff(nid) == 1))):
                self._pos[ntype] = nid
            self._orig[ntype] = table.column("orig").combine_chunks()
        return self._orig[ntype]

    def id_type(self, ntype: str) -> pa.DataType:
        return self._load(ntype).type

    def __call__(self, ntype: str, nids) -> pa.Array:
        """The original IDs of ``nids`` (numpy or torch int array), in the same order."""
        orig = self._load(ntype)
        nids = np.asarray(nids.cpu().numpy() if hasattr(nids, "cpu") else nids, dtype=np.int64)
        if ntype in self._pos:
            pos = np.searchsorted(self._pos[ntype], nids)
            nids = pos
        return orig.take(pa.array(nids))
