"""Write a graph held as arrays into format v1, partitioned and relabelled.

On-disk layout written here (see also :mod:`graphstorm_py.graph.metadata`)::

    ROOT/
      metadata.json                          written last: its presence marks a complete dataset
      id_map/<ntype>/part-00000.parquet      columns orig, nid; sorted by nid
      part-<k>/nodes/<ntype>/<array>.npy     features, labels and masks; row i is nid start_k + i
      part-<k>/edges/<src>__<rel>__<dst>/
          indptr.npy                         CSC over the destination nodes partition k owns
          indices.npy                        in-neighbours as global source nids
          eid.npy                            global edge ids; edges of a partition are one
                                             contiguous eid range, numbered in CSC order
          <array>.npy                        edge features, labels and masks in eid order

Relabelling: nodes of each type are renumbered so that the nodes assigned to partition k
form one contiguous nid range (stable, so within a partition the input order is kept).
An edge belongs to the partition that owns its destination.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional

import numpy as np
import pyarrow as pa

from graphstorm_py import io
from graphstorm_py.graph.metadata import GraphMetadata
from graphstorm_py.progress import progress
from graphstorm_py.typing import EdgeType, etype_to_str

__all__ = ["NodeTypeData", "EdgeTypeData", "write_graph", "clear_output"]

log = logging.getLogger(__name__)

ID_MAP_SHARD_ROWS = 5_000_000


@dataclass
class NodeTypeData:
    """All nodes of one type. ``orig_ids[i]`` is the user's ID of (pre-relabel) node ``i``."""

    orig_ids: pa.Array
    arrays: Dict[str, np.ndarray] = field(default_factory=dict)
    features: Dict[str, dict] = field(default_factory=dict)   # name -> extra info (may be empty)
    labels: Dict[str, dict] = field(default_factory=dict)     # label name -> info incl. "masks"

    @property
    def count(self) -> int:
        return len(self.orig_ids)


@dataclass
class EdgeTypeData:
    """All edges of one type as (src, dst) node ids of their types, pre-relabel."""

    src: np.ndarray
    dst: np.ndarray
    arrays: Dict[str, np.ndarray] = field(default_factory=dict)
    features: Dict[str, dict] = field(default_factory=dict)
    labels: Dict[str, dict] = field(default_factory=dict)
    reverse_of: Optional[EdgeType] = None
    # arrays holding node ids of a node type (e.g. hard negatives); -1 is padding
    nid_arrays: Dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.src)


def clear_output(root: str) -> None:
    """Remove what an earlier (possibly failed) run wrote, metadata.json first."""
    io.remove(io.join(root, "metadata.json"))
    for name in io.list_dir(root):
        if name == "id_map" or name.startswith("part-"):
            io.remove(io.join(root, name))


def _relabel(parts: np.ndarray, num_parts: int):
    """Stable order grouping nodes by partition; returns (order new->old, old->new, ranges)."""
    order = np.argsort(parts, kind="stable")
    old2new = np.empty_like(order)
    old2new[order] = np.arange(len(order), dtype=order.dtype)
    counts = np.bincount(parts, minlength=num_parts)
    bounds = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return order, old2new, bounds


def _array_info(arr: np.ndarray, extra: dict) -> dict:
    shape = list(arr.shape[1:])
    return {"dim": int(np.prod(shape)) if shape else 1, "shape": shape, "dtype": str(arr.dtype), **extra}


