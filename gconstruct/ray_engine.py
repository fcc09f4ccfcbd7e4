"""The Ray Data engine: entries read and transformed by cluster workers, IDs numbered by bucket.

- Fit: workers read the columns the unfitted transforms need, file by file; the driver folds
  them into the state with the transform's own ``fit_partial``/``fit_finish`` in file order
  (fitting is cheap next to applying; the order makes the state the local engine's).
- Apply: one Ray Data task per file reads it in record batches and runs every eager
  transform's ``apply`` on the worker; outputs travel as Arrow columns (``FixedSizeList`` for
  multi-dimensional features, shape and dtype in the column name) and are joined on the
  driver in file order (``preserve_order``), so arrays are byte-identical to the local run.
- ID numbering: (ID, row position) pairs are hashed into ``NUM_BUCKETS`` buckets; each block
  keeps an ID's first position, then each bucket merges its blocks (:func:`.ray_join.bucket_shuffle`:
  buckets are even in size whatever the ID skew, unlike a group-by on raw IDs). Sorting the
  (ID, first position) pairs by position gives the local engine's first-seen order.

- Edge endpoints -> nids: joined bucket by bucket on workers (:mod:`.ray_join`).
- Partitioning: ``hash`` and ``ldg`` with their per-chunk work on workers
  (:mod:`.ray_partition`); ``random``, ``metis`` and ``kaminpar`` on the driver.
- Writing: one task per (type, partition) writes its arrays, ``metadata.json`` last
  (:mod:`.ray_write`).

Entries whose files have no rows at all go through the local reader (it types the empty
outputs from the files' schemas). Labels, splits and reverse edges are the shared pipeline's.
"""

from __future__ import annotations

import functools
import logging
from typing import Dict, Iterator, List, Optional, Sequence

import numpy as np
import pyarrow as pa

from graphstorm_py.gconstruct.entry_reader import EntryData, _chunked, read_entry as local_read_entry
from graphstorm_py.gconstruct.id_map import missing_mask, unify_types, unique_in_order as local_unique
from graphstorm_py.gconstruct.ray_join import BLOCK_ROWS, bucket_shuffle
from graphstorm_py.gconstruct.readers import iter_batches
from graphstorm_py.gconstruct.stream_partition import hash_ids
from graphstorm_py.gconstruct.transforms.base import TransformContext
from graphstorm_py.progress import progress

__all__ = ["RayEngine", "NUM_BUCKETS"]

log = logging.getLogger(__name__)
NUM_BUCKETS = 64
LOCAL_OBJECT_STORE_BYTES = 2 << 30
_SEP = "|"


def _encode(name: str, arr: np.ndarray):
    """(column name carrying dtype and shape, Arrow column) for a feature output."""
    shape = arr.shape[1:]
    tag = _SEP.join(["o", str(arr.dtype), "x".join(map(str, shape)), name])
    if not shape:
        return tag, pa.array(arr)
    width = int(np.prod(shape))
    values = pa.array(np.ascontiguousarray(arr).reshape(-1))
    return tag, pa.FixedSizeListArray.from_arrays(values, width)


def _decode(tag: str, chunks: List[pa.Array]) -> np.ndarray:
    _, dtype, dims, _ = tag.split(_SEP, 3)
    shape = tuple(int(d) for d in dims.split("x")) if dims else ()
    if not chunks:
        return np.empty((0, *shape), dtype=dtype)
    if shape:
        parts = [c.flatten().to_numpy(zero_copy_only=False) for c in chunks]
        flat = np.concatenate(parts) if len(parts) > 1 else parts[0]
        return flat.astype(dtype, copy=False).reshape((-1, *shape))
    parts = [c.to_numpy(zero_copy_only=False) for c in chunks]
    return (np.concatenate(parts) if len(parts) > 1 else parts[0]).astype(dtype, copy=False)


def _read_files(batch: pa.Table, files, fmt, sep, columns, id_cols, keep, eager, validate) -> Iterator[pa.Table]:
    """Worker side: each file of ``batch`` in record batches -> ID, kept and transformed columns."""
    ctx = TransformContext(validate=validate)
    for i in batch.column("i").to_pylist():
        for rb in iter_batches([files[i]], fmt, columns, sep):
            if rb.num_rows == 0:
                continue
            col = {name: rb.column(j) for j, name in enumerate(rb.schema.names)}
            out = {"__file": pa.array(np.full(rb.num_rows, i, dtype=np.int32))}
            for k, c in enumerate(id_cols):
                out[f"i{_SEP}{k}"] = col[c]
            for c in keep:
                out[f"k{_SEP}{c}"] = col[c]
            for bt in eager:
                for name, arr in bt.transform.apply(bt.state, [col[c] for c in bt.columns], ctx).items():
                    tag, values = _encode(name, arr)
                    out[tag] = values
            yield pa.table(out)


