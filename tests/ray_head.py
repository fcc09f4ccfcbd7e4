"""The one private Ray head of the tests (gconstruct, deploy, distributed): 127.0.0.1 only.

Started with ``ray start --head --block`` in its own session, with the venv's bin first on PATH,
``RAY_AUTH_MODE=disabled``, its own short temp dir (Ray's unix sockets live under it), a small
object store, every port free (GCS, client server, dashboard agent, metrics, runtime-env agent:
Ray's defaults collide across heads) and worker ports away from other users' Ray defaults.
Stopped by its pid (SIGTERM to its session, then SIGKILL of what it started), never with
``ray stop``, which ends every Ray on the machine.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Dict, Optional

import pytest

START_TIMEOUT_S = 240


@dataclass
class RayHead:
    address: str                  # GCS address for ray.init / --ray-address: 127.0.0.1:PORT
    dashboard: Optional[str]      # http://127.0.0.1:PORT (jobs API) when started with a dashboard
    env: Dict[str, str]           # the environment the head runs with (children should use it)
    temp_dir: str
    pid: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ready(proc, port: int, dashboard: Optional[str], log_path: str, deadline: float) -> None:
    while True:
        if proc.poll() is not None:
            with open(log_path) as fh:
                raise RuntimeError(f"ray head exited with {proc.returncode}: {fh.read()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
            if dashboard:
                from ray.job_submission import JobSubmissionClient

                JobSubmissionClient(dashboard).list_jobs()
            return
        except Exception:  # noqa: BLE001  (not up yet)
            if time.monotonic() > deadline:
                raise RuntimeError("ray head did not start in time") from None
            time.sleep(1)


def _stop(proc) -> None:
    import psutil

    kids = []
    with contextlib.suppress(psutil.Error):
        kids = psutil.Process(proc.pid).children(recursive=True)
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 30)):   # a clean stop can take 30 s+
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)   # its own session: the pid is the group id
        try:
            proc.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue
    for k in kids:   # workers that left the group
        with contextlib.suppress(psutil.Error):
            k.kill()


@contextlib.contextmanager
def ray_head(num_cpus: int = 2, dashboard: bool = False, object_store_mb: int = 200,
             timeout: float = START_TIMEOUT_S):
    """Yields a :class:`RayHead`; ``dashboard=True`` also serves the jobs API (needs ray[default])."""
    pytest.importorskip("ray.job_submission" if dashboard else "ray", reason="needs ray")
    bindir = os.path.dirname(sys.executable)
    tmp = tempfile.mkdtemp(prefix="gsray", dir="/tmp")
    port = free_port()
    low = random.Random(port).randrange(20000, 50000)
    env = dict(os.environ, RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0", OMP_NUM_THREADS="1",
               RAY_ENABLE_UV_RUN_RUNTIME_ENV="0", PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    argv = [os.path.join(bindir, "ray"), "start", "--head", "--block", f"--port={port}",
            "--node-ip-address=127.0.0.1", f"--temp-dir={tmp}", f"--object-store-memory={object_store_mb << 20}",
            f"--num-cpus={num_cpus}", "--num-gpus=0", "--disable-usage-stats",
            f"--min-worker-port={low}", f"--max-worker-port={low + 200}",
            f"--ray-client-server-port={free_port()}", f"--dashboard-agent-listen-port={free_port()}",
            f"--metrics-export-port={free_port()}", f"--runtime-env-agent-port={free_port()}"]
    url = None
    if dashboard:
        dash = free_port()
        url = f"http://127.0.0.1:{dash}"
        argv += ["--include-dashboard=true", "--dashboard-host=127.0.0.1", f"--dashboard-port={dash}"]
    else:
        argv += ["--include-dashboard=false"]
    log_path = os.path.join(tmp, "head.log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _ready(proc, port, url, log_path, time.monotonic() + timeout)
        yield RayHead(f"127.0.0.1:{port}", url, env, tmp, proc.pid)
    finally:
        _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
