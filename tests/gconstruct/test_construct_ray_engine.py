"""gs-construct --engine ray through a real local Ray head: byte-identical to the local engine.

One head per module (Ray start-up is slow), started after moto's S3 server so that its workers
reach s3://; every construction goes through its address in a child process with a timeout.
Covered: MovieLens; a synthetic graph (several files per entry, string IDs, skewed IDs, node
types from edges only, labels) with random, hash and ldg partitions into 2-4 parts; missing and
unknown endpoints (error, or dropped with --skip-nonexist-edges); a failed write task (no
metadata.json); s3:// tables and output.
"""

import filecmp
import json
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
def ray_address(s3_server):   # s3_server first: the head's workers inherit its AWS_* variables
    with ray_head() as head:
        yield head.address


def _construct(conf, out, *extra, rc=0, env=None):
    exe = os.path.join(os.path.dirname(sys.executable), "gs-construct")
    env = dict(os.environ, RAY_AUTH_MODE="disabled", OMP_NUM_THREADS="1", **(env or {}))
    res = subprocess.run([exe, "--conf-file", conf, "--output-dir", out, "--quiet", *extra], env=env,
                         capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    assert res.returncode == rc, res.stderr[-3000:]
    return res


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


def _synthetic_conf(root):
    """Several files per entry, string IDs, skewed IDs of a node type seen only in the edges, labels."""
    data = write_toy_tables(root, n_users=300, n_items=200, n_edges=3000)
    rng = np.random.default_rng(1)
    tags = [f"t{int(x)}" for x in rng.zipf(1.5, 2000) % 500]
    pq.write_table(pa.table({"item": rng.choice(data["iid"], 2000), "tag": tags}), os.path.join(root, "tags.parquet"))
    conf = toy_config()
    conf["edges"][0]["files"] = ["edges.parquet", "edges.parquet"]   # two files, in order
    conf["edges"].append({"relation": ["item", "tagged", "tag"], "format": {"name": "parquet"},
                          "files": "tags.parquet", "source_id_col": "item", "dest_id_col": "tag"})
    return conf


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("synthetic"))
    return write_config(root, _synthetic_conf(root))


@pytest.mark.parametrize("method,parts", [("random", 3), ("hash", 2), ("hash", 4), ("ldg", 2), ("ldg", 4)])
def test_synthetic_ray_equals_local(ray_address, synthetic, tmp_path, method, parts):
    """Endpoints joined, hash/ldg partitioned and partitions written on the workers: same bytes."""
    args = ["--num-parts", str(parts), "--part-method", method, "--add-reverse-edges"]
    _construct(synthetic, str(tmp_path / "local"), *args)
    _construct(synthetic, str(tmp_path / "ray"), *args, "--engine", "ray", "--ray-address", ray_address)
    _same_tree(str(tmp_path / "local"), str(tmp_path / "ray"))


def _bad_endpoints(root, null_src=True):
    """The toy graph with edges to an unknown item and (optionally) a null source."""
    data = write_toy_tables(root, n_users=40, n_items=30, n_edges=300)
    src = list(data["uid"][:5]) + [None if null_src else "u0"]
    dst = [999999] + list(data["iid"][:5])
    extra = pa.table({"src": src, "dst": dst, "w": np.arange(6, dtype=np.float32)})
    edges = pq.read_table(os.path.join(root, "edges.parquet"))
    pq.write_table(pa.concat_tables([edges, extra.cast(edges.schema)]), os.path.join(root, "edges.parquet"))
    return write_config(root, toy_config())


def test_unknown_endpoints_fail_as_local(ray_address, tmp_path):
    conf = _bad_endpoints(str(tmp_path), null_src=False)
    local = _construct(conf, str(tmp_path / "local"), rc=2)
    ray = _construct(conf, str(tmp_path / "ray"), "--engine", "ray", "--ray-address", ray_address, rc=2)
    assert "not a node" in local.stderr and "999999" in local.stderr
    assert local.stderr.strip().splitlines()[-1] == ray.stderr.strip().splitlines()[-1]
    assert not os.path.exists(tmp_path / "ray" / "metadata.json")


def test_skip_nonexist_edges_as_local(ray_address, tmp_path):
    conf = _bad_endpoints(str(tmp_path))
    args = ["--num-parts", "2", "--part-method", "hash", "--skip-nonexist-edges"]
    _construct(conf, str(tmp_path / "local"), *args)
    _construct(conf, str(tmp_path / "ray"), *args, "--engine", "ray", "--ray-address", ray_address)
    _same_tree(str(tmp_path / "local"), str(tmp_path / "ray"))
    meta = json.load(open(tmp_path / "ray" / "metadata.json"))
    assert meta["edge_types"][0]["count"] == 300 + 4   # the unknown item and the null source dropped


def test_failed_write_task_leaves_no_metadata(ray_address, tmp_path):
    root = str(tmp_path)
    write_toy_tables(root)
    conf = write_config(root, toy_config())
    out = tmp_path / "ray"
    res = _construct(conf, str(out), "--num-parts", "2", "--engine", "ray", "--ray-address", ray_address, rc=1,
                     env={"GS_CONSTRUCT_FAIL_WRITE": "1"})
    assert "failing the write task of partition 1" in res.stderr
    assert not (out / "metadata.json").exists()


def test_s3_tables_and_output_through_ray(ray_address, s3_bucket, tmp_path):
    """Tables read from s3:// by the workers, partitions written to s3:// by the workers."""
    import fsspec

    root = str(tmp_path / "tables")
    conf = _synthetic_conf(root)
    local_conf = write_config(root, conf)
    fs = fsspec.filesystem("s3")
    for name in os.listdir(root):
        fs.put(os.path.join(root, name), f"{s3_bucket}/in/{name}")
    for entry in conf["nodes"] + conf["edges"]:
        files = entry["files"] if isinstance(entry["files"], list) else [entry["files"]]
        entry["files"] = [f"{s3_bucket}/in/{f}" for f in files]
    with fs.open(f"{s3_bucket}/in/conf.json", "w") as fh:
        json.dump(conf, fh)
    args = ["--num-parts", "2", "--part-method", "ldg"]
    _construct(local_conf, str(tmp_path / "local"), *args)
    _construct(f"{s3_bucket}/in/conf.json", f"{s3_bucket}/graph", *args, "--engine", "ray",
               "--ray-address", ray_address)
    fs.invalidate_cache()
    fs.get(f"{s3_bucket}/graph", str(tmp_path / "ray"), recursive=True)
    _same_tree(str(tmp_path / "local"), str(tmp_path / "ray"))
