"""Helpers of the deploy tests: job specs on MovieLens, the CLIs as subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from gs_testing import REPO

BIN = os.path.dirname(sys.executable)
ML = os.path.join(REPO, "examples", "movielens")


def cli(name: str, *args, env=None, timeout=900, check=False) -> subprocess.CompletedProcess:
    full = dict(os.environ, OMP_NUM_THREADS="1", **(env or {}))
    return subprocess.run([os.path.join(BIN, name), *map(str, args)], capture_output=True, text=True, env=full,
                          timeout=timeout, check=check)


def ml_job(name: str, output_prefix: str, data: str, epochs: int = 1) -> dict:
    """construct -> train -> infer on MovieLens-100k, 1 partition, 1 epoch."""
    nc = os.path.join(ML, "ml_nc.yaml")
    return {
        "version": 1, "name": name, "graph_name": "ml", "output_prefix": output_prefix,
        "env": {"OMP_NUM_THREADS": "1"},
        "stages": [
            {"name": "construct", "kind": "construct",
             "inputs": {"config": os.path.join(ML, "ml_construct.json"), "data": data},
             "args": {"num-parts": 1, "add-reverse-edges": True, "quiet": True}},
            {"name": "train", "kind": "train", "inputs": {"config": nc, "graph": "${construct.outputs.graph}"},
             "args": {"num-epochs": epochs, "use-mini-batch-infer": False, "quiet": True}},
            {"name": "infer", "kind": "infer",
             "inputs": {"config": nc, "graph": "${construct.outputs.graph}", "model": "${train.outputs.model}"},
             "args": {"use-mini-batch-infer": False, "quiet": True}},
        ],
    }


def write_spec(path, doc: dict) -> str:
    with open(path, "w") as fh:
        yaml.safe_dump(doc, fh, sort_keys=False)
    return str(path)


def upload_dir(local: str, url: str) -> None:
    import fsspec

    fs = fsspec.filesystem("s3")
    for name in sorted(os.listdir(local)):
        if name.endswith(".parquet"):
            fs.put(os.path.join(local, name), f"{url.rstrip('/')}/{name}")
    fs.invalidate_cache()
