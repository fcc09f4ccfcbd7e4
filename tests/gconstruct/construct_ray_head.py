"""A real local Ray head on 127.0.0.1 for tests: free port, private temp dir, small object store,
2 CPUs. Stopped by its own process group (never ``ray stop``, which would hit other users' Ray)."""

import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time

START_TIMEOUT_S = 240


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_head():
    """Returns ``(address, process)``; the head runs ``ray start --block`` in its own session."""
    port = _free_port()
    low = random.Random(port).randrange(20000, 50000)   # worker ports away from other users' Ray defaults
    temp = tempfile.mkdtemp(prefix="gs-ray-")
    env = dict(os.environ, RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0", OMP_NUM_THREADS="1",
               RAY_ENABLE_UV_RUN_RUNTIME_ENV="0")
    ray_exe = os.path.join(os.path.dirname(sys.executable), "ray")
    cmd = [ray_exe, "start", "--head", "--block", "--node-ip-address=127.0.0.1", f"--port={port}",
           "--num-cpus=2", "--num-gpus=0", f"--object-store-memory={200 * 1024 * 1024}",
           f"--temp-dir={temp}", "--include-dashboard=false", "--disable-usage-stats",
           f"--min-worker-port={low}",
           f"--max-worker-port={low + 200}",
           # every other port free too (as tests/deploy/ray_head.py): Ray's defaults collide across heads
           f"--ray-client-server-port={_free_port()}", f"--dashboard-agent-listen-port={_free_port()}",
           f"--metrics-export-port={_free_port()}", f"--runtime-env-agent-port={_free_port()}"]
    log = open(os.path.join(temp, "head.log"), "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    address = f"127.0.0.1:{port}"
    deadline = time.time() + START_TIMEOUT_S
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ray head exited with {proc.returncode}: {open(log.name).read()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(1)
    else:
        stop_head(proc)
        raise RuntimeError("ray head did not start in time")
    return address, proc, temp


def stop_head(proc) -> None:
    """SIGTERM to the head's process group (it stops the raylet and workers it started), then SIGKILL."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    except ProcessLookupError:
        pass
