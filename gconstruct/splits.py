"""Read ``custom_split_filenames``: files listing the node IDs (or src/dst ID pairs) per split.

The layout of a file follows its extension, never a guess from its first character:

============================  ===================================  ==============================
extension                     node split (one ID each)             edge split (a src/dst pair each)
============================  ===================================  ==============================
``.parquet``                  ``column`` (default: 1st column)     ``column: [src, dst]`` (default:
                                                                   the first two columns)
``.json``                     a JSON array, or JSON lines (one     a JSON array of ``[src, dst]``,
                              value per line; GraphStorm's form)   or JSON lines of ``[src, dst]``
``.jsonl`` / ``.ndjson``      JSON lines                           JSON lines of ``[src, dst]``
anything else (``.txt``...)   text: one ID per line, verbatim      text: ``src dst`` or ``src,dst``
============================  ===================================  ==============================

IDs are matched as text would be read: each value is cast to the ID type of the node type
it names (:func:`~graphstorm_py.gconstruct.id_map.cast_ids`), so the text ``007`` is the
string ID ``"007"`` and the integer ID 7. Empty lines are skipped. A null or NaN ID is a
missing ID and an ID that names no node is unknown: both are a :class:`DataError` naming the
file, the count and examples.
"""

from __future__ import annotations

import json
import os
from typing import Callable, List, Optional, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphstorm_py import io
from graphstorm_py.errors import DataError
from graphstorm_py.gconstruct.id_map import NodeIdMap, missing_mask

__all__ = ["read_split_file", "split_rows", "match_edge_pairs"]

_WHAT = ("ID", "(src, dst) pair")


def _parquet(path: str, columns: Optional[Sequence[str]], width: int) -> List[pa.Array]:
    import pyarrow.parquet as pq

    with io.open_file(path, "rb") as fh:
        table = pq.read_table(fh)
    cols = list(columns) if columns else table.column_names[:width]
    missing = [c for c in cols if c not in table.column_names]
    if missing or len(cols) != width:
        raise DataError(f"{path}: a split file needs {width} ID column(s) {cols}; "
                        f"missing {missing or cols}; columns are: {', '.join(table.column_names)}")
    return [table.column(c).combine_chunks() for c in cols]


def _lines(text: str) -> pa.Array:
    """Non-empty, trimmed lines of ``text`` (Arrow string array)."""
    lines = pc.list_flatten(pc.split_pattern(pa.array([text], pa.large_string()), "\n"))
    lines = pc.utf8_trim_whitespace(lines)
    return lines.filter(pc.not_equal(pc.utf8_length(lines), 0)).cast(pa.string())


def _text(path: str, text: str, width: int) -> List[pa.Array]:
    lines = _lines(text)
    if width == 1:
        return [lines]
    parts = pc.split_pattern_regex(lines, r"[\s,]+")
    bad = pc.not_equal(pc.list_value_length(parts), 2)
    if pc.any(bad).as_py():
        example = lines.filter(bad)[0].as_py()
        raise DataError(f"{path}: each line of an edge split file must be 'src dst' or 'src,dst'; "
                        f"got {example!r}")
    return [pc.list_element(parts, 0), pc.list_element(parts, 1)]


def _column(values: list) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):  # mixed numbers and strings: all as text
        return pa.array([v if v is None or isinstance(v, str) else json.dumps(v) for v in values], pa.string())


def _json(path: str, text: str, width: int, lines_only: bool) -> List[pa.Array]:
    doc = None
    if not lines_only:
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
    if not isinstance(doc, list) or (width == 2 and doc and not isinstance(doc[0], list)):
        body = ",".join(_lines(text).to_pylist())
        try:
            doc = json.loads(f"[{body}]")
        except ValueError as exc:
            raise DataError(f"{path}: not a JSON array nor JSON lines ({exc})") from None
    if width == 1:
        if any(isinstance(v, (list, dict)) for v in doc):
            raise DataError(f"{path}: each entry of a node split file must be one ID")
        return [_column(doc)]
    if any(not isinstance(r, list) or len(r) != 2 for r in doc):
        raise DataError(f"{path}: each entry of an edge split file must be a [src, dst] pair")
    return [_column([r[0] for r in doc]), _column([r[1] for r in doc])]


