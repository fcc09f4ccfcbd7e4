"""Read one node or edge entry of the config: a fit pass, then an apply pass.

The fit pass reads only the columns of transforms that still need fitting (none when the
state comes from ``--transform-conf``). The apply pass streams every file in record batches
and turns each batch into numpy feature chunks right away, so raw text never piles up; only
ID columns, label columns and the columns of deferred transforms (those that need the final
ID maps, such as hard negatives) are kept, as Arrow arrays. Files are processed by a thread
pool of ``num_workers`` (Arrow, numpy and torch release the GIL for the heavy work).

Files with no rows add nothing. An entry whose files all have no rows is still valid: its
columns come from the files' schemas (``null`` typed where a format has none) and its
transforms run once on that empty batch, so every output exists with 0 rows. Missing IDs
(null or NaN) in the ID columns are counted per file, for error messages that name the file.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import pyarrow as pa

import logging

from graphstorm_py import io
from graphstorm_py.gconstruct.id_checks import check_id_range
from graphstorm_py.gconstruct.id_map import missing_mask, unify_types
from graphstorm_py.gconstruct.readers import iter_batches
from graphstorm_py.progress import progress

__all__ = ["BoundTransform", "EntryData", "read_entry", "fit_transforms"]

log = logging.getLogger(__name__)


@dataclass
class BoundTransform:
    """A transform of one entry with its (fitted or loaded) state."""

    key: str                      # key in metadata["transforms"]
    transform: object             # a FeatureTransform
    columns: List[str]
    state: Optional[dict] = None
    deferred: bool = False        # applied after ID maps are final (needs lookups)


@dataclass
class EntryData:
    num_rows: int
    id_columns: List[pa.ChunkedArray] = field(default_factory=list)
    outputs: Dict[str, np.ndarray] = field(default_factory=dict)
    output_info: Dict[str, dict] = field(default_factory=dict)
    kept: Dict[str, pa.ChunkedArray] = field(default_factory=dict)   # label / deferred columns
    # per ID column: [(file, number of missing IDs)] for the files that have any
    missing: Dict[str, List[Tuple[str, int]]] = field(default_factory=dict)


def fit_transforms(bts: Sequence[BoundTransform], sources, desc: str) -> None:
    """Fit the transforms that still need it over ``sources``: ``[(files, format, separator)]``."""
    todo = [bt for bt in bts if bt.state is None and bt.transform.needs_fit]
    for bt in bts:
        if bt.state is None and not bt.transform.needs_fit:
            bt.state = bt.transform.init_state()
    if not todo:
        return
    columns = sorted({c for bt in todo for c in bt.columns})
    states = [bt.transform.init_state() for bt in todo]
    rows = 0
    for files, fmt, sep in sources:
        for batch in progress(iter_batches(files, fmt, columns, sep), desc=f"fit {desc}", unit="batch"):
            if batch.num_rows == 0:
                continue
            rows += batch.num_rows
            for i, bt in enumerate(todo):
                cols = [batch.column(batch.schema.get_field_index(c)) for c in bt.columns]
                states[i] = bt.transform.fit_partial(states[i], cols)
    if rows == 0:  # nothing to fit on: the features cannot be computed, and there are no rows anyway
        for bt in todo:
            log.warning("%s: feature %r has no rows to fit transform '%s' on; it is not written",
                        desc, bt.transform.feature_name, bt.transform.name)
        return
    for bt, st in zip(todo, states):
        bt.state = bt.transform.fit_finish(st)


class _Parts:
    """What one file (or the empty stand-in batch) contributes to an entry."""

    def __init__(self, id_cols: Sequence[str], keep: Sequence[str]):
        self.rows = 0
        self.ids: List[List[pa.Array]] = [[] for _ in id_cols]
        self.kept: Dict[str, List[pa.Array]] = {c: [] for c in keep}
        self.outs: Dict[str, List[np.ndarray]] = {}
        self.missing = [0] * len(id_cols)
        self.empty: Optional[pa.RecordBatch] = None   # a 0-row batch, kept for its schema

    def add(self, batch: pa.RecordBatch, id_cols, keep, eager, ctx) -> None:
        """Fold one batch in; transforms left unfitted (their entries have no rows) are skipped."""
        col = {name: batch.column(i) for i, name in enumerate(batch.schema.names)}
        self.rows += batch.num_rows
        for i, c in enumerate(id_cols):
            self.ids[i].append(col[c])
            self.missing[i] += int(missing_mask(col[c]).sum())
        for c in self.kept:
            self.kept[c].append(col[c])
        for bt in eager:
            if bt.state is None:
                continue
            for name, arr in bt.transform.apply(bt.state, [col[c] for c in bt.columns], ctx).items():
                self.outs.setdefault(name, []).append(arr)


def _chunked(chunks: List[pa.Array]) -> pa.ChunkedArray:
    """One column from the chunks of all files; files that typed it differently (int32 in one,
    int64 in another; numbers in one csv, text in the next) are brought to one type."""
    if not chunks:
        return pa.chunked_array([], pa.null())
    return pa.chunked_array(unify_types(chunks))


def read_entry(files: List[str], fmt: str, sep: Optional[str], id_cols: Sequence[str],
               bts: Sequence[BoundTransform], keep_cols: Sequence[str], ctx, desc: str,
               num_workers: int = 1) -> EntryData:
    """Fit, then apply the entry's transforms over all of its files."""
    fit_transforms(bts, [(files, fmt, sep)], desc)
    eager = [bt for bt in bts if not bt.deferred]
    keep = list(dict.fromkeys(list(keep_cols) + [c for bt in bts if bt.deferred for c in bt.columns]))
    columns = list(dict.fromkeys(list(id_cols) + [c for bt in eager for c in bt.columns] + keep))

    def one_file(path: str) -> _Parts:
        parts = _Parts(id_cols, keep)
        for batch in iter_batches([path], fmt, columns, sep):
            for c in id_cols:
                check_id_range(desc, path, c, batch.column(batch.schema.get_field_index(c)))
            if batch.num_rows:
                parts.add(batch, id_cols, keep, eager, ctx)
            elif parts.empty is None:
                parts.empty = batch
        return parts

    with ThreadPoolExecutor(max(1, num_workers)) as pool:
        results = list(progress(pool.map(one_file, files), total=len(files), desc=f"read {desc}", unit="file"))
    data = EntryData(num_rows=sum(r.rows for r in results))
    for i, c in enumerate(id_cols):
        data.missing[c] = [(path, r.missing[i]) for path, r in zip(files, results) if r.missing[i]]
    if data.num_rows == 0:  # every file is empty: run once on an empty batch typed by the files
        empty = next((r.empty for r in results if r.empty is not None), None)
        results = [_Parts(id_cols, keep)]
        if empty is not None:
            results[0].add(empty, id_cols, keep, eager, ctx)
    for i, _ in enumerate(id_cols):
        data.id_columns.append(_chunked([a for r in results for a in r.ids[i]]))
    for c in keep:
        data.kept[c] = _chunked([a for r in results for a in r.kept[c]])
    names = list(dict.fromkeys(n for r in results for n in r.outs))
    for name in names:
        data.outputs[name] = np.concatenate([a for r in results for a in r.outs.get(name, [])])
    for bt in eager:
        if bt.state is not None:
            data.output_info.update(bt.transform.output_info(bt.state))
    return data


def entry_files(spec, base_dir: str, where: str) -> List[str]:
    return io.expand_files(spec, base_dir, what=f"{where}.files")
