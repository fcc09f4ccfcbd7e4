"""Quality: Cora (public split, 2 partitions) trained by 2 workers is as accurate as by 1 worker.

Both over seeds 0-4, with examples/cora/cora_nc.yaml; the 2-worker jobs use the collective
transport (every remote row and sampling request goes over all_to_all). The bar: the 5-seed mean
test accuracies within 1.5 points.
"""

import json
import os
import subprocess
import sys

import pytest

from gs_testing import REPO

BIN = os.path.dirname(sys.executable)

def _acc(graph, seed, *extra):
    p = subprocess.run([os.path.join(BIN, "gs-train"), "--cf", os.path.join(REPO, "examples/cora/cora_nc.yaml"),
                        "--part-config", graph, "--seed", str(seed), "--quiet", *extra], capture_output=True,
                       text=True, timeout=300, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout)["test"]["accuracy"]

@pytest.mark.slow
def test_cora_two_workers_within_1_5_points_of_one(cora2):
    one = [_acc(cora2, s) for s in range(5)]
    two = [_acc(cora2, s, "--num-trainers", "2", "--graph-transport", "collective") for s in range(5)]
    m1, m2 = sum(one) / 5, sum(two) / 5
    print(f"cora test accuracy: 1 worker {m1:.4f} {one}; 2 workers {m2:.4f} {two}")
    assert abs(m1 - m2) <= 0.015, (one, two)