def _bucket_firsts(batch: pa.Table, buckets: int) -> pa.Table:
    """Per block: each ID once with its first position and its bucket."""
    firsts = batch.group_by("id", use_threads=False).aggregate([("pos", "min")]).rename_columns(["id", "pos"])
    bucket = (hash_ids(firsts.column("id")) % np.uint64(buckets)).astype(np.int32)
    return firsts.append_column("bucket", pa.array(bucket))


def _merge_bucket(group: pa.Table) -> pa.Table:
    return group.group_by("id", use_threads=False).aggregate([("pos", "min")]).rename_columns(["id", "pos"])


def _regroup(arrays: List[pa.Array], rows: int) -> Iterator[pa.Array]:
    """Consecutive arrays joined into blocks of about ``rows`` (few shuffle tasks, not one per batch)."""
    group, size = [], 0
    for a in arrays:
        group.append(a)
        size += len(a)
        if size >= rows:
            yield pa.concat_arrays(group) if len(group) > 1 else group[0]
            group, size = [], 0
    if group:
        yield pa.concat_arrays(group) if len(group) > 1 else group[0]


class RayEngine:
    """``read_entry`` and ``unique_in_order`` through Ray Data on the cluster at ``address``."""

    def __init__(self, address: Optional[str] = None):
        import ray

        if not ray.is_initialized():
            # a local Ray (no address) gets a bounded object store; a cluster keeps its own settings
            local = {} if address else {"object_store_memory": LOCAL_OBJECT_STORE_BYTES}
            ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False, **local)
        self._owns = address is None
        import ray.data

        if logging.getLogger().level > logging.INFO:   # --quiet: Ray Data's plan/finish lines too
            logging.getLogger("ray").setLevel(logging.WARNING)
            # and its "progress bars disabled" notice (ours are the rows bars)
            logging.getLogger("ray.data").setLevel(logging.ERROR)

        dctx = ray.data.DataContext.get_current()
        dctx.execution_options.preserve_order = True
        dctx.enable_progress_bars = False
        self.ray = ray

    def close(self) -> None:
        if self._owns and self.ray.is_initialized():
            self.ray.shutdown()

    # ---- read -------------------------------------------------------------------------------
    def _stream(self, files, fmt, sep, columns, id_cols=(), keep=(), eager=(), validate=True):
        ds = self.ray.data.from_items([{"i": i} for i in range(len(files))], override_num_blocks=len(files))
        fn = functools.partial(_read_files, files=list(files), fmt=fmt, sep=sep, columns=list(columns),
                               id_cols=list(id_cols), keep=list(keep), eager=list(eager), validate=validate)
        ds = ds.map_batches(fn, batch_size=1, batch_format="pyarrow")
        return ds.iter_batches(batch_format="pyarrow", batch_size=None)

    def _fit(self, bts, files, fmt, sep, desc) -> None:
        todo = [bt for bt in bts if bt.state is None and bt.transform.needs_fit]
        for bt in bts:
            if bt.state is None and not bt.transform.needs_fit:
                bt.state = bt.transform.init_state()
        if not todo:
            return
        columns = sorted({c for bt in todo for c in bt.columns})
        states = [bt.transform.init_state() for bt in todo]
        rows = 0
        bar = progress(desc=f"fit {desc} (ray)", unit="rows", unit_scale=True)
        for table in self._stream(files, fmt, sep, columns, keep=columns):
            rows += table.num_rows
            bar.update(table.num_rows)
            for batch in table.to_batches():
                for i, bt in enumerate(todo):
                    cols = [batch.column(batch.schema.get_field_index(f"k{_SEP}{c}")) for c in bt.columns]
                    states[i] = bt.transform.fit_partial(states[i], cols)
        bar.close()
        if rows == 0:
            return   # the local reader handles entries without rows
        for bt, st in zip(todo, states):
            bt.state = bt.transform.fit_finish(st)

    def read_entry(self, files: List[str], fmt: str, sep: Optional[str], id_cols: Sequence[str], bts,
                   keep_cols: Sequence[str], ctx, desc: str, num_workers: int = 1) -> EntryData:
        self._fit(bts, files, fmt, sep, desc)
        if any(bt.state is None and bt.transform.needs_fit for bt in bts):
            return local_read_entry(files, fmt, sep, id_cols, bts, keep_cols, ctx, desc, num_workers)
        eager = [bt for bt in bts if not bt.deferred]
        keep = list(dict.fromkeys(list(keep_cols) + [c for bt in bts if bt.deferred for c in bt.columns]))
        columns = list(dict.fromkeys(list(id_cols) + [c for bt in eager for c in bt.columns] + keep))
        ids: List[List[pa.Array]] = [[] for _ in id_cols]
        kept: Dict[str, List[pa.Array]] = {c: [] for c in keep}
        outs: Dict[str, List[pa.Array]] = {}
        missing = np.zeros((len(id_cols), len(files)), dtype=np.int64)
        rows = 0
        validate = getattr(ctx, "validate", True)
        bar = progress(desc=f"read+transform {desc} (ray)", unit="rows", unit_scale=True)
        for table in self._stream(files, fmt, sep, columns, id_cols, keep, eager, validate):
            rows += table.num_rows
            bar.update(table.num_rows)
            file_idx = table.column("__file").to_numpy()
            for name in table.column_names:
                chunks = table.column(name).chunks
                kind, _, rest = name.partition(_SEP)
                if kind == "i":
                    k = int(rest)
                    ids[k].extend(chunks)
                    miss = missing_mask(table.column(name))
                    missing[k] += np.bincount(file_idx[miss], minlength=len(files))
                elif kind == "k":
                    kept[rest].extend(chunks)
                elif kind == "o":
                    outs.setdefault(name, []).extend(chunks)
        bar.close()
        if rows == 0:
            return local_read_entry(files, fmt, sep, id_cols, bts, keep_cols, ctx, desc, num_workers)
        data = EntryData(num_rows=rows)
        for k, c in enumerate(id_cols):
            data.missing[c] = [(path, int(missing[k, j])) for j, path in enumerate(files) if missing[k, j]]
            data.id_columns.append(_chunked(ids[k]))
        for c in keep:
            data.kept[c] = _chunked(kept[c])
        for tag, chunks in outs.items():
            data.outputs[tag.split(_SEP, 3)[3]] = _decode(tag, chunks)
        for bt in eager:
            if bt.state is not None:
                data.output_info.update(bt.transform.output_info(bt.state))
        return data

    # ---- endpoints, partitions, writing ------------------------------------------------------
    def lookup(self, idmap, values) -> np.ndarray:
        from graphstorm_py.gconstruct.ray_join import lookup_on_workers

        with progress(total=len(values), desc=f"map {idmap.ntype} endpoints (ray)", unit="rows",
                      unit_scale=True) as bar:
            return lookup_on_workers(self.ray, idmap, values, NUM_BUCKETS, bar)

    def partition_nodes(self, method, *args, **kwargs):
        from graphstorm_py.gconstruct.ray_partition import partition_on_workers

        return partition_on_workers(self.ray, method, *args, **kwargs)

    def write_graph(self, *args, **kwargs):
        from graphstorm_py.gconstruct.ray_write import write_on_workers

        return write_on_workers(self.ray, *args, **kwargs)

    # ---- IDs --------------------------------------------------------------------------------
    def unique_in_order(self, chunks) -> pa.Array:
        arrays = []
        for c in chunks:
            arrays.extend(c.chunks if isinstance(c, pa.ChunkedArray) else [c])
        arrays = [a for a in arrays if not pa.types.is_null(a.type) and len(a)]
        if not arrays:
            return local_unique(chunks)
        blocks, pos = [], 0
        for a in _regroup(unify_types(arrays), BLOCK_ROWS):
            blocks.append(pa.table({"id": a, "pos": pa.array(np.arange(pos, pos + len(a), dtype=np.int64))}))
            pos += len(a)
        run = bucket_shuffle(self.ray, [(blocks, functools.partial(_bucket_firsts, buckets=NUM_BUCKETS))],
                             NUM_BUCKETS)
        tables = [t for t in run(_merge_bucket) if t.num_rows]
        firsts = pa.concat_tables(tables)
        order = np.argsort(firsts.column("pos").to_numpy(), kind="stable")
        uniq = firsts.column("id").combine_chunks().take(pa.array(order))
        miss = missing_mask(uniq)
        return uniq.filter(pa.array(~miss)) if miss.any() else uniq
