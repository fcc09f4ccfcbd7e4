"""gs-construct's pipeline: config -> ID maps, features, labels, partitions -> format v1.

Stages, in order (each shows a progress bar):

1. bind transforms to every feature (validating their parameters, before any data is read);
   states come from ``--transform-conf`` when given;
2. read node entries; the entries with ``node_id_col`` define (and, if several, join on)
   the IDs; entries without it match those nodes by row position;
3. read edge entries; node types seen only in edges take their IDs from the edges;
4. map edge endpoints to nids (unknown IDs are an error, or dropped with
   ``--skip-nonexist-edges``), then apply deferred transforms such as hard negatives;
5. labels and masks; reverse edges; partitioning; writing (``metadata.json`` last).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
import pyarrow as pa

from graphstorm_py import io
from graphstorm_py.errors import ConfigError, DataError
from graphstorm_py.gconstruct.config import ConstructConfig, EdgeConf, LabelConf, NodeConf
from graphstorm_py.gconstruct.entry_reader import BoundTransform, EntryData, entry_files, read_entry
from graphstorm_py.gconstruct.id_map import NodeIdMap
from graphstorm_py.gconstruct.labels import build_label, split_masks
from graphstorm_py.gconstruct.partition import partition_nodes
from graphstorm_py.gconstruct.splits import match_edge_pairs, read_split_ids
from graphstorm_py.gconstruct.transforms.base import TransformContext
from graphstorm_py.graph.writer import EdgeTypeData, NodeTypeData, write_graph
from graphstorm_py.typing import EdgeType

__all__ = ["ConstructOptions", "construct_graph"]

log = logging.getLogger(__name__)


@dataclass
class ConstructOptions:
    output_dir: str
    graph_name: str = "graph"
    num_parts: int = 1
    part_method: str = "random"
    add_reverse_edges: bool = False
    skip_nonexist_edges: bool = False
    num_workers: int = 1
    feature_validate: bool = True
    transform_state: Optional[dict] = None   # metadata["transforms"] of an earlier run
    seed: int = 0


def _bind(features, prefix: str, where: str, saved: dict, etype=None) -> List[BoundTransform]:
    from graphstorm_py.gconstruct.transforms import build_transform

    out = []
    for i, feat in enumerate(features):
        conf = feat.model_dump(exclude_none=True)
        tr = build_transform(conf, f"{where}.features[{i}]", etype=etype)
        key = f"{prefix}/{feat.feature_name}"
        state = saved.get(key, {}).get("state") if saved else None
        if saved and key not in saved and tr.needs_fit:
            raise ConfigError(f"--transform-conf has no fitted state for feature {key!r}")
        out.append(BoundTransform(key, tr, feat.columns, state, deferred=tr.name == "edge_dst_hard_negative"))
    return out


def _label_cols(labels: List[LabelConf]) -> List[str]:
    return [l.label_col for l in labels if l.label_col]


class _Builder:
    def __init__(self, conf: ConstructConfig, opts: ConstructOptions):
        self.conf, self.opts = conf, opts
        self.saved = (opts.transform_state or {})
        self.states: Dict[str, dict] = {}
        self.id_maps: Dict[str, NodeIdMap] = {}
        self.nodes: Dict[str, NodeTypeData] = {}
        self.edges: Dict[EdgeType, EdgeTypeData] = {}
        self.ctx = TransformContext(validate=opts.feature_validate, lookup=self.lookup)

    def lookup(self, ntype: str, values) -> np.ndarray:
        return self.id_maps[ntype].lookup(values)

    # ---- nodes ----------------------------------------------------------------------------
    def read_nodes(self):
        bound = {i: _bind(n.features, f"node/{n.node_type}", f"nodes[{i}]", self.saved)
                 for i, n in enumerate(self.conf.nodes)}
        self._node_bound = bound
        self._edge_bound = {i: _bind(e.features, f"edge/{','.join(e.relation)}", f"edges[{i}]", self.saved,
                                     etype=e.etype)
                            for i, e in enumerate(self.conf.edges)}
        by_type: Dict[str, List[Tuple[int, NodeConf, EntryData]]] = {}
        for i, node in enumerate(self.conf.nodes):
            where = f"nodes[{i}] ({node.node_type})"
            files = entry_files(node.files, self.conf.base_dir, f"nodes[{i}]")
            ids = [node.node_id_col] if node.node_id_col else []
            data = read_entry(files, node.format.name, node.format.separator, ids, bound[i],
                              _label_cols(node.labels), self.ctx, where, self.opts.num_workers)
            by_type.setdefault(node.node_type, []).append((i, node, data))
        for ntype, entries in by_type.items():
            self._assemble_nodes(ntype, entries)

    def _assemble_nodes(self, ntype, entries):
        keyed = [(i, n, d) for i, n, d in entries if n.node_id_col]
        if keyed:
            maps = [NodeIdMap.from_column(ntype, d.id_columns[0], f"nodes[{i}]") for i, n, d in keyed]
            idmap = maps[0].extended([m.ids for m in maps[1:]]) if len(maps) > 1 else maps[0]
        else:
            idmap = NodeIdMap(ntype, pa.array(np.arange(entries[0][2].num_rows, dtype=np.int64)))
        self.id_maps[ntype] = idmap
        n = len(idmap)
        main_rows = keyed[0][2].num_rows if keyed else n
        ntd = NodeTypeData(orig_ids=idmap.ids)
        for i, node, data in entries:
            where = f"nodes[{i}] ({ntype})"
            if node.node_id_col:
                rows = idmap.lookup(data.id_columns[0])
            else:
                if data.num_rows != main_rows:
                    raise DataError(f"{where}: has {data.num_rows} rows but node type {ntype!r} has "
                                    f"{main_rows} nodes; an entry without node_id_col must match them by position")
                rows = np.arange(data.num_rows) if len(keyed) <= 1 else idmap.lookup(keyed[0][2].id_columns[0])
            for name, arr in data.outputs.items():
                ntd.arrays[name] = _scatter(arr, rows, n)
                ntd.features[name] = data.output_info.get(name, {})
            self._add_labels(ntd.arrays, ntd.labels, node.labels, data, rows, n, f"node/{ntype}", where,
                             custom_lookup=lambda ids: [idmap.lookup(ids[0])])
        self.nodes[ntype] = ntd

    def _add_labels(self, arrays, infos, labels, data: EntryData, rows, n, prefix, where, custom_lookup):
        for j, label in enumerate(labels):
            col = data.kept[label.label_col].combine_chunks() if label.label_col else None
            key = f"label/{prefix}/{label.label_col or 'link_prediction'}"
            values, labeled, state, info = build_label(label, col, data.num_rows, self.saved.get(key, {}).get("state"),
                                                       f"{where}.labels[{j}]")
            if state:
                self.states[key] = {"name": "label", "state": state}
            full_labeled = np.zeros(n, dtype=bool)
            full_labeled[rows] = labeled
            if values is not None:
                fill = -1 if values.dtype.kind == "i" else 0
                arrays[label.label_col] = _scatter(values, rows, n, fill)
            custom = None
            if label.custom_split_filenames is not None:
                custom = self._custom_rows(label, custom_lookup, where)
            masks = split_masks(full_labeled, label.split_pct, custom, seed=self.opts.seed + 42)
            for split, name in label.masks.items():
                arrays[name] = masks[split]
            infos[label.label_col or "link_prediction"] = info

    def _custom_rows(self, label, lookup, where):
        cs = label.custom_split_filenames
        width = 2 if where.startswith("edges") else 1
        out = {}
        for split, files in (("train", cs.train), ("val", cs.valid), ("test", cs.test)):
            ids = read_split_ids(files, cs.column, width, self.conf.base_dir)
            if not ids:
                continue
            rows = lookup(ids)
            if isinstance(rows, list):
                rows = rows[0]
            if np.any(rows < 0):
                raise DataError(f"{where}: {int((rows < 0).sum())} IDs in the {split} split files are unknown")
            out[split] = rows
        return out

    # ---- edges ----------------------------------------------------------------------------
    def read_edges(self):
        raw: Dict[EdgeType, List[Tuple[int, EdgeConf, EntryData]]] = {}
        for i, edge in enumerate(self.conf.edges):
            where = f"edges[{i}] ({','.join(edge.relation)})"
            files = entry_files(edge.files, self.conf.base_dir, f"edges[{i}]")
            ids = [edge.source_id_col, edge.dest_id_col] if edge.source_id_col else []
            data = read_entry(files, edge.format.name, edge.format.separator, ids, self._edge_bound[i],
                              _label_cols(edge.labels), self.ctx, where, self.opts.num_workers)
            raw.setdefault(edge.etype, []).append((i, edge, data))
        self._finish_id_maps(raw)
        for etype, entries in raw.items():
            self._assemble_edges(etype, entries)

    def _finish_id_maps(self, raw):
        from_edges: Dict[str, list] = {}
        for etype, entries in raw.items():
            for i, edge, data in entries:
                if edge.source_id_col:
                    from_edges.setdefault(etype[0], []).append(data.id_columns[0])
                    from_edges.setdefault(etype[2], []).append(data.id_columns[1])
        for ntype, cols in from_edges.items():
            if ntype not in self.id_maps:
                self.id_maps[ntype] = NodeIdMap(ntype, pa.array([], pa.int64())).extended(cols)
                self.nodes[ntype] = NodeTypeData(orig_ids=self.id_maps[ntype].ids)

    def _endpoint(self, ntype, col, where, side) -> np.ndarray:
        if ntype not in self.id_maps:
            raise ConfigError(f"{where}: node type {ntype!r} is not defined")
        return self.id_maps[ntype].lookup(col)

    def _assemble_edges(self, etype, entries):
        main = [(i, e, d) for i, e, d in entries if e.source_id_col]
        if len(main) > 1:
            raise ConfigError(f"edge type {','.join(etype)} has {len(main)} entries with source_id_col; "
                              "split files of one edge type belong in one entry's 'files'")
        i, edge, data = main[0]
        where = f"edges[{i}] ({','.join(etype)})"
        src = self._endpoint(etype[0], data.id_columns[0], where, "source")
        dst = self._endpoint(etype[2], data.id_columns[1], where, "destination")
        bad = (src < 0) | (dst < 0)
        keep = None
        ids_for_examples = data.id_columns
        for _, _, d in entries:  # the raw ID columns are no longer needed once mapped
            d.id_columns = []
        if bad.any():
            examples = _bad_examples(ids_for_examples, src, dst)
            if not self.opts.skip_nonexist_edges:
                raise DataError(f"{where}: {int(bad.sum())} edges have an endpoint ID that is not a node, "
                                f"e.g. {examples}; pass --skip-nonexist-edges to drop them")
            log.warning("%s: dropped %d edges with unknown endpoints, e.g. %s", where, int(bad.sum()), examples)
            keep = ~bad
            src, dst = src[keep], dst[keep]
        del ids_for_examples
        etd = EdgeTypeData(src=src, dst=dst)
        n = len(src)
        for j, e, d in entries:
            w = f"edges[{j}] ({','.join(etype)})"
            if d.num_rows != data.num_rows:
                raise DataError(f"{w}: has {d.num_rows} rows but edge type {','.join(etype)} has "
                                f"{data.num_rows} edges; an entry without id columns matches them by position")
            d = _filter_entry(d, keep)
            for name, arr in d.outputs.items():
                etd.arrays[name] = arr
                etd.features[name] = d.output_info.get(name, {})
            self._deferred(etd, j, etype, d, w)
            lookup = lambda ids: match_edge_pairs(src, dst, self.id_maps[etype[0]].lookup(ids[0]),
                                                  self.id_maps[etype[2]].lookup(ids[1]),
                                                  len(self.id_maps[etype[2]]), w)
            self._add_labels(etd.arrays, etd.labels, e.labels, d, np.arange(n), n,
                             f"edge/{','.join(etype)}", w, custom_lookup=lookup)
        self.edges[etype] = etd

    def _deferred(self, etd: EdgeTypeData, j, etype, d: EntryData, where):
        ctx = self.ctx
        for bt in self._edge_bound[j]:
            if not bt.deferred:
                continue
            cols = [d.kept[c].combine_chunks() for c in bt.columns]
            for name, arr in bt.transform.apply(bt.state, cols, ctx).items():
                etd.arrays[name] = arr
                etd.features[name] = bt.transform.output_info(bt.state).get(name, {})
                etd.nid_arrays[name] = etype[2]

    def add_reverse_edges(self):
        for etype in list(self.edges):
            src_t, rel, dst_t = etype
            rev = (dst_t, f"{rel}-rev", src_t)
            if rev in self.edges:
                raise ConfigError(f"--add-reverse-edges: edge type {','.join(rev)} already exists")
            fwd = self.edges[etype]
            feats = {k: v for k, v in fwd.arrays.items() if k in fwd.features and k not in fwd.nid_arrays}
            self.edges[rev] = EdgeTypeData(src=fwd.dst, dst=fwd.src, arrays=dict(feats),
                                           features={k: fwd.features[k] for k in feats}, reverse_of=etype)

    def all_states(self) -> dict:
        states = dict(self.states)
        for bts in list(self._node_bound.values()) + list(self._edge_bound.values()):
            for bt in bts:
                states[bt.key] = {"name": bt.transform.name, "state": bt.state}
        return states


def _scatter(arr: np.ndarray, rows: np.ndarray, n: int, fill=0) -> np.ndarray:
    if len(rows) == n and np.array_equal(rows, np.arange(n)):
        return arr
    out = np.full((n,) + arr.shape[1:], fill, dtype=arr.dtype)
    out[rows] = arr
    return out


def _filter_entry(d: EntryData, keep: Optional[np.ndarray]) -> EntryData:
    if keep is None:
        return d
    mask = pa.array(keep)
    return EntryData(num_rows=int(keep.sum()), id_columns=[c.filter(mask) for c in d.id_columns],
                     outputs={k: v[keep] for k, v in d.outputs.items()}, output_info=d.output_info,
                     kept={k: v.filter(mask) for k, v in d.kept.items()})


def _bad_examples(id_columns, src, dst) -> list:
    bad = np.flatnonzero((src < 0) | (dst < 0))[:3]
    s = id_columns[0].take(pa.array(bad)).to_pylist()
    d = id_columns[1].take(pa.array(bad)).to_pylist()
    return [(a, b) for a, b in zip(s, d)]


def construct_graph(conf: ConstructConfig, opts: ConstructOptions):
    """Run the whole construction; returns the written :class:`GraphMetadata`."""
    # an earlier output stops looking complete as soon as a new run starts over it
    io.remove(io.join(opts.output_dir, "metadata.json"))
    b = _Builder(conf, opts)
    b.read_nodes()
    b.read_edges()
    for etype in b.edges:
        for nt in (etype[0], etype[2]):
            if nt not in b.nodes:
                raise ConfigError(f"node type {nt!r} of edge type {','.join(etype)} has no IDs")
    if opts.add_reverse_edges:
        b.add_reverse_edges()
    num_nodes = {t: d.count for t, d in b.nodes.items()}
    parts = partition_nodes(opts.part_method, num_nodes, {et: (e.src, e.dst) for et, e in b.edges.items()},
                            opts.num_parts, opts.seed)
    return write_graph(opts.output_dir, opts.graph_name, b.nodes, b.edges, opts.num_parts, parts,
                       transforms=b.all_states(), extra={"created_by": "gs-construct"})
