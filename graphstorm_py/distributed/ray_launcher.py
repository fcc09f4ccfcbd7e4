"""``--ray-address ADDR``: the same workers, run as Ray Train workers on an existing cluster.

The driver (the gs-train / gs-infer process) connects to the cluster and starts a
``TorchTrainer`` with ``ScalingConfig(num_workers=N)``. Ray Train sets up the default process
group (gloo; nccl with ``use_gpu``); each Ray worker then sets ``RANK``, ``WORLD_SIZE`` and
``LOCAL_RANK`` from Ray's train context and runs the very CLI the user called, in-process: the
worker entry sees the existing default group and adds the gloo graph group as usual.

Rank 0's printed results come back to the driver as a file of the Ray checkpoint it reports
(Ray Train keeps metrics only with checkpoints) and are printed there; on a multi-node cluster
``storage_path`` (``$TMPDIR/gs-ray-results``) must then be shared storage. ``FailureConfig(max_failures=--ray-max-failures)`` restarts the whole group after a
worker dies; a restarted gs-train resumes from the newest complete checkpoint that this job
wrote under ``save_model_path``.

Local runs never go through Ray (its start-up costs tens of seconds); use ``--num-trainers``.
"""

from __future__ import annotations

import contextlib
import io as _io
import os
import sys
import time
from typing import Dict, List, Optional, Sequence

__all__ = ["launch_ray", "latest_checkpoint_since"]


def latest_checkpoint_since(root: Optional[str], since: float) -> Optional[str]:
    """The complete checkpoint under ``root`` with the highest step, written after ``since``."""
    if not root or not os.path.isdir(root):
        return None
    from graphstorm_py.model.checkpoint import is_checkpoint, read_checkpoint_info

    best, best_step = None, -1
    for name in os.listdir(root):
        path = os.path.join(root, name)
        if name.startswith("epoch-") and is_checkpoint(path) and os.path.getmtime(path) >= since:
            step = int(read_checkpoint_info(path).get("step", -1))
            if step > best_step:
                best, best_step = path, step
    return best


def _value_of(argv: Sequence[str], *flags: str) -> Optional[str]:
    for i, a in enumerate(argv):
        for f in flags:
            if a == f and i + 1 < len(argv):
                return argv[i + 1]
            if a.startswith(f + "="):
                return a.split("=", 1)[1]
    return None


def _ray_worker(config: dict) -> None:
    """Runs inside each Ray Train worker."""
    import importlib

    import ray.train

    ctx = ray.train.get_context()
    os.environ.update(RANK=str(ctx.get_world_rank()), WORLD_SIZE=str(ctx.get_world_size()),
                      LOCAL_RANK=str(ctx.get_local_rank()), OMP_NUM_THREADS=config["threads"], GS_RAY_WORKER="1")
    import torch

    torch.set_num_threads(max(1, int(config["threads"])))
    argv: List[str] = list(config["argv"])
    if config["module"].endswith("training.cli"):
        resume = latest_checkpoint_since(_value_of(argv, "--save-model-path", "--save_model_path"),
                                         config["started"])
        if resume:
            argv += ["--resume-from-checkpoint", resume]
    buf = _io.StringIO()
    code = 0
    with contextlib.redirect_stdout(buf):
        try:
            importlib.import_module(config["module"]).main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
    if code:
        raise RuntimeError(f"worker rank {ctx.get_world_rank()} exited with code {code}")
    if ctx.get_world_rank() == 0:              # Ray Train v2 returns what rank 0 attaches to a checkpoint
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "stdout.txt"), "w") as f:
                f.write(buf.getvalue())
            ray.train.report({"exit_code": 0}, checkpoint=ray.train.Checkpoint.from_directory(d))
    else:
        ray.train.report({"exit_code": 0})


def _strip(argv: Sequence[str], flags: Sequence[str]) -> List[str]:
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in flags:
            skip = True
            continue
        if any(a.startswith(f + "=") for f in flags):
            continue
        out.append(a)
    return out


def launch_ray(module: str, argv: Sequence[str], num_workers: int, address: str, max_failures: int = 0,
               use_gpu: bool = False, worker_resources: Optional[Dict[str, float]] = None) -> int:
    import ray
    from ray.train import FailureConfig, RunConfig, ScalingConfig
    from ray.train.torch import TorchTrainer

    worker_argv = _strip(argv, ["--ray-address", "--num-trainers", "--num-workers", "--num_trainers",
                                "--ray-worker-cpus", "--ray-worker-gpus"])
    per_worker = {k: v for k, v in (worker_resources or {}).items() if v} or None
    # The thread count travels in the loop config, not a runtime env: inside a Ray job (gs-submit's Ray backend)
    # a driver's runtime env that repeats a key of the job's is refused.
    ray.init(address=address, log_to_driver=False)
    try:
        trainer = TorchTrainer(
            _ray_worker,
            train_loop_config={"module": module, "argv": worker_argv, "started": time.time(),
                               "threads": os.environ.get("OMP_NUM_THREADS", "1")},
            scaling_config=ScalingConfig(num_workers=num_workers, use_gpu=use_gpu, resources_per_worker=per_worker),
            run_config=RunConfig(failure_config=FailureConfig(max_failures=max_failures),
                                 storage_path=os.path.join(os.environ.get("TMPDIR", "/tmp"), "gs-ray-results")))
        try:
            result = trainer.fit()
        except Exception as exc:
            print(f"error: the Ray job failed: {exc}", file=sys.stderr)
            return 1
        if getattr(result, "error", None):
            print(f"error: the Ray job failed: {result.error}", file=sys.stderr)
            return 1
        if result.checkpoint is not None:
            with result.checkpoint.as_directory() as d:
                with open(os.path.join(d, "stdout.txt")) as f:
                    sys.stdout.write(f.read())
        sys.stdout.flush()
        return 0
    finally:
        ray.shutdown()
