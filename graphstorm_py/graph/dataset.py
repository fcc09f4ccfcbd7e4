"""Read a graph dataset in format v1 (local or any fsspec URL).

Arrays are memory-mapped. On one machine, the whole graph's CSC of an edge type is the
concatenation of the partitions' CSCs, because partitions own consecutive nid ranges.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict, List, Optional, Tuple

import numpy as np

from graphstorm_py import io
from graphstorm_py.errors import DataError
from graphstorm_py.graph.metadata import GraphMetadata
from graphstorm_py.typing import EdgeType, etype_to_str

__all__ = ["GraphDataset"]


class GraphDataset:
    """A complete graph dataset: its metadata plus lazy, memory-mapped access to its arrays."""

    def __init__(self, root: str, meta: GraphMetadata):
        self.root = str(root)
        self.meta = meta
        self._cache: Dict[tuple, object] = {}

    @classmethod
    def open(cls, root: str) -> "GraphDataset":
        root = str(root)
        if not io.is_remote(root) and root.endswith(".json"):
            import os

            root = os.path.dirname(root) or "."
        path = io.join(root, "metadata.json")
        if not io.exists(path):
            raise DataError(f"{root} is not a complete graph dataset: metadata.json is missing "
                            "(gs-construct did not finish, or the path is wrong)")
        return cls(root, GraphMetadata.from_dict(io.read_json(path), source=path))

    # ---- metadata shortcuts -------------------------------------------------------------
    @property
    def ntypes(self) -> List[str]:
        return self.meta.ntypes

    @property
    def etypes(self) -> List[EdgeType]:
        return self.meta.etypes

    @property
    def num_partitions(self) -> int:
        return self.meta.num_partitions

    def num_nodes(self, ntype: str) -> int:
        return self.meta.num_nodes(ntype)

    def num_edges(self, etype: EdgeType) -> int:
        return self.meta.num_edges(etype)

    def node_feature_names(self, ntype: str) -> List[str]:
        return list(self.meta.node_type(ntype).get("features", {}))

    # ---- arrays -------------------------------------------------------------------------
    def _concat(self, paths: List[str]) -> np.ndarray:
        arrays = [io.load_npy(p) for p in paths]
        return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)

    def has_node_array(self, ntype: str, name: str) -> bool:
        return io.exists(io.join(self.root, "part-0", "nodes", ntype, f"{name}.npy"))

    def node_array(self, ntype: str, name: str, part: Optional[int] = None) -> np.ndarray:
        """Rows by nid: of one partition, or of the whole graph when ``part`` is None."""
        key = ("n", ntype, name, part)
        if key not in self._cache:
            self.meta.node_type(ntype)
            parts = range(self.num_partitions) if part is None else [part]
            paths = [io.join(self.root, f"part-{k}", "nodes", ntype, f"{name}.npy") for k in parts]
            if not io.exists(paths[0]):
                raise DataError(f"node type {ntype!r} has no array {name!r} in {self.root}")
            self._cache[key] = self._concat(paths)
        return self._cache[key]  # type: ignore[return-value]

    def has_edge_array(self, etype: EdgeType, name: str) -> bool:
        return io.exists(io.join(self.root, "part-0", "edges", etype_to_str(etype), f"{name}.npy"))

    def edge_array(self, etype: EdgeType, name: str, part: Optional[int] = None) -> np.ndarray:
        """Rows by eid: of one partition, or of the whole graph when ``part`` is None."""
        key = ("e", tuple(etype), name, part)
        if key not in self._cache:
            self.meta.edge_type(etype)
            parts = range(self.num_partitions) if part is None else [part]
            d = etype_to_str(etype)
            paths = [io.join(self.root, f"part-{k}", "edges", d, f"{name}.npy") for k in parts]
            if not io.exists(paths[0]):
                raise DataError(f"edge type {','.join(etype)} has no array {name!r} in {self.root}")
            self._cache[key] = self._concat(paths)
        return self._cache[key]  # type: ignore[return-value]

    def csc(self, etype: EdgeType, part: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray]:
        """``(indptr, indices)`` over destination nids; indices are global source nids.

        For ``part=None`` the CSC covers every destination node of the type, and position
        ``j`` in ``indices`` is eid ``j`` (eids are numbered in CSC order).
        """
        key = ("csc", tuple(etype), part)
        if key not in self._cache:
            d = etype_to_str(etype)
            parts = range(self.num_partitions) if part is None else [part]
            indptrs, indices = [], []
            offset = 0
            for k in parts:
                ip = io.load_npy(io.join(self.root, f"part-{k}", "edges", d, "indptr.npy"))
                ind = io.load_npy(io.join(self.root, f"part-{k}", "edges", d, "indices.npy"))
                # one partition: the mapped file itself (``+ 0`` would copy it into memory)
                indptrs.append(ip if len(parts) == 1 else np.asarray(ip[:-1]) + offset)
                offset += len(ind)
                indices.append(ind)
            if len(parts) > 1:
                indptrs.append(np.array([offset], dtype=np.int64))
                self._cache[key] = (np.concatenate(indptrs), np.concatenate(indices))
            else:
                self._cache[key] = (indptrs[0], indices[0])
        return self._cache[key]  # type: ignore[return-value]

    def coo(self, etype: EdgeType) -> Tuple[np.ndarray, np.ndarray]:
        """``(src, dst)`` global nids of every edge, in eid order."""
        indptr, indices = self.csc(etype)
        dst = np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))
        return np.asarray(indices), dst

    # ---- ID maps and ownership ----------------------------------------------------------
    def id_map(self, ntype: str):
        """The ``orig``/``nid`` table of a node type, sorted by nid."""
        import pyarrow.parquet as pq
        import pyarrow as pa

        self.meta.node_type(ntype)
        base = io.join(self.root, "id_map", ntype)
        files = [io.join(base, f) for f in io.list_dir(base) if f.endswith(".parquet")]
        if not files:
            raise DataError(f"id_map for node type {ntype!r} is missing in {self.root}")
        tables = []
        for f in files:
            with io.open_file(f, "rb") as fh:
                tables.append(pq.read_table(fh))
        return pa.concat_tables(tables)

    def orig_ids(self, ntype: str):
        return self.id_map(ntype).column("orig").combine_chunks()

    def node_owner(self, ntype: str, nids: np.ndarray) -> np.ndarray:
        """Partition owning each nid: one ``searchsorted`` over the partition starts."""
        starts = np.array([self.meta.node_range(k, ntype)[0] for k in range(self.num_partitions)])
        ends = np.array([self.meta.node_range(k, ntype)[1] for k in range(self.num_partitions)])
        # empty partitions share a start with the next one; pick the last partition whose range holds nid
        owner = np.searchsorted(starts, nids, side="right") - 1
        while True:
            bad = nids >= ends[owner]
            if not bad.any():
                return owner
            owner[bad] += 1
