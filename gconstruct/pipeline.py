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
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
import pyarrow as pa

from graphstorm_py import io
from graphstorm_py.errors import ConfigError, DataError
from graphstorm_py.gconstruct.config import ConstructConfig, EdgeConf, LabelConf, NodeConf
from graphstorm_py.gconstruct.combine import combine_arrays, combine_columns, scatter
from graphstorm_py.gconstruct.engines import LocalEngine, make_engine
from graphstorm_py.gconstruct.entry_reader import BoundTransform, EntryData, entry_files
from graphstorm_py.gconstruct.id_checks import describe_missing, raise_missing
from graphstorm_py.gconstruct.id_map import NodeIdMap, missing_mask, unique_in_order
from graphstorm_py.gconstruct.labels import build_label, split_masks
from graphstorm_py.gconstruct.partition import partition_stats
from graphstorm_py.gconstruct.shared_features import share_transforms
from graphstorm_py.gconstruct.stages import StageStore, fail_hook
from graphstorm_py.gconstruct.splits import match_edge_pairs, split_rows
from graphstorm_py.gconstruct.transforms.base import TransformContext
from graphstorm_py.graph.writer import EdgeTypeData, NodeTypeData
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
    engine: str = "local"                      # gconstruct.engines.ENGINES
    ray_address: Optional[str] = None
    checkpoint: bool = True                    # per-stage checkpoints under OUTPUT/_stages
    resume: bool = False                       # reuse complete stage checkpoints


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
        self.empty_ntypes: Dict[str, List[str]] = {}   # node types whose files have no rows -> their outputs
        self.ctx = TransformContext(validate=opts.feature_validate, lookup=self.lookup)
        self.engine = LocalEngine()

    def lookup(self, ntype: str, values) -> np.ndarray:
        return self.id_maps[ntype].lookup(values)

    # ---- nodes ----------------------------------------------------------------------------
    def read_nodes(self):
        self._node_bound = {i: _bind(n.features, f"node/{n.node_type}", f"nodes[{i}]", self.saved)
                            for i, n in enumerate(self.conf.nodes)}
        self._edge_bound = {i: _bind(e.features, f"edge/{','.join(e.relation)}", f"edges[{i}]", self.saved,
                                     etype=e.etype)
                            for i, e in enumerate(self.conf.edges)}
        files = {i: entry_files(n.files, self.conf.base_dir, f"nodes[{i}]") for i, n in enumerate(self.conf.nodes)}
        share_transforms(self.conf.nodes, self._node_bound, files)
        by_type: Dict[str, List[Tuple[int, NodeConf, EntryData]]] = {}
        for i, node in enumerate(self.conf.nodes):
            where = f"nodes[{i}] ({node.node_type})"
            ids = [node.node_id_col] if node.node_id_col else []
            data = self.engine.read_entry(files[i], node.format.name, node.format.separator, ids, self._node_bound[i],
                              _label_cols(node.labels), self.ctx, where, self.opts.num_workers)
            if node.node_id_col:
                raise_missing(where, data, node.node_id_col)
            by_type.setdefault(node.node_type, []).append((i, node, data))
        for ntype, entries in by_type.items():
            self._assemble_nodes(ntype, entries)

    def _assemble_nodes(self, ntype, entries):
        keyed = [(i, n, d) for i, n, d in entries if n.node_id_col]
        if keyed:
            maps = [NodeIdMap.from_column(ntype, d.id_columns[0], f"nodes[{i}]") for i, n, d in keyed]
            idmap = maps[0] if len(maps) == 1 else NodeIdMap(ntype, unique_in_order([m.ids for m in maps]))
        else:
            idmap = NodeIdMap(ntype, pa.array(np.arange(entries[0][2].num_rows, dtype=np.int64)))
        self.id_maps[ntype] = idmap
        n = len(idmap)
        if all(d.num_rows == 0 for _, _, d in entries):
            self.empty_ntypes[ntype] = [name for _, _, d in entries for name in d.outputs] + \
                [l.label_col for _, node, _ in entries for l in node.labels]
        main_rows = keyed[0][2].num_rows if keyed else n
        ntd = NodeTypeData(orig_ids=idmap.ids)
        feats: Dict[str, list] = {}
        labels: Dict[str, list] = {}
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
                feats.setdefault(name, []).append((rows, arr))
                ntd.features[name] = data.output_info.get(name, {})
            for j, label in enumerate(node.labels):
                col = data.kept[label.label_col].combine_chunks()
                labels.setdefault(label.label_col, []).append((label, rows, col, f"{where}.labels[{j}]"))
        for name, parts in feats.items():
            ntd.arrays[name] = combine_arrays(name, parts, n, idmap.ids, f"node type {ntype!r}")
        for name, parts in labels.items():
            label, where = parts[0][0], parts[0][3]
            for other in parts[1:]:
                if other[0] != label:
                    raise ConfigError(f"{other[3]}: label {name!r} of node type {ntype!r} is configured "
                                      f"differently in {where}; entries sharing a label need the same settings")
            rows, col = combine_columns(name, [(r, c) for _, r, c, _ in parts], idmap.ids, f"node type {ntype!r}")
            self._add_label(ntd.arrays, ntd.labels, label, col, rows, n, f"node/{ntype}", where,
                            lambda files, column, w: split_rows(files, column, [idmap], self.conf.base_dir, w))
        self.nodes[ntype] = ntd

    def _add_label(self, arrays, infos, label: LabelConf, col, rows, n, prefix, where, split_lookup):
        key = f"label/{prefix}/{label.label_col or 'link_prediction'}"
        values, labeled, state, info = build_label(label, col, len(rows), self.saved.get(key, {}).get("state"),
                                                   where)
        if state:
            self.states[key] = {"name": "label", "state": state}
        full_labeled = np.zeros(n, dtype=bool)
        full_labeled[rows] = labeled
        if values is not None:
            fill = -1 if values.dtype.kind == "i" else 0
            arrays[label.label_col] = scatter(values, rows, n, fill)
        custom = None
        if label.custom_split_filenames is not None:
            cs = label.custom_split_filenames
            custom = {split: split_lookup(files, cs.column, where)
                      for split, files in (("train", cs.train), ("val", cs.valid), ("test", cs.test)) if files}
        masks = split_masks(full_labeled, label.split_pct, custom, seed=self.opts.seed + 42)
        for split, name in label.masks.items():
            arrays[name] = masks[split]
        infos[label.label_col or "link_prediction"] = info

    # ---- edges ----------------------------------------------------------------------------
    def read_edges(self):
        raw: Dict[EdgeType, List[Tuple[int, EdgeConf, EntryData]]] = {}
        for i, edge in enumerate(self.conf.edges):
            where = f"edges[{i}] ({','.join(edge.relation)})"
            files = entry_files(edge.files, self.conf.base_dir, f"edges[{i}]")
            ids = [edge.source_id_col, edge.dest_id_col] if edge.source_id_col else []
            data = self.engine.read_entry(files, edge.format.name, edge.format.separator, ids, self._edge_bound[i],
                              _label_cols(edge.labels), self.ctx, where, self.opts.num_workers)
            raw.setdefault(edge.etype, []).append((i, edge, data))
        self._drop = {etype: self._missing_endpoints(entries) for etype, entries in raw.items()}
        self._finish_id_maps(raw)
        for etype, entries in raw.items():
            self._assemble_edges(etype, entries)

    def _missing_endpoints(self, entries) -> Optional[np.ndarray]:
        """Rows of the main entry whose endpoint ID is missing: an error, or dropped when skipping."""
        for i, edge, data in entries:
            if not edge.source_id_col:
                continue
            where = f"edges[{i}] ({','.join(edge.relation)})"
            if not self.opts.skip_nonexist_edges:
                for col in (edge.source_id_col, edge.dest_id_col):
                    raise_missing(where, data, col, hint="; pass --skip-nonexist-edges to drop such edges")
                return None
            missing = missing_mask(data.id_columns[0]) | missing_mask(data.id_columns[1])
            if missing.any():
                log.warning("%s: dropped %d edges with a missing (null or NaN) endpoint ID (%s)", where,
                            int(missing.sum()), describe_missing(data, [edge.source_id_col, edge.dest_id_col]))
                return missing
        return None

    def _finish_id_maps(self, raw):
        from_edges: Dict[str, list] = {}
        for etype, entries in raw.items():
            drop = self._drop.get(etype)
            for i, edge, data in entries:
                if edge.source_id_col:  # the edges dropped for a missing endpoint add no nodes
                    src, dst = data.id_columns if drop is None else [c.filter(pa.array(~drop)) for c in data.id_columns]
                    from_edges.setdefault(etype[0], []).append(src)
                    from_edges.setdefault(etype[2], []).append(dst)
        for ntype, cols in from_edges.items():
            if ntype in self.id_maps and ntype not in self.empty_ntypes:
                continue
            idmap = NodeIdMap(ntype, self.engine.unique_in_order(cols))
            if ntype in self.id_maps and not len(idmap):
                continue  # no rows in its files, none in the edges: 0 nodes
            if self.empty_ntypes.get(ntype):
                log.warning("node type %r: its files have no rows, so its %d IDs come from the edges and "
                            "its features/labels %s are not written", ntype, len(idmap), self.empty_ntypes[ntype])
            self.id_maps[ntype] = idmap
            self.nodes[ntype] = NodeTypeData(orig_ids=idmap.ids)

    def _endpoint(self, ntype, col, where, side) -> np.ndarray:
        if ntype not in self.id_maps:
            raise ConfigError(f"{where}: node type {ntype!r} is not defined")
        return self.engine.lookup(self.id_maps[ntype], col)

    def _assemble_edges(self, etype, entries):
        main = [(i, e, d) for i, e, d in entries if e.source_id_col]
        if len(main) > 1:
            raise ConfigError(f"edge type {','.join(etype)} has {len(main)} entries with source_id_col; "
                              "split files of one edge type belong in one entry's 'files'")
        i, edge, data = main[0]
        where = f"edges[{i}] ({','.join(etype)})"
        src = self._endpoint(etype[0], data.id_columns[0], where, "source")
        dst = self._endpoint(etype[2], data.id_columns[1], where, "destination")
        missing = self._drop.get(etype)
        bad = (src < 0) | (dst < 0)
        unknown = bad & ~missing if missing is not None else bad
        keep = None
        ids_for_examples = data.id_columns
        for _, _, d in entries:  # the raw ID columns are no longer needed once mapped
            d.id_columns = []
        if unknown.any():
            examples = _bad_examples(ids_for_examples, unknown)
            if not self.opts.skip_nonexist_edges:
                raise DataError(f"{where}: {int(unknown.sum())} edges have an endpoint ID that is not a node, "
                                f"e.g. {examples}; pass --skip-nonexist-edges to drop them")
            log.warning("%s: dropped %d edges with unknown endpoints, e.g. %s", where, int(unknown.sum()), examples)
        if bad.any():
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
            maps = [self.id_maps[etype[0]], self.id_maps[etype[2]]]
            match = lambda qs, qd: match_edge_pairs(src, dst, qs, qd, len(maps[1]))
            for k, label in enumerate(e.labels):
                col = d.kept[label.label_col].combine_chunks() if label.label_col else None
                self._add_label(etd.arrays, etd.labels, label, col, np.arange(n), n, f"edge/{','.join(etype)}",
                                f"{w}.labels[{k}]",
                                lambda files, column, wh: split_rows(files, column, maps, self.conf.base_dir, wh,
                                                                     match))
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

    def all_states(self) -> dict:
        states = dict(self.states)
        for bts in list(self._node_bound.values()) + list(self._edge_bound.values()):
            for bt in bts:
                if bt.state is not None:  # None: never fitted, its entries have no rows
                    states[bt.key] = {"name": bt.transform.name, "state": bt.state}
        return states


