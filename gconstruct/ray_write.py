"""Format v1 written by Ray workers: one task per (type, partition), ``metadata.json`` last.

The same layout and bytes as :func:`~graphstorm_py.graph.writer.write_graph`. The driver does
the per-node work (relabelling: a stable argsort of the node assignment) and splits each edge
type by its destination's partition (stably, so the input order is kept); each partition's
task then gathers its rows, sorts its edges into CSC order ((dst, src), stable: within a
partition this is the order the local writer's global sort gives) and writes its arrays.
Arrays reach the tasks through the object store, once per type. After every task of every
type succeeded the driver writes ``metadata.json``; a failed task raises before that, so a
failed run leaves no ``metadata.json``.

``GS_CONSTRUCT_FAIL_WRITE=<part>`` (tests only) makes the tasks of that partition fail, as a
lost worker would.
"""

from __future__ import annotations

import os
from typing import Dict, List, Mapping, Optional

import numpy as np
import pyarrow as pa

from graphstorm_py import io
from graphstorm_py.graph.metadata import GraphMetadata
from graphstorm_py.graph.writer import (EdgeTypeData, NodeTypeData, _array_info, _csc_order, _relabel,
                                        _write_id_map, clear_output)
from graphstorm_py.progress import progress
from graphstorm_py.typing import EdgeType, etype_to_str

__all__ = ["write_on_workers", "FAIL_ENV"]

FAIL_ENV = "GS_CONSTRUCT_FAIL_WRITE"


def _check_fail(k: int, fail: Optional[str]) -> None:
    if fail is not None and fail == str(k):
        raise RuntimeError(f"{FAIL_ENV}={fail}: failing the write task of partition {k} on purpose")


def _write_nodes(root, ntype, k, b0, b1, names, order, fail, *arrays) -> int:
    _check_fail(k, fail)
    for name, arr in zip(names, arrays):
        part = arr[b0:b1] if order is None else arr[order[b0:b1]]
        io.save_npy(io.join(root, f"part-{k}", "nodes", ntype, f"{name}.npy"), part)
    return b1 - b0


def _nid_mapped(arr: np.ndarray, mapping: Optional[np.ndarray]) -> np.ndarray:
    if mapping is None:
        return arr
    return np.where(arr >= 0, mapping[np.clip(arr, 0, None)], -1)


def _write_edges(root, name, k, e0, n0, n1, num_src, src, dst, rows, names, fail, *arrays_maps) -> int:
    """One partition of one edge type; ``rows``: its edges' positions in the type's arrays."""
    _check_fail(k, fail)
    perm = _csc_order(src, dst, num_src)
    src, dst, rows = src[perm], dst[perm], rows[perm]
    base = io.join(root, f"part-{k}", "edges", name)
    io.save_npy(io.join(base, "indptr.npy"), np.searchsorted(dst, np.arange(n0, n1 + 1)).astype(np.int64))
    io.save_npy(io.join(base, "indices.npy"), src)
    io.save_npy(io.join(base, "eid.npy"), np.arange(e0, e0 + len(src), dtype=np.int64))
    for i, aname in enumerate(names):
        arr, mapping = arrays_maps[2 * i], arrays_maps[2 * i + 1]
        io.save_npy(io.join(base, f"{aname}.npy"), _nid_mapped(arr[rows], mapping))
    return len(src)


class _Tasks:
    """The write tasks of one type, waited for (with the rows-written bar) before the next type."""

    def __init__(self, ray, bar):
        self.ray, self.bar = ray, bar
        self.nodes = ray.remote(num_cpus=1)(_write_nodes)
        self.edges = ray.remote(num_cpus=1)(_write_edges)
        self.id_map = ray.remote(num_cpus=1)(_write_id_map)
        self.fail = os.environ.get(FAIL_ENV)

    def wait(self, refs: List) -> None:
        pending = list(refs)
        while pending:
            done, pending = self.ray.wait(pending, num_returns=1)
            rows = self.ray.get(done[0])   # a failed task raises here: metadata.json is never written
            self.bar.update(rows or 0)


