"""The 100M-edge benchmark scaled down to 1M edges: the same tables and config, 4 partitions."""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from graphstorm_py.graph import GraphDataset
from gs_testing import REPO

RUN_TIMEOUT_S = 600


def _bench():
    spec = importlib.util.spec_from_file_location("bench_construct", os.path.join(REPO, "benchmarks", "construct.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("method", ["random", "ldg"])
def test_one_million_edges_four_partitions(tmp_path, method):
    conf = _bench().make_tables(str(tmp_path), nodes=100_000, edges=1_000_000, labels=True)
    out = str(tmp_path / "out")
    exe = os.path.join(os.path.dirname(sys.executable), "gs-construct")
    subprocess.run([exe, "--conf-file", conf, "--output-dir", out, "--num-parts", "4", "--part-method", method,
                    "--quiet"], check=True, timeout=RUN_TIMEOUT_S, env=dict(os.environ, OMP_NUM_THREADS="1"))
    ds = GraphDataset.open(out)
    assert ds.num_partitions == 4
    assert ds.meta.node_type("user")["count"] == 50_000 and ds.meta.node_type("item")["count"] == 50_000
    assert sum(e["count"] for e in ds.meta.edge_types) == 1_000_000
    assert ds.node_array("item", "feat").shape == (50_000, 64)
    stats = ds.meta.extra["partition_stats"]
    assert stats["num_edges"] == 1_000_000
    train = np.array(stats["train_nodes_per_part"]["item"])
    assert train.sum() == 40_000 and train.max() - train.min() <= 4          # balanced training nodes
    if method == "random":
        assert 0.7 < stats["edge_cut_ratio"] < 0.8                             # 3/4 expected at 4 parts
    else:
        assert stats["edge_cut_ratio"] < 0.74