def _csc_order(src: np.ndarray, dst: np.ndarray, num_src: int) -> np.ndarray:
    """Permutation sorting edges by (dst, src)."""
    if num_src == 0 or len(dst) == 0:
        return np.arange(len(dst), dtype=np.int64)
    if int(dst.max(initial=0)) < (np.iinfo(np.int64).max // max(num_src, 1)) - 1:
        return np.argsort(dst.astype(np.int64) * num_src + src, kind="stable")
    return np.lexsort((src, dst))


def write_graph(
    root: str,
    graph_name: str,
    nodes: Mapping[str, NodeTypeData],
    edges: Mapping[EdgeType, EdgeTypeData],
    num_parts: int = 1,
    node_parts: Optional[Mapping[str, np.ndarray]] = None,
    transforms: Optional[dict] = None,
    extra: Optional[dict] = None,
) -> GraphMetadata:
    """Relabel, partition and write a graph; ``metadata.json`` is written last.

    ``node_parts[ntype][i]`` is the partition of node ``i``; all nodes go to partition 0
    when it is omitted. Arrays in ``nodes``/``edges`` are consumed (dropped as written).
    """
    clear_output(root)
    io.makedirs(root)
    node_parts = dict(node_parts or {})
    old2new: Dict[str, np.ndarray] = {}
    partitions: List[dict] = [{"node_ranges": {}, "edge_ranges": {}} for _ in range(num_parts)]
    node_meta: Dict[str, dict] = {}

    for ntype in progress(sorted(nodes), desc="write nodes", unit="ntype"):
        data = nodes[ntype]
        parts = np.asarray(node_parts.get(ntype, np.zeros(data.count, dtype=np.int64)), dtype=np.int64)
        if len(parts) != data.count:
            raise ValueError(f"partition assignment of {ntype} has {len(parts)} rows, expected {data.count}")
        order, o2n, bounds = _relabel(parts, num_parts)
        identity = bool(np.all(order[1:] > order[:-1])) if len(order) else True
        old2new[ntype] = o2n
        for k in range(num_parts):
            partitions[k]["node_ranges"][ntype] = [int(bounds[k]), int(bounds[k + 1])]
        _write_id_map(root, ntype, data.orig_ids.take(pa.array(order)))
        feat_meta = {}
        for name in list(data.arrays):
            arr = np.asarray(data.arrays.pop(name))
            if len(arr) != data.count:
                raise ValueError(f"{ntype}/{name} has {len(arr)} rows, expected {data.count}")
            if not identity:
                arr = arr[order]
            if name in data.features:
                feat_meta[name] = _array_info(arr, data.features[name])
            for k in range(num_parts):
                io.save_npy(io.join(root, f"part-{k}", "nodes", ntype, f"{name}.npy"), arr[bounds[k]:bounds[k + 1]])
            del arr
        node_meta[ntype] = {
            "count": data.count,
            "id_dtype": str(data.orig_ids.type),
            "features": feat_meta,
            "labels": data.labels,
        }

    edge_meta: List[dict] = []
    for etype in progress(list(edges), desc="write edges", unit="etype"):
        data = edges[etype]
        src_t, _, dst_t = etype
        src = old2new[src_t][data.src]
        dst = old2new[dst_t][data.dst]
        perm = _csc_order(src, dst, len(old2new[src_t]))
        src, dst = src[perm], dst[perm]
        name = etype_to_str(etype)
        dst_bounds = [partitions[k]["node_ranges"][dst_t] for k in range(num_parts)]
        ebounds = np.searchsorted(dst, [b[0] for b in dst_bounds] + [dst_bounds[-1][1]])
        for k in range(num_parts):
            e0, e1 = int(ebounds[k]), int(ebounds[k + 1])
            partitions[k]["edge_ranges"][name] = [e0, e1]
            n0, n1 = dst_bounds[k]
            indptr = np.searchsorted(dst[e0:e1], np.arange(n0, n1 + 1)).astype(np.int64)
            base = io.join(root, f"part-{k}", "edges", name)
            io.save_npy(io.join(base, "indptr.npy"), indptr)
            io.save_npy(io.join(base, "indices.npy"), src[e0:e1])
            io.save_npy(io.join(base, "eid.npy"), np.arange(e0, e1, dtype=np.int64))
        feat_meta = {}
        for aname in list(data.arrays):
            arr = np.asarray(data.arrays.pop(aname))
            if len(arr) != data.count:
                raise ValueError(f"{name}/{aname} has {len(arr)} rows, expected {data.count}")
            arr = arr[perm]
            if aname in data.nid_arrays:
                mapping = old2new[data.nid_arrays[aname]]
                arr = np.where(arr >= 0, mapping[np.clip(arr, 0, None)], -1)
            if aname in data.features:
                feat_meta[aname] = _array_info(arr, data.features[aname])
            for k in range(num_parts):
                e0, e1 = partitions[k]["edge_ranges"][name]
                io.save_npy(io.join(root, f"part-{k}", "edges", name, f"{aname}.npy"), arr[e0:e1])
            del arr
        edge_meta.append({
            "type": list(etype),
            "count": data.count,
            "features": feat_meta,
            "labels": data.labels,
            "reverse_of": list(data.reverse_of) if data.reverse_of else None,
        })

    meta = GraphMetadata(graph_name=graph_name, num_partitions=num_parts, node_types=node_meta,
                         edge_types=edge_meta, partitions=partitions, transforms=transforms or {},
                         extra=extra or {})
    io.write_json(io.join(root, "metadata.json"), meta.to_dict())
    return meta


def _write_id_map(root: str, ntype: str, orig: pa.Array) -> None:
    n = len(orig)
    nid = pa.array(np.arange(n, dtype=np.int64))
    shards = max(1, -(-n // ID_MAP_SHARD_ROWS))
    for i in range(shards):
        s, e = i * ID_MAP_SHARD_ROWS, min(n, (i + 1) * ID_MAP_SHARD_ROWS)
        table = pa.table({"orig": orig.slice(s, e - s), "nid": nid.slice(s, e - s)})
        io.write_parquet(io.join(root, "id_map", ntype, f"part-{i:05d}.parquet"), table)