def _node_type(t: _Tasks, root, ntype, data: NodeTypeData, parts, num_parts, partitions):
    order, o2n, bounds = _relabel(parts, num_parts)
    identity = bool(np.all(order[1:] > order[:-1])) if len(order) else True
    for k in range(num_parts):
        partitions[k]["node_ranges"][ntype] = [int(bounds[k]), int(bounds[k + 1])]
    refs = [t.id_map.remote(root, ntype, data.orig_ids.take(pa.array(order)))]
    names, arrays, feat_meta = [], [], {}
    for name in list(data.arrays):
        arr = np.asarray(data.arrays.pop(name))
        if len(arr) != data.count:
            raise ValueError(f"{ntype}/{name} has {len(arr)} rows, expected {data.count}")
        if name in data.features:
            feat_meta[name] = _array_info(arr, data.features[name])
        names.append(name)
        arrays.append(t.ray.put(arr))
        del arr
    order_ref = None if identity else t.ray.put(order)
    refs += [t.nodes.remote(root, ntype, k, int(bounds[k]), int(bounds[k + 1]), names, order_ref, t.fail, *arrays)
             for k in range(num_parts)]
    t.wait(refs)
    return o2n, {"count": data.count, "id_dtype": str(data.orig_ids.type), "features": feat_meta,
                 "labels": data.labels}


def _edge_type(t: _Tasks, root, etype, data: EdgeTypeData, parts, old2new, num_parts, partitions):
    src_t, _, dst_t = etype
    name = etype_to_str(etype)
    epart = parts[dst_t][data.dst]
    small = epart.astype(np.int16) if num_parts < (1 << 15) else epart   # radix sort for few parts
    split = np.argsort(small, kind="stable") if num_parts > 1 else np.arange(len(epart), dtype=np.int64)
    ebounds = np.concatenate([[0], np.cumsum(np.bincount(epart, minlength=num_parts))]).astype(np.int64)
    del epart, small
    src, dst = old2new[src_t][data.src], old2new[dst_t][data.dst]
    args, feat_meta = [], {}
    names = list(data.arrays)
    for aname in names:
        arr = np.asarray(data.arrays.pop(aname))
        if len(arr) != data.count:
            raise ValueError(f"{name}/{aname} has {len(arr)} rows, expected {data.count}")
        mapping = old2new[data.nid_arrays[aname]] if aname in data.nid_arrays else None
        if aname in data.features:
            feat_meta[aname] = _array_info(_nid_mapped(arr[:0], mapping), data.features[aname])
        args += [t.ray.put(arr), None if mapping is None else t.ray.put(mapping)]
        del arr
    refs = []
    for k in range(num_parts):
        e0, e1 = int(ebounds[k]), int(ebounds[k + 1])
        partitions[k]["edge_ranges"][name] = [e0, e1]
        n0, n1 = partitions[k]["node_ranges"][dst_t]
        rows = split[e0:e1]
        refs.append(t.edges.remote(root, name, k, e0, n0, n1, len(old2new[src_t]), src[rows], dst[rows], rows,
                                   names, t.fail, *args))
    t.wait(refs)
    return {"type": list(etype), "count": data.count, "features": feat_meta, "labels": data.labels,
            "reverse_of": list(data.reverse_of) if data.reverse_of else None}


def write_on_workers(ray, root: str, graph_name: str, nodes: Mapping[str, NodeTypeData],
                     edges: Mapping[EdgeType, EdgeTypeData], num_parts: int = 1,
                     node_parts: Optional[Mapping[str, np.ndarray]] = None, transforms: Optional[dict] = None,
                     extra: Optional[dict] = None) -> GraphMetadata:
    """:func:`~graphstorm_py.graph.writer.write_graph`, each partition's arrays written by Ray tasks."""
    clear_output(root)
    io.makedirs(root)
    partitions: List[dict] = [{"node_ranges": {}, "edge_ranges": {}} for _ in range(num_parts)]
    total = sum(d.count for d in nodes.values()) + sum(d.count for d in edges.values())
    bar = progress(total=total, desc="write partitions (ray)", unit="rows", unit_scale=True)
    tasks = _Tasks(ray, bar)
    parts: Dict[str, np.ndarray] = {}
    old2new: Dict[str, np.ndarray] = {}
    node_meta: Dict[str, dict] = {}
    for ntype in sorted(nodes):
        data = nodes[ntype]
        p = np.asarray((node_parts or {}).get(ntype, np.zeros(data.count, dtype=np.int64)), dtype=np.int64)
        if len(p) != data.count:
            raise ValueError(f"partition assignment of {ntype} has {len(p)} rows, expected {data.count}")
        parts[ntype] = p
        old2new[ntype], node_meta[ntype] = _node_type(tasks, root, ntype, data, p, num_parts, partitions)
    edge_meta = [_edge_type(tasks, root, etype, edges[etype], parts, old2new, num_parts, partitions)
                 for etype in list(edges)]
    bar.close()
    meta = GraphMetadata(graph_name=graph_name, num_partitions=num_parts, node_types=node_meta,
                         edge_types=edge_meta, partitions=partitions, transforms=transforms or {},
                         extra=extra or {})
    io.write_json(io.join(root, "metadata.json"), meta.to_dict())
    return meta
