"""gs-train --ray-address: Cora trained by 2 Ray Train workers on a real local Ray head.

The head runs on 127.0.0.1 at a free port with a private temp dir and a small object store; it
is started with ``ray start --block`` in its own session and stopped by that pid (never with
``ray stop``, which would end every Ray on the machine).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from gs_testing import REPO

pytest.importorskip("ray.train")
BIN = os.path.dirname(sys.executable)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ray_head():
    port = _free_port()
    tmp = tempfile.mkdtemp(prefix="r", dir="/tmp")
    env = dict(os.environ, RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0", OMP_NUM_THREADS="1")
    head = subprocess.Popen([os.path.join(BIN, "ray"), "start", "--head", "--block", "--node-ip-address=127.0.0.1",
                             f"--port={port}", f"--temp-dir={tmp}", "--object-store-memory=100000000",
                             "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert head.poll() is None, "ray head exited"
            time.sleep(0.5)
        yield f"127.0.0.1:{port}", env
    finally:
        os.killpg(head.pid, signal.SIGTERM)      # the head's own session: its pid is the group id
        try:
            head.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()


@pytest.mark.slow
def test_cora_two_ray_workers(ray_head, cora2):
    address, env = ray_head
    p = subprocess.run([os.path.join(BIN, "gs-train"), "--cf", os.path.join(REPO, "examples/cora/cora_nc.yaml"),
                        "--part-config", cora2, "--num-epochs", "30", "--quiet", "--ray-address", address,
                        "--num-trainers", "2"], capture_output=True, text=True, timeout=400, env=env)
    assert p.returncode == 0, p.stderr[-4000:]
    res = json.loads(p.stdout)
    assert res["distributed"]["world_size"] == 2
    assert res["epochs_run"] == 30 and res["test"]["accuracy"] > 0.7
