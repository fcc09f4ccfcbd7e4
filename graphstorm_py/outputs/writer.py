"""Sharded, atomic output datasets: ``ROOT/<name>/part-NNNNN.parquet`` plus a ``ROOT/_SUCCESS`` manifest.

An :class:`OutputDir` is one output root (``--save-embed-path`` or ``--save-prediction-path``)::

    out = OutputDir("s3://bucket/emb", fmt="parquet", chunk_size=100_000, provenance={...})
    out.begin(["user", "movie"])        # removes _SUCCESS first, then stale shards of these datasets
    with out.dataset("user") as ds:     # one dataset = one folder of shards
        ds.write(table)                 # any number of Arrow tables; cut into shards of chunk_size rows
    out.commit()                        # _SUCCESS, written last: every file with its row count

Readers must treat a root without ``_SUCCESS`` as incomplete. A re-run replaces the previous
output: ``begin`` drops the old manifest, then every dataset folder it will write (and every
file the old manifest listed), so no stale shard survives.

Failure injection (for the fault tests): with ``GS_INFER_FAIL_AFTER_SHARDS=N`` in the
environment, the process raises :class:`InjectedFailure` right after its N-th shard is written.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence

import pyarrow as pa

from graphstorm_py import io

__all__ = ["OutputDir", "DatasetWriter", "InjectedFailure", "FAIL_AFTER_SHARDS_ENV", "MANIFEST",
           "OUTPUT_FORMAT", "read_manifest"]

log = logging.getLogger(__name__)

MANIFEST = "_SUCCESS"
OUTPUT_FORMAT = "graphstorm_py/output-v1"
FAIL_AFTER_SHARDS_ENV = "GS_INFER_FAIL_AFTER_SHARDS"

_shards_written = 0   # per process, for the failure hook


class InjectedFailure(RuntimeError):
    """Raised by the ``GS_INFER_FAIL_AFTER_SHARDS`` hook (never in normal runs)."""


def _maybe_fail() -> None:
    global _shards_written
    _shards_written += 1
    limit = os.environ.get(FAIL_AFTER_SHARDS_ENV)
    if limit and _shards_written >= int(limit):
        raise InjectedFailure(f"{FAIL_AFTER_SHARDS_ENV}={limit}: injected failure after {_shards_written} shard(s)")


def _csv_ready(table: pa.Table) -> pa.Table:
    """CSV has no list type: list columns become ';'-joined strings (vectorised, no Python loop)."""
    import pyarrow.compute as pc

    cols = []
    for col in table.columns:
        if pa.types.is_fixed_size_list(col.type) or pa.types.is_list(col.type):
            col = pc.binary_join(col.cast(pa.list_(pa.string())), ";")
        cols.append(col)
    return pa.table(cols, names=table.column_names)


def _write_file(path: str, table: pa.Table, fmt: str) -> None:
    if fmt == "parquet":
        io.write_parquet(path, table)
        return
    import pyarrow.csv as pcsv

    with io.atomic_writer(path) as fh:
        pcsv.write_csv(_csv_ready(table), fh)


class DatasetWriter:
    """Shards of one dataset: buffers tables and writes a file every ``chunk_size`` rows."""

    def __init__(self, out: "OutputDir", name: str):
        self.out, self.name = out, name
        self.files: List[Dict[str, Any]] = []
        self._buf: List[pa.Table] = []
        self._buffered = 0
        self.schema: Optional[pa.Schema] = None

    @property
    def rows(self) -> int:
        return sum(f["rows"] for f in self.files) + self._buffered

    def write(self, table: pa.Table) -> None:
        if self.schema is None:
            self.schema = table.schema
        self._buf.append(table)
        self._buffered += table.num_rows
        while self._buffered >= self.out.chunk_size:
            self._flush(self.out.chunk_size)

    def _flush(self, rows: int) -> None:
        table = pa.concat_tables(self._buf)
        head, rest = table.slice(0, rows), table.slice(rows)
        self._buf = [rest] if rest.num_rows else []
        self._buffered = rest.num_rows
        rel = f"{self.name}/{self.out.file_prefix}-{len(self.files):05d}.{self.out.fmt}"
        _write_file(io.join(self.out.root, rel), head.combine_chunks(), self.out.fmt)
        self.files.append({"path": rel, "rows": head.num_rows})
        _maybe_fail()

    def close(self) -> None:
        if self._buffered or not self.files:   # an empty dataset still gets one (empty) file with its schema
            if not self._buf and self.schema is not None:
                self._buf = [self.schema.empty_table()]
            if self._buf:
                self._flush(self._buffered)
        self.out._done(self)

    def __enter__(self) -> "DatasetWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            self.close()
        return False


class OutputDir:
    """One output root with its datasets and manifest (see the module docstring).

    Args:
        root: local path or fsspec URL.
        kind: what it holds (``embeddings``, ``predictions``), recorded in the manifest.
        fmt: ``parquet`` or ``csv``.
        chunk_size: rows per shard.
        provenance: model and graph the output came from, recorded in the manifest.
    """

    def __init__(self, root: str, kind: str, fmt: str = "parquet", chunk_size: int = 100_000,
                 provenance: Optional[Mapping[str, Any]] = None):
        if fmt not in ("parquet", "csv"):
            raise ValueError(f"unknown output format {fmt!r}")
        self.root, self.kind, self.fmt = str(root).rstrip("/"), kind, fmt
        self.chunk_size = max(1, int(chunk_size))
        self.provenance = dict(provenance or {})
        self.datasets: Dict[str, Dict[str, Any]] = {}
        self.file_prefix = "part"      # a distributed worker writes part-rRRRR-NNNNN files

    def invalidate(self) -> None:
        """Remove the old manifest: from now on the root reads as incomplete."""
        io.remove(io.join(self.root, MANIFEST))

    def begin(self, names: Sequence[str]) -> None:
        """Invalidate, then remove the folders of ``names`` and of every dataset the old manifest listed."""
        old: List[str] = []
        if io.exists(io.join(self.root, MANIFEST)):
            try:
                old = list(io.read_json(io.join(self.root, MANIFEST)).get("datasets", {}))
            except Exception:  # an unreadable manifest: clean our own folders only
                old = []
        self.invalidate()
        io.makedirs(self.root)
        for name in dict.fromkeys([*names, *old]):
            io.remove(io.join(self.root, name))

    def dataset(self, name: str) -> DatasetWriter:
        return DatasetWriter(self, name)

    def _done(self, ds: DatasetWriter) -> None:
        self.datasets[ds.name] = {"rows": sum(f["rows"] for f in ds.files), "files": list(ds.files),
                                  "schema": None if ds.schema is None else
                                  {f.name: str(f.type) for f in ds.schema}}

    def commit(self) -> Dict[str, Any]:
        """Write ``_SUCCESS`` (last): every file with its row count, the model and the graph."""
        manifest = {
            "format": OUTPUT_FORMAT,
            "kind": self.kind,
            "root": self.root,
            "output_format": self.fmt,
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            **self.provenance,
            "num_rows": sum(d["rows"] for d in self.datasets.values()),
            "datasets": self.datasets,
            "files": [f for d in self.datasets.values() for f in d["files"]],
        }
        io.write_json(io.join(self.root, MANIFEST), manifest)
        log.info("wrote %s: %d rows in %d files under %s", self.kind, manifest["num_rows"],
                 len(manifest["files"]), self.root)
        return manifest


def read_manifest(root: str) -> Dict[str, Any]:
    """The ``_SUCCESS`` manifest of a complete output (a DataError when the output is incomplete)."""
    from graphstorm_py.errors import DataError

    path = io.join(str(root).rstrip("/"), MANIFEST)
    if not io.exists(path):
        raise DataError(f"{root} is not a complete gs-infer output ({MANIFEST} is missing)")
    return io.read_json(path)
