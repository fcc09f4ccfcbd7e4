"""A private Ray head on 127.0.0.1 for tests: free ports, its own temp dir, a small object store.

Started with ``ray start --head --block`` in its own session, with the venv's bin first on PATH and
``RAY_AUTH_MODE=disabled``; stopped by its pid (SIGTERM, then SIGKILL of what it started), never with
``ray stop``, which ends every Ray on the machine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest


def _free() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def ray_head(num_cpus: int = 2, timeout: float = 180):
    """Yields the dashboard address ``http://127.0.0.1:PORT``."""
    pytest.importorskip("ray.job_submission", reason="needs ray[default]")
    import psutil

    bindir = os.path.dirname(sys.executable)
    tmp = tempfile.mkdtemp(prefix="gsray", dir="/tmp")   # short: Ray's unix sockets live under it
    dash = _free()
    env = dict(os.environ, RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0",
               PATH=bindir + os.pathsep + os.environ.get("PATH", ""), OMP_NUM_THREADS="1")
    argv = [os.path.join(bindir, "ray"), "start", "--head", "--block", f"--port={_free()}",
            "--node-ip-address=127.0.0.1", "--dashboard-host=127.0.0.1", f"--dashboard-port={dash}",
            "--include-dashboard=true", f"--temp-dir={tmp}", "--object-store-memory=80000000",
            f"--num-cpus={num_cpus}", "--num-gpus=0", "--disable-usage-stats",
            f"--ray-client-server-port={_free()}", f"--dashboard-agent-listen-port={_free()}",
            f"--metrics-export-port={_free()}", f"--runtime-env-agent-port={_free()}"]
    log = open(os.path.join(tmp, "head.log"), "w")
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    address = f"http://127.0.0.1:{dash}"
    try:
        from ray.job_submission import JobSubmissionClient

        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"ray head exited: {open(os.path.join(tmp, 'head.log')).read()[-2000:]}")
            try:
                JobSubmissionClient(address).list_jobs()
                break
            except Exception:  # noqa: BLE001  (not up yet)
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        yield address
    finally:
        kids = psutil.Process(proc.pid).children(recursive=True) if proc.poll() is None else []
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        for k in kids:
            with contextlib.suppress(psutil.Error):
                k.kill()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)