def add_reverse_edges(edges: Dict[EdgeType, EdgeTypeData]) -> None:
    """Add ``(dst, REL-rev, src)`` for every edge type, sharing its arrays (no copies)."""
    for etype in list(edges):
        src_t, rel, dst_t = etype
        rev = (dst_t, f"{rel}-rev", src_t)
        if rev in edges:
            raise ConfigError(f"--add-reverse-edges: edge type {','.join(rev)} already exists")
        fwd = edges[etype]
        feats = {k: v for k, v in fwd.arrays.items() if k in fwd.features and k not in fwd.nid_arrays}
        edges[rev] = EdgeTypeData(src=fwd.dst, dst=fwd.src, arrays=dict(feats),
                                  features={k: fwd.features[k] for k in feats}, reverse_of=etype)


def _filter_entry(d: EntryData, keep: Optional[np.ndarray]) -> EntryData:
    if keep is None:
        return d
    mask = pa.array(keep)
    return EntryData(num_rows=int(keep.sum()), id_columns=[c.filter(mask) for c in d.id_columns],
                     outputs={k: v[keep] for k, v in d.outputs.items()}, output_info=d.output_info,
                     kept={k: v.filter(mask) for k, v in d.kept.items()})


def _bad_examples(id_columns, bad: np.ndarray) -> list:
    rows = pa.array(np.flatnonzero(bad)[:3])
    s = id_columns[0].take(rows).to_pylist()
    d = id_columns[1].take(rows).to_pylist()
    return [(a, b) for a, b in zip(s, d)]


