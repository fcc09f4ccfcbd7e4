"""Read ``custom_split_filenames``: files listing the node IDs (or src/dst ID pairs) per split.

Accepted files: Parquet (``column`` names the ID column, or the src and dst columns for
edges; default: the first one or two columns), JSON (a list, or one value per line; edge
entries are ``[src, dst]`` pairs), and plain text (one ID per line; ``src,dst`` or
``src dst`` for edges).
"""

from __future__ import annotations

import json
from typing import List, Optional, Sequence

import numpy as np
import pyarrow as pa

from graphstorm_py import io
from graphstorm_py.errors import DataError

__all__ = ["read_split_ids", "match_edge_pairs"]


def _parquet(path: str, columns: Optional[Sequence[str]], width: int) -> List[pa.Array]:
    import pyarrow.parquet as pq

    with io.open_file(path, "rb") as fh:
        table = pq.read_table(fh)
    cols = list(columns) if columns else table.column_names[:width]
    missing = [c for c in cols if c not in table.column_names]
    if missing or len(cols) != width:
        raise DataError(f"{path}: split file needs {width} ID column(s); missing {missing or cols}")
    return [table.column(c).combine_chunks() for c in cols]


def _values(path: str, width: int) -> List[pa.Array]:
    text = io.read_bytes(path).decode()
    stripped = text.strip()
    rows: list
    if path.endswith(".json") and stripped.startswith("["):
        rows = json.loads(stripped)
    elif path.endswith(".json"):
        rows = [json.loads(line) for line in stripped.splitlines() if line.strip()]
    else:
        lines = [line.strip() for line in stripped.splitlines() if line.strip()]
        rows = [line.replace(",", " ").split() if width == 2 else line for line in lines]
        rows = [_num(r) if width == 1 else [_num(x) for x in r] for r in rows]
    if width == 1:
        return [pa.array(rows)]
    if any(not isinstance(r, (list, tuple)) or len(r) != 2 for r in rows):
        raise DataError(f"{path}: each entry of an edge split file must be a (src, dst) pair")
    return [pa.array([r[0] for r in rows]), pa.array([r[1] for r in rows])]


def _num(text: str):
    try:
        return int(text)
    except ValueError:
        return text


def read_split_ids(files, column, width: int, base_dir: str) -> List[pa.Array]:
    """IDs listed by one split's files: ``[ids]`` for nodes, ``[src_ids, dst_ids]`` for edges."""
    if not files:
        return []
    columns = [column] if isinstance(column, str) else (column or None)
    parts: List[List[pa.Array]] = []
    for path in io.expand_files(files, base_dir, what="custom_split_filenames"):
        parts.append(_parquet(path, columns, width) if path.endswith(".parquet") else _values(path, width))
    return [pa.concat_arrays([p[i].cast(parts[0][i].type) for p in parts]) for i in range(width)]


def match_edge_pairs(src: np.ndarray, dst: np.ndarray, qsrc: np.ndarray, qdst: np.ndarray,
                     num_dst: int, where: str) -> np.ndarray:
    """Row index of each queried (src, dst) nid pair among the edges; a missing pair is an error."""
    keys = src.astype(np.int64) * num_dst + dst
    order = np.argsort(keys, kind="stable")
    q = qsrc.astype(np.int64) * num_dst + qdst
    pos = np.searchsorted(keys[order], q)
    pos = np.clip(pos, 0, max(len(keys) - 1, 0))
    found = (len(keys) > 0) & (keys[order][pos] == q) & (qsrc >= 0) & (qdst >= 0)
    if not np.all(found):
        raise DataError(f"{where}: {int((~found).sum())} (src, dst) pairs in the split files are not edges")
    return order[pos]
