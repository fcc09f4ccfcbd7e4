"""gs-train --ray-address: Cora trained by 2 Ray Train workers on a real local Ray head.

The head is the tests' shared one (tests/ray_head.py): 127.0.0.1, free ports, a private temp dir,
a small object store, stopped by its pid (never ``ray stop``).
"""

import json
import os
import subprocess
import sys

import pytest

from gs_testing import REPO
from ray_head import ray_head as shared_ray_head

pytest.importorskip("ray.train")
BIN = os.path.dirname(sys.executable)


@pytest.fixture
def ray_head():
    with shared_ray_head(object_store_mb=100) as h:
        yield h.address, h.env


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