def read_split_file(path: str, column, width: int) -> List[pa.Array]:
    """The IDs a split file lists: ``[ids]`` (width 1) or ``[src_ids, dst_ids]`` (width 2)."""
    ext = os.path.splitext(path)[1].lower()
    if ext == ".parquet":
        columns = [column] if isinstance(column, str) else (column or None)
        return _parquet(path, columns, width)
    try:
        text = io.read_bytes(path).decode("utf-8-sig")  # a BOM is not part of the first ID
    except UnicodeDecodeError:
        raise DataError(f"{path}: a split file must be UTF-8 text, JSON or parquet") from None
    if ext in (".json", ".jsonl", ".ndjson"):
        return _json(path, text, width, lines_only=ext != ".json")
    return _text(path, text, width)


def _parquet_columns(path: str, column, width: int) -> List[Optional[str]]:
    """The ID column names of a parquet split file (None for text and JSON layouts)."""
    if os.path.splitext(path)[1].lower() != ".parquet":
        return [None] * width
    if column:
        return [column] if isinstance(column, str) else list(column)
    import pyarrow.parquet as pq

    with io.open_file(path, "rb") as fh:
        return pq.ParquetFile(fh).schema_arrow.names[:width]


def split_rows(files, column, id_maps: Sequence[NodeIdMap], base_dir: str, where: str,
               match: Optional[Callable[[np.ndarray, np.ndarray], np.ndarray]] = None) -> np.ndarray:
    """Row indices (nids, or edge rows through ``match``) of the IDs listed by one split's files."""
    width = len(id_maps)
    out = []
    for path in io.expand_files(files, base_dir, what=f"{where}.custom_split_filenames"):
        cols = read_split_file(path, column, width)
        missing = [missing_mask(col) for col in cols]
        if any(m.any() for m in missing):
            names = _parquet_columns(path, column, width)
            counts = ", ".join(f"{int(m.sum())} in column {n!r}" if n else f"{int(m.sum())}"
                               for m, n in zip(missing, names) if m.any())
            raise DataError(f"{where}: split file {path}: {int(np.logical_or.reduce(missing).sum())} missing IDs "
                            f"(null or NaN): {counts}")
        nids = [m.lookup(col) for m, col in zip(id_maps, cols)]
        unknown = np.zeros(len(cols[0]), dtype=bool)
        for n in nids:
            unknown |= n < 0
        rows = nids[0] if match is None else match(nids[0], nids[1])
        if match is not None:
            unknown |= rows < 0
        if unknown.any():
            idx = pa.array(np.flatnonzero(unknown)[:5])
            examples = list(zip(*[c.take(idx).to_pylist() for c in cols])) if width == 2 \
                else cols[0].take(idx).to_pylist()
            ntypes = "/".join(dict.fromkeys(m.ntype for m in id_maps))
            what = "are not edges" if width == 2 else f"are not IDs of node type {ntypes!r}"
            raise DataError(f"{where}: split file {path}: {int(unknown.sum())} {_WHAT[width - 1]}s {what}, "
                            f"e.g. {examples}")
        out.append(rows)
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


def match_edge_pairs(src: np.ndarray, dst: np.ndarray, qsrc: np.ndarray, qdst: np.ndarray,
                     num_dst: int) -> np.ndarray:
    """Row index of each queried (src, dst) nid pair among the edges; -1 where it is not an edge."""
    keys = src.astype(np.int64) * num_dst + dst
    order = np.argsort(keys, kind="stable")
    q = qsrc.astype(np.int64) * num_dst + qdst
    pos = np.searchsorted(keys[order], q)
    pos = np.clip(pos, 0, max(len(keys) - 1, 0))
    found = (len(keys) > 0) & (qsrc >= 0) & (qdst >= 0)
    if len(keys):
        found &= keys[order][pos] == q
    return np.where(found, order[pos] if len(keys) else -1, -1)