def _read(conf: ConstructConfig, opts: ConstructOptions, engine) -> dict:
    """Stage ``read``: every entry read and transformed, IDs mapped, labels and masks built."""
    start = time.perf_counter()
    b = _Builder(conf, opts)
    b.engine = engine
    b.read_nodes()
    b.read_edges()
    for etype in b.edges:
        for nt in (etype[0], etype[2]):
            if nt not in b.nodes:
                raise ConfigError(f"node type {nt!r} of edge type {','.join(etype)} has no IDs")
    log.info("stage read (%s engine): %s nodes, %s edges in %.1fs", opts.engine,
             {t: d.count for t, d in b.nodes.items()}, {",".join(et): e.count for et, e in b.edges.items()},
             time.perf_counter() - start)
    return {"nodes": b.nodes, "edges": b.edges, "states": b.all_states()}


def _partition(nodes, edge_data, opts: ConstructOptions, engine) -> dict:
    """Stage ``partition``: each node's partition and the statistics metadata.json records."""
    start = time.perf_counter()
    num_nodes = {t: d.count for t, d in nodes.items()}
    edges = {et: (e.src, e.dst) for et, e in edge_data.items()}
    skip = [et for et, e in edge_data.items() if e.reverse_of]
    train = train_masks(nodes)
    parts = engine.partition_nodes(opts.part_method, num_nodes, edges, opts.num_parts, opts.seed, train, skip,
                            orig_ids={t: d.orig_ids for t, d in nodes.items()})
    stats = partition_stats(opts.part_method, parts, opts.num_parts, edges, train, skip)
    log.info("stage partition (%s): edge cut %.4f of %d edges in %.1fs", stats["method"], stats["edge_cut_ratio"],
             stats["num_edges"], time.perf_counter() - start)
    return {"parts": parts, "stats": stats}


