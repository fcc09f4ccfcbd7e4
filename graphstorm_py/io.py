"""All file I/O goes through here, so that ``s3://`` (or any fsspec URL) behaves like a local path.

Writes are atomic: a file appears whole or not at all. Locally that is a write to a
temporary sibling followed by ``os.replace``; on object stores a single PUT or a completed
multipart upload is already atomic.

S3 endpoints follow the standard ``AWS_ENDPOINT_URL`` environment variable, which is how
tests point at moto's server on 127.0.0.1.
"""

from __future__ import annotations

import io
import json
import os
import posixpath
import tempfile
import uuid
from typing import Any, Iterable, List, Sequence

import numpy as np

from graphstorm_py.errors import DataError

__all__ = [
    "is_remote", "join", "get_fs", "exists", "makedirs", "remove", "expand_files", "open_file",
    "write_bytes", "read_bytes", "save_npy", "load_npy", "write_json", "read_json",
    "write_parquet", "list_dir",
]


def is_remote(path: str) -> bool:
    return "://" in str(path) and not str(path).startswith("file://")


def join(base: str, *parts: str) -> str:
    base = str(base)
    if is_remote(base):
        return posixpath.join(base, *parts)
    return os.path.join(base, *parts)


def get_fs(path: str):
    """The fsspec filesystem for ``path`` and the path in that filesystem's terms."""
    import fsspec

    fs, fs_path = fsspec.core.url_to_fs(str(path))
    return fs, fs_path


def _with_protocol(fs, path: str, like: str) -> str:
    if is_remote(like):
        proto = like.split("://", 1)[0]
        return f"{proto}://{path}" if "://" not in path else path
    return path


def exists(path: str) -> bool:
    if not is_remote(path):
        return os.path.exists(path)
    fs, p = get_fs(path)
    return fs.exists(p)


def makedirs(path: str) -> None:
    if not is_remote(path):
        os.makedirs(path, exist_ok=True)
    # object stores have no directories


def remove(path: str, recursive: bool = True) -> None:
    """Remove a file or a tree; missing paths are fine."""
    if not is_remote(path):
        import shutil

        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)
        return
    fs, p = get_fs(path)
    if fs.exists(p):
        fs.rm(p, recursive=recursive)
    fs.invalidate_cache()


def list_dir(path: str) -> List[str]:
    """Names (not paths) of the entries directly under ``path``; empty if it does not exist."""
    if not is_remote(path):
        return sorted(os.listdir(path)) if os.path.isdir(path) else []
    fs, p = get_fs(path)
    if not fs.exists(p):
        return []
    return sorted(posixpath.basename(e.rstrip("/")) for e in fs.ls(p, detail=False))


def expand_files(spec: str | Sequence[str], base_dir: str | None = None, what: str = "files") -> List[str]:
    """Expand one path, a glob, or a list of either, into a sorted list of existing files.

    Relative paths are taken relative to ``base_dir`` (the config file's folder, local or
    ``s3://``). A pattern or path that matches nothing is a :class:`DataError` naming it.
    """
    items = [spec] if isinstance(spec, str) else list(spec)
    out: List[str] = []
    for item in items:
        item = str(item)
        if base_dir and not is_remote(item) and not os.path.isabs(item):
            item = join(base_dir, item)
        fs, p = get_fs(item)
        if any(ch in item for ch in "*?["):
            matches = sorted(fs.glob(p))
            matches = [m for m in matches if not fs.isdir(m)]
        else:
            matches = [p] if fs.exists(p) and not fs.isdir(p) else []
            if not matches and fs.exists(p) and fs.isdir(p):
                matches = sorted(m for m in fs.find(p) if not posixpath.basename(m).startswith(("_", ".")))
        if not matches:
            raise DataError(f"{what}: no file matches {item!r}")
        out.extend(_with_protocol(fs, m, item) for m in matches)
    return out


def open_file(path: str, mode: str = "rb"):
    """Open a local or remote file (a context manager)."""
    if not is_remote(path):
        return open(path, mode)
    import fsspec

    return fsspec.open(path, mode).open()


def _tmp_sibling(path: str) -> str:
    d, name = os.path.split(path)
    return os.path.join(d, f".{name}.{uuid.uuid4().hex[:8]}.tmp")


class _AtomicLocalWriter:
    """Write to a temporary sibling; rename over the target only on a clean close."""

    def __init__(self, path: str):
        self.path = path
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        self.tmp = _tmp_sibling(path)
        self.fh = open(self.tmp, "wb")

    def __enter__(self):
        return self.fh

    def __exit__(self, exc_type, exc, tb):
        self.fh.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            os.remove(self.tmp)
        return False


def atomic_writer(path: str):
    """Context manager giving a binary file handle whose content appears at ``path`` whole or not at all."""
    if not is_remote(path):
        return _AtomicLocalWriter(path)
    import fsspec

    return fsspec.open(path, "wb").open()


def write_bytes(path: str, data: bytes) -> None:
    with atomic_writer(path) as fh:
        fh.write(data)


def read_bytes(path: str) -> bytes:
    with open_file(path, "rb") as fh:
        return fh.read()


def save_npy(path: str, arr: np.ndarray) -> None:
    with atomic_writer(path) as fh:
        np.save(fh, np.ascontiguousarray(arr), allow_pickle=False)


_CACHE_DIR: str | None = None


def _cache_dir() -> str:
    global _CACHE_DIR
    if _CACHE_DIR is None:
        _CACHE_DIR = os.environ.get("GS_CACHE_DIR") or tempfile.mkdtemp(prefix="gs-cache-")
    return _CACHE_DIR


def load_npy(path: str, mmap: bool = True) -> np.ndarray:
    """Load a ``.npy`` array, memory-mapped when possible.

    Remote arrays are downloaded once into a local cache folder and memory-mapped from there.
    """
    if is_remote(path):
        fs, p = get_fs(path)
        local = os.path.join(_cache_dir(), uuid.uuid5(uuid.NAMESPACE_URL, path).hex + ".npy")
        if not os.path.exists(local):
            tmp = _tmp_sibling(local)
            fs.get(p, tmp)
            os.replace(tmp, local)
        path = local
    if not os.path.exists(path):
        raise DataError(f"array file is missing: {path}")
    return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)


def write_json(path: str, obj: Any) -> None:
    write_bytes(path, json.dumps(obj, indent=2, sort_keys=False, default=_json_default).encode())


def _json_default(obj):
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, tuple):
        return list(obj)
    raise TypeError(f"not JSON serialisable: {type(obj)}")


def read_json(path: str) -> Any:
    try:
        return json.loads(read_bytes(path))
    except FileNotFoundError:
        raise DataError(f"file not found: {path}") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON ({exc})") from None


def write_parquet(path: str, table) -> None:
    import pyarrow.parquet as pq

    with atomic_writer(path) as fh:
        pq.write_table(table, fh)
