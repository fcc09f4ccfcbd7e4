"""gs-construct --engine ray through a real local Ray head: byte-identical to the local engine.

One head per module (Ray start-up is slow); every construction goes through its address in a
child process with a timeout.
"""

import filecmp
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from construct_helpers import toy_config, write_config, write_toy_tables
from ray_head import ray_head

pytest.importorskip("ray.data")

RUN_TIMEOUT_S = 600


@pytest.fixture(scope="module")
def ray_address():
    with ray_head() as head:
        yield head.address


def _construct(conf, out, *extra):
    exe = os.path.join(os.path.dirname(sys.executable), "gs-construct")
    env = dict(os.environ, RAY_AUTH_MODE="disabled", OMP_NUM_THREADS="1")
    res = subprocess.run([exe, "--conf-file", conf, "--output-dir", out, "--quiet", *extra], env=env,
                         capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    assert res.returncode == 0, res.stderr[-3000:]


def _same_tree(a, b):
    """Every file of both outputs, byte for byte (npy arrays, id maps, metadata.json)."""
    files_a = sorted(os.path.relpath(os.path.join(d, f), a) for d, _, fs in os.walk(a) for f in fs)
    files_b = sorted(os.path.relpath(os.path.join(d, f), b) for d, _, fs in os.walk(b) for f in fs)
    assert files_a == files_b
    assert any(f.endswith(".npy") for f in files_a)
    differ = [f for f in files_a if not filecmp.cmp(os.path.join(a, f), os.path.join(b, f), shallow=False)]
    assert not differ, differ


@pytest.mark.slow
def test_movielens_ray_equals_local(ray_address, movielens_graph, tmp_path):
    tables, local = movielens_graph
    out = str(tmp_path / "ray")
    _construct(os.path.join(tables, "ml_construct.json"), out, "--num-parts", "2", "--add-reverse-edges",
               "--engine", "ray", "--ray-address", ray_address)
    _same_tree(local, out)


def test_synthetic_ray_equals_local_with_streaming_partitions(ray_address, tmp_path):
    """Several files per entry, string IDs, node types from edges only, labels; ldg partitions."""
    data = write_toy_tables(str(tmp_path), n_users=300, n_items=200, n_edges=3000)
    rng = np.random.default_rng(1)
    tags = [f"t{int(x)}" for x in rng.zipf(1.5, 2000) % 500]          # skewed IDs, only in the edges
    pq.write_table(pa.table({"item": rng.choice(data["iid"], 2000), "tag": tags}), str(tmp_path / "tags.parquet"))
    conf = toy_config()
    conf["edges"][0]["files"] = ["edges.parquet", "edges.parquet"]   # two files, in order
    conf["edges"].append({"relation": ["item", "tagged", "tag"], "format": {"name": "parquet"},
                          "files": "tags.parquet", "source_id_col": "item", "dest_id_col": "tag"})
    path = write_config(str(tmp_path), conf)
    args = ["--num-parts", "3", "--part-method", "ldg", "--add-reverse-edges"]
    _construct(path, str(tmp_path / "local"), *args)
    _construct(path, str(tmp_path / "ray"), *args, "--engine", "ray", "--ray-address", ray_address)
    _same_tree(str(tmp_path / "local"), str(tmp_path / "ray"))
