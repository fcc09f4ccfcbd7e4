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


# ---- docs/deploy.md examples, run in their local form ----

DOCS = os.path.join(REPO, "docs", "deploy.md")
DOCS_BUCKET = "s3://my-bucket"


def docs_block(name: str) -> str:
    """The fenced block right after ``<!-- example: NAME -->`` in docs/deploy.md."""
    text = open(DOCS).read()
    marker = f"<!-- example: {name} -->"
    assert marker in text, f"docs/deploy.md has no example {name!r}"
    after = text.split(marker, 1)[1]
    body = after.split("```", 2)[1]
    return body.split("\n", 1)[1]


def docs_commands(name: str, replace: dict | None = None) -> list:
    """The example's shell commands as argv lists (continuations joined, comments dropped, text replaced)."""
    import shlex

    text = docs_block(name).replace("\\\n", " ")
    for old, new in (replace or {}).items():
        text = text.replace(old, new)
    return [shlex.split(line, comments=True) for line in text.splitlines() if line.strip()]


def docs_job(folder, bucket: str) -> str:
    """docs' job.yaml written into ``folder`` (with ``examples/`` beside it), ``s3://my-bucket`` -> ``bucket``."""
    folder = str(folder)
    link = os.path.join(folder, "examples")
    if not os.path.exists(link):
        os.symlink(os.path.join(REPO, "examples"), link)
    path = os.path.join(folder, "job.yaml")
    with open(path, "w") as fh:
        fh.write(docs_block("job.yaml").replace(DOCS_BUCKET, bucket))
    return path


def run_argv(argv, cwd=None, timeout=900, env=None) -> subprocess.CompletedProcess:
    """A docs command: ``gs-*`` from this venv, ``python`` as this interpreter."""
    head = argv[0]
    if head == "python":
        argv = [sys.executable] + argv[1:]
    elif head.startswith("gs-"):
        argv = [os.path.join(BIN, head)] + argv[1:]
    full = dict(os.environ, OMP_NUM_THREADS="1", **(env or {}))
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=full)


def aws_env_sets() -> list:
    """``--set env.AWS_*=...`` so that a Ray job's stages reach moto's S3."""
    keys = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")
    return [a for k in keys for a in ("--set", f"env.{k}={os.environ[k]}")]
