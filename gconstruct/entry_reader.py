"""Read one node or edge entry of the config: a fit pass, then an apply pass.

The fit pass reads only the columns of transforms that still need fitting (none when the
state comes from ``--transform-conf``). The apply pass streams every file in record batches
and turns each batch into numpy feature chunks right away, so raw text never piles up; only
ID columns, label columns and the columns of deferred transforms (those that need the final
ID maps, such as hard negatives) are kept, as Arrow arrays. Files are processed by a thread
pool of ``num_workers`` (Arrow, numpy and torch release the GIL for the heavy work).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np
import pyarrow as pa

from graphstorm_py import io
from graphstorm_py.gconstruct.readers import iter_batches
from graphstorm_py.progress import progress

__all__ = ["BoundTransform", "EntryData", "read_entry"]


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


def _fit(bts: Sequence[BoundTransform], files: List[str], fmt, sep, desc: str) -> None:
    todo = [bt for bt in bts if bt.state is None and bt.transform.needs_fit]
    for bt in bts:
        if bt.state is None and not bt.transform.needs_fit:
            bt.state = bt.transform.init_state()
    if not todo:
        return
    columns = sorted({c for bt in todo for c in bt.columns})
    states = [bt.transform.init_state() for bt in todo]
    for batch in progress(iter_batches(files, fmt, columns, sep), desc=f"fit {desc}", unit="batch"):
        for i, bt in enumerate(todo):
            cols = [batch.column(batch.schema.get_field_index(c)) for c in bt.columns]
            states[i] = bt.transform.fit_partial(states[i], cols)
    for bt, st in zip(todo, states):
        bt.state = bt.transform.fit_finish(st)


def read_entry(files: List[str], fmt: str, sep: Optional[str], id_cols: Sequence[str],
               bts: Sequence[BoundTransform], keep_cols: Sequence[str], ctx, desc: str,
               num_workers: int = 1) -> EntryData:
    """Fit, then apply the entry's transforms over all of its files."""
    _fit(bts, files, fmt, sep, desc)
    eager = [bt for bt in bts if not bt.deferred]
    keep = list(dict.fromkeys(list(keep_cols) + [c for bt in bts if bt.deferred for c in bt.columns]))
    columns = list(dict.fromkeys(list(id_cols) + [c for bt in eager for c in bt.columns] + keep))

    def one_file(path: str):
        ids: List[List[pa.Array]] = [[] for _ in id_cols]
        kept: Dict[str, List[pa.Array]] = {c: [] for c in keep}
        outs: Dict[str, List[np.ndarray]] = {}
        rows = 0
        for batch in iter_batches([path], fmt, columns, sep):
            col = {name: batch.column(i) for i, name in enumerate(batch.schema.names)}
            rows += batch.num_rows
            for i, c in enumerate(id_cols):
                ids[i].append(col[c])
            for c in keep:
                kept[c].append(col[c])
            for bt in eager:
                result = bt.transform.apply(bt.state, [col[c] for c in bt.columns], ctx)
                for name, arr in result.items():
                    outs.setdefault(name, []).append(arr)
        return rows, ids, kept, outs

    with ThreadPoolExecutor(max(1, num_workers)) as pool:
        results = list(progress(pool.map(one_file, files), total=len(files), desc=f"read {desc}", unit="file"))
    data = EntryData(num_rows=sum(r[0] for r in results))
    for i, _ in enumerate(id_cols):
        data.id_columns.append(pa.chunked_array([a for r in results for a in r[1][i]]))
    for c in keep:
        chunks = [a for r in results for a in r[2][c]]
        data.kept[c] = pa.chunked_array(chunks) if chunks else pa.chunked_array([], pa.null())
    names = list(dict.fromkeys(n for r in results for n in r[3]))
    for name in names:
        data.outputs[name] = np.concatenate([a for r in results for a in r[3][name]])
    for bt in eager:
        data.output_info.update(bt.transform.output_info(bt.state))
    return data


def entry_files(spec, base_dir: str, where: str) -> List[str]:
    return io.expand_files(spec, base_dir, what=f"{where}.files")
