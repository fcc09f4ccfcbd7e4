"""Per-stage checkpoints of gs-construct, so ``--resume`` does not redo finished stages.

Layout: ``OUTPUT/_stages/<stage>.pkl`` (the stage's result, pickled with protocol 5) and
``OUTPUT/_stages/<stage>.json`` (the manifest: a key over the config and the options the
stage depends on, the data file's size). The data file is written whole first (atomic
rename), the manifest after it; a stage counts as complete only when its manifest exists,
its key matches and the data file has the recorded size. The folder is removed once
``metadata.json`` is written. ``--resume`` trusts that the input files did not change.

``GS_CONSTRUCT_FAIL_AFTER=<stage>`` (tests only) fails the run right after that stage, as a
crash would: its checkpoint is complete, no ``metadata.json`` exists.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import time
from typing import Any, Optional

from graphstorm_py import io

__all__ = ["StageStore", "fail_hook", "STAGES_DIR"]

log = logging.getLogger(__name__)
STAGES_DIR = "_stages"
FAIL_ENV = "GS_CONSTRUCT_FAIL_AFTER"


def fail_hook(stage: str) -> None:
    if os.environ.get(FAIL_ENV) == stage:
        raise RuntimeError(f"{FAIL_ENV}={stage}: failing on purpose after stage {stage!r}")


def _size(path: str) -> int:
    fs, p = io.get_fs(path)
    return int(fs.size(p))


def stage_key(params: dict) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()


class StageStore:
    """Checkpoints under ``output_dir``; ``enabled=False`` keeps nothing, ``resume`` reuses them."""

    def __init__(self, output_dir: str, enabled: bool = True, resume: bool = False):
        self.root = io.join(output_dir, STAGES_DIR)
        self.enabled, self.resume = enabled, resume
        if not resume:
            io.remove(self.root)

    def _paths(self, stage: str):
        return io.join(self.root, f"{stage}.pkl"), io.join(self.root, f"{stage}.json")

    def load(self, stage: str, params: dict) -> Optional[Any]:
        """The stage's saved result when complete for these params, else None."""
        if not self.resume:
            return None
        data, manifest = self._paths(stage)
        if not io.exists(manifest):
            return None
        meta = io.read_json(manifest)
        if meta.get("key") != stage_key(params):
            log.info("stage %s: checkpoint is for other settings; redoing it", stage)
            return None
        if not io.exists(data) or _size(data) != meta.get("bytes"):
            log.info("stage %s: checkpoint data incomplete; redoing it", stage)
            return None
        start = time.perf_counter()
        with io.open_file(data, "rb") as fh:
            obj = pickle.load(fh)
        log.info("stage %s: complete in %s, loaded in %.1fs (not redone)", stage, self.root,
                 time.perf_counter() - start)
        return obj

    def save(self, stage: str, params: dict, obj: Any) -> None:
        if not self.enabled:
            return
        data, manifest = self._paths(stage)
        io.remove(manifest)
        start = time.perf_counter()
        with io.atomic_writer(data) as fh:
            pickle.dump(obj, fh, protocol=5)
        size = _size(data)
        io.write_json(manifest, {"stage": stage, "key": stage_key(params), "bytes": size})
        log.info("stage %s: checkpoint %.2f GB written in %.1fs", stage, size / 1e9, time.perf_counter() - start)

    def clear(self) -> None:
        io.remove(self.root)
