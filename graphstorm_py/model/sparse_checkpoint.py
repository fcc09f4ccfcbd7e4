"""Learnable node-embedding tables in a checkpoint: one whole table, or one shard per owner.

A one-process run writes each table whole; a distributed run writes one shard per worker,
each by the worker that owns those rows (GraphStorm's trainer 0 runs out of memory gathering
them, graphstorm#28)::

    CKPT/sparse_embed/<ntype>.npy                            whole table, row i = nid i
    CKPT/sparse_embed/<ntype>/rows-<lo>-<hi>.npy             a shard: rows of nids [lo, hi)
    CKPT/sparse_embed/<ntype>/rows-<lo>-<hi>.exp_avg.npy     its SparseAdam moments (training
    CKPT/sparse_embed/<ntype>/rows-<lo>-<hi>.exp_avg_sq.npy  checkpoints, after the first step)

``checkpoint.json`` (written last) lists the shards of each sharded table::

    "sparse_embed_shards": {ntype: {"num_rows": N, "dim": D, "shards": [[lo, hi], ...]}}

A reader asks for rows ``[lo, hi)`` of a table in any layout (:func:`read_rows`): shard files
are memory-mapped and only the overlapping slices are copied, so a worker of a job of any size
reads only the rows it owns. A listed shard that is missing is a
:class:`~graphstorm_py.errors.CheckpointError` naming the file.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np

from graphstorm_py import io
from graphstorm_py.errors import CheckpointError

__all__ = ["SHARDS_KEY", "shard_file", "whole_file", "write_shard", "shard_manifest", "table_shape", "read_rows",
           "has_moments", "check_shards"]

SHARDS_KEY = "sparse_embed_shards"
MOMENTS = ("exp_avg", "exp_avg_sq")


def whole_file(ntype: str) -> str:
    return f"sparse_embed/{ntype}.npy"


def shard_file(ntype: str, lo: int, hi: int, kind: str = "rows") -> str:
    """Path of a shard's rows (``kind="rows"``) or SparseAdam moment, relative to the checkpoint."""
    suffix = "" if kind == "rows" else f".{kind}"
    return f"sparse_embed/{ntype}/rows-{lo}-{hi}{suffix}.npy"


def write_shard(path: str, ntype: str, lo: int, hi: int, rows: np.ndarray,
                moments: Optional[Mapping[str, np.ndarray]] = None) -> None:
    """Write rows ``[lo, hi)`` of ``ntype`` (and their SparseAdam moments) under checkpoint ``path``."""
    io.save_npy(io.join(path, shard_file(ntype, lo, hi)), rows)
    for kind, arr in (moments or {}).items():
        io.save_npy(io.join(path, shard_file(ntype, lo, hi, kind)), arr)


def shard_manifest(num_rows: int, dim: int, ranges: Sequence[Tuple[int, int]]) -> Dict[str, Any]:
    """The ``checkpoint.json`` entry of one sharded table."""
    return {"num_rows": int(num_rows), "dim": int(dim), "shards": [[int(lo), int(hi)] for lo, hi in ranges]}


def _load(path: str, rel: str) -> np.ndarray:
    f = io.join(path, rel)
    if not io.exists(f):
        raise CheckpointError(f"checkpoint {path} is incomplete: {f} is missing (a worker's shard of the "
                              "learnable embeddings; was the checkpoint folder copied partially?)")
    return io.load_npy(f, mmap=True)


def check_shards(path: str, info: Mapping[str, Any], kinds: Sequence[str] = ("rows",)) -> None:
    """Every listed shard file is there (a :class:`CheckpointError` naming the first missing one).

    Workers check all shards, not only their own, so that all of them fail alike and none waits
    for a peer that gave up.
    """
    for ntype, entry in sorted((info.get(SHARDS_KEY) or {}).items()):
        for lo, hi in entry["shards"]:
            for kind in kinds:
                if not io.exists(io.join(path, shard_file(ntype, lo, hi, kind))):
                    _load(path, shard_file(ntype, lo, hi, kind))


def table_shape(path: str, info: Mapping[str, Any], ntype: str) -> Tuple[int, int]:
    """``(rows, dim)`` of a saved table, without reading its rows."""
    entry = (info.get(SHARDS_KEY) or {}).get(ntype)
    if entry is not None:
        return int(entry["num_rows"]), int(entry["dim"])
    arr = _load(path, whole_file(ntype))
    return int(arr.shape[0]), int(arr.shape[1])


def has_moments(info: Mapping[str, Any], ntype: str) -> bool:
    return ntype in (info.get(SHARDS_KEY) or {})


def read_rows(path: str, info: Mapping[str, Any], ntype: str, lo: int, hi: int, kind: str = "rows") -> np.ndarray:
    """Rows ``[lo, hi)`` of table ``ntype`` (``kind``: ``rows``, ``exp_avg`` or ``exp_avg_sq``), float32.

    Whole tables are memory-mapped and sliced; shards are memory-mapped one by one and only the
    parts that overlap ``[lo, hi)`` are read. Moments exist only in sharded checkpoints (a whole
    checkpoint keeps them in ``optimizer.pt``).
    """
    entry = (info.get(SHARDS_KEY) or {}).get(ntype)
    if entry is None:
        if kind != "rows":
            raise CheckpointError(f"checkpoint {path} keeps no {kind} shards of {ntype!r}")
        return np.array(_load(path, whole_file(ntype))[lo:hi], dtype=np.float32)
    out = np.empty((hi - lo, int(entry["dim"])), dtype=np.float32)
    covered = 0
    for s_lo, s_hi in entry["shards"]:
        a, b = max(lo, s_lo), min(hi, s_hi)
        if a >= b:
            continue
        arr = _load(path, shard_file(ntype, s_lo, s_hi, kind))
        if arr.shape[0] != s_hi - s_lo:
            raise CheckpointError(f"checkpoint {path}: {shard_file(ntype, s_lo, s_hi, kind)} holds {arr.shape[0]} "
                                  f"rows, its manifest says {s_hi - s_lo}")
        out[a - lo:b - lo] = arr[a - s_lo:b - s_lo]
        covered += b - a
    if covered != hi - lo:
        raise CheckpointError(f"checkpoint {path}: the shards of {ntype!r} do not cover nids [{lo}, {hi}) "
                              f"(manifest shards: {entry['shards']})")
    return out