def construct_graph(conf: ConstructConfig, opts: ConstructOptions):
    """Run the whole construction; returns the written :class:`GraphMetadata`.

    Stages ``read`` and ``partition`` are checkpointed (:mod:`.stages`); with ``opts.resume``
    a stage whose checkpoint is complete for the same config and options is not redone.
    """
    # an earlier output stops looking complete as soon as a new run starts over it
    io.remove(io.join(opts.output_dir, "metadata.json"))
    store = StageStore(opts.output_dir, opts.checkpoint, opts.resume)
    read_params = {"conf": conf.model_dump(mode="json"), "base_dir": conf.base_dir, "seed": opts.seed,
                   "skip_nonexist_edges": opts.skip_nonexist_edges, "validate": opts.feature_validate,
                   "transform_state": opts.transform_state}
    engine = make_engine(opts.engine, opts.ray_address)
    try:
        return _construct(conf, opts, store, read_params, engine)
    finally:
        engine.close()


def _construct(conf, opts: ConstructOptions, store: StageStore, read_params: dict, engine):
    built = store.load("read", read_params)
    if built is None:
        built = _read(conf, opts, engine)
        store.save("read", read_params, built)
    fail_hook("read")
    nodes, edges = built["nodes"], built["edges"]
    if opts.add_reverse_edges:
        add_reverse_edges(edges)
    part_params = dict(read_params, reverse=opts.add_reverse_edges, num_parts=opts.num_parts,
                       method=opts.part_method)
    parted = store.load("partition", part_params)
    if parted is None:
        parted = _partition(nodes, edges, opts, engine)
        store.save("partition", part_params, parted)
    fail_hook("partition")
    meta = engine.write_graph(opts.output_dir, opts.graph_name, nodes, edges, opts.num_parts, parted["parts"],
                              transforms=built["states"],
                              extra={"created_by": "gs-construct", "partition_stats": parted["stats"]})
    store.clear()
    return meta


def train_masks(nodes: Dict[str, NodeTypeData]) -> Dict[str, np.ndarray]:
    """Per node type, the nodes in any label's training mask (for balancing partitions)."""
    out = {}
    for ntype, data in nodes.items():
        names = [info.get("masks", {}).get("train") for info in data.labels.values()]
        masks = [np.asarray(data.arrays[n], dtype=bool) for n in names if n in data.arrays]
        if masks:
            out[ntype] = np.logical_or.reduce(masks)
    return out
