"""The 100M-edge train-after-construct benchmark scaled down to 1M edges: the benchmark's own tables
built by gs-construct, then ``benchmarks/train.py --graph`` for a few steps; the structure and the
features the trainer reads are memory-mapped, not loaded."""

import importlib.util
import json
import mmap
import os
import subprocess
import sys

import numpy as np
import pytest

from graphstorm_py.graph import GraphDataset
from graphstorm_py.sampling.csc_graph import CSCGraph
from graphstorm_py.store.local import LocalFeatureStore
from gs_testing import REPO

RUN_TIMEOUT_S = 900


def _bench_construct():
    spec = importlib.util.spec_from_file_location("bench_construct", os.path.join(REPO, "benchmarks", "construct.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _mapped(a) -> bool:
    """True when the array's memory is a mapped file (following views down to their base)."""
    while a is not None and not isinstance(a, mmap.mmap):
        a = getattr(a, "base", None)
    return a is not None


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale")
    conf = _bench_construct().make_tables(str(root), nodes=100_000, edges=1_000_000, labels=True)
    out = str(root / "out")
    exe = os.path.join(os.path.dirname(sys.executable), "gs-construct")
    subprocess.run([exe, "--conf-file", conf, "--output-dir", out, "--add-reverse-edges", "--quiet"], check=True,
                   timeout=RUN_TIMEOUT_S, env=dict(os.environ, OMP_NUM_THREADS="1"))
    return out


def test_structure_and_features_are_memory_mapped(graph):
    ds = GraphDataset.open(graph)
    csc = CSCGraph.from_dataset(ds)
    for et in ds.etypes:
        indptr, indices = ds.csc(et)
        assert _mapped(indices) and _mapped(indptr)
        assert csc.csc[et][1].data_ptr() == indices.ctypes.data        # the tensor wraps the mapped file
    store = LocalFeatureStore(ds)
    for nt in ds.ntypes:
        _, arrays = store._parts("node", nt, "feat")
        assert arrays and all(_mapped(a) for a in arrays)
    assert not _mapped(np.zeros(3))


def test_benchmark_trains_on_the_constructed_graph(graph):
    res = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "train.py"), "--graph", graph,
                          "--max-steps", "3", "--threads", "1"], check=True, capture_output=True, text=True,
                         timeout=RUN_TIMEOUT_S, env=dict(os.environ, OMP_NUM_THREADS="1"))
    figs = {r["figure"]: r for r in map(json.loads, res.stdout.splitlines())}
    conf = figs["graph_epoch_time"]["config"]
    assert conf["measured_steps"] == 3 and conf["scaled"] is True
    assert conf["full_steps"] == -(-40_000 // 1024)                        # 80% of 50k items train
    assert conf["num_edges"] == 2_000_000 and conf["num_nodes"] == 100_000
    assert 0 < figs["graph_first_step_after_imports"]["value"] <= figs["graph_first_step_from_start"]["value"]
    assert figs["graph_peak_rss"]["value"] > 0 and figs["graph_epoch_cpu_time"]["value"] > 0
