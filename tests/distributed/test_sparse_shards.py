"""Learnable embeddings sharded by owner, end to end with gs-train / gs-infer --num-trainers N.

* the sharded path trains the same tables (and SparseAdam moments, dense weights, metrics) as the
  replicated reference (``--dist-sparse-embed replicated``), world sizes 2 and 4, 2 and 4 partitions,
  both transports;
* each owner writes its shard, listed in checkpoint.json; a sharded checkpoint gives the embeddings of
  the whole-table checkpoint with 1 process and with 2 workers, and training resumes from it with
  another number of workers; a missing shard is exit 2 naming the file.

Items have no features in the config (tests/distributed/test_launcher.py), so they get the tables.
"""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from dist_helpers import make_graph
from test_dist_infer import read
from test_launcher import YAML
from graphstorm_py.model.checkpoint import load_checkpoint_file, read_checkpoint_info
from graphstorm_py.model.sparse_checkpoint import SHARDS_KEY, read_rows, shard_file

BIN = os.path.dirname(sys.executable)


def run(tool, *args, ok=True, timeout=300):
    p = subprocess.run([os.path.join(BIN, tool), "--quiet", *args], capture_output=True, text=True,
                       timeout=timeout, env=dict(os.environ, OMP_NUM_THREADS="1"))
    if ok:
        assert p.returncode == 0, p.stderr[-3000:]
    return p


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    d = tmp_path_factory.mktemp("shards")
    (d / "train.yaml").write_text(YAML)
    return {"yaml": str(d / "train.yaml"), 2: make_graph(str(d / "g2"), 2), 4: make_graph(str(d / "g4"), 4),
            "dir": d}


def train(graphs, parts, workers, mode, transport="collective", epochs=2, name=None):
    out = str(graphs["dir"] / (name or f"m-{parts}-{workers}-{mode}-{transport}"))
    if not os.path.exists(os.path.join(out, "results.json")):
        run("gs-train", "--cf", graphs["yaml"], "--part-config", graphs[parts], "--num-trainers", str(workers),
            "--graph-transport", transport, "--dist-sparse-embed", mode, "--num-epochs", str(epochs),
            "--save-model-path", out)
    return out


def _table(ckpt, kind="rows"):
    info = read_checkpoint_info(ckpt)
    if kind == "rows":
        return read_rows(ckpt, info, "item", 0, 90)
    if SHARDS_KEY in info:
        return read_rows(ckpt, info, "item", 0, 90, kind)
    return load_checkpoint_file(ckpt, "optimizer.pt")["sparse"]["state"][0][kind].numpy()


@pytest.mark.parametrize("parts,workers,transport", [(2, 2, "collective"), (4, 2, "auto"), (4, 4, "collective")])
def test_sharded_trains_what_replicated_trains(graphs, parts, workers, transport):
    sh = train(graphs, parts, workers, "sharded", transport)
    rep = train(graphs, parts, workers, "replicated", transport)
    a, b = os.path.join(sh, "epoch-1"), os.path.join(rep, "epoch-1")
    info = read_checkpoint_info(a)
    assert SHARDS_KEY not in read_checkpoint_info(b)             # the reference writes whole tables
    ranges = info[SHARDS_KEY]["item"]["shards"]
    assert len(ranges) == workers and ranges[0][0] == 0 and ranges[-1][1] == 90
    for lo, hi in ranges:                                        # one shard (and its moments) per owner
        for kind in ("rows", "exp_avg", "exp_avg_sq"):
            assert os.path.exists(os.path.join(a, shard_file("item", lo, hi, kind)))
    assert not os.path.exists(os.path.join(a, "sparse_embed", "item.npy"))
    for kind in ("rows", "exp_avg", "exp_avg_sq"):
        np.testing.assert_allclose(_table(a, kind), _table(b, kind), rtol=0, atol=1e-5)
    assert load_checkpoint_file(a, "optimizer.pt")["sparse"] == {
        "sharded": True, "step": {"item": load_checkpoint_file(b, "optimizer.pt")["sparse"]["state"][0]["step"]}}
    ma, mb = load_checkpoint_file(a, "model.pt"), load_checkpoint_file(b, "model.pt")
    assert ma.keys() == mb.keys()
    for k in ma:
        np.testing.assert_allclose(ma[k].numpy(), mb[k].numpy(), rtol=0, atol=1e-5)
    ra, rb = (json.load(open(os.path.join(m, "results.json"))) for m in (sh, rep))
    assert ra["val"] == rb["val"] and ra["test"] == rb["test"]
    # the table moved away from its initial rows, and every rank kept O(owned) rows
    assert not np.allclose(_table(a), _table(os.path.join(sh, "epoch-0")))


def _close(a, b):
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_allclose(a[k], b[k], atol=1e-5, rtol=0)


def test_sharded_checkpoint_infers_with_1_and_2_workers(graphs):
    sharded = os.path.join(train(graphs, 2, 2, "sharded"), "epoch-1")
    whole = os.path.join(train(graphs, 2, 2, "replicated"), "epoch-1")
    d = graphs["dir"]
    common = ["--cf", graphs["yaml"], "--part-config", graphs[2], "--use-mini-batch-infer", "false"]
    outs = {}
    for name, ckpt, extra in [("whole-1", whole, []), ("sharded-1", sharded, []),
                              ("sharded-2", sharded, ["--num-trainers", "2", "--graph-transport", "collective"]),
                              ("whole-2", whole, ["--num-trainers", "2"])]:
        outs[name] = str(d / f"emb-{name}")
        run("gs-infer", *common, "--restore-model-path", ckpt, "--save-embed-path", outs[name], *extra)
    for nt in ("user", "item"):
        ref = read(outs["whole-1"], nt)[0]
        for name in ("sharded-1", "sharded-2", "whole-2"):
            _close(ref, read(outs[name], nt)[0])


def test_resume_with_other_worker_counts(graphs):
    four = train(graphs, 4, 4, "sharded", epochs=1, name="four")
    ckpt = os.path.join(four, "epoch-0")
    for extra, name in [(["--num-trainers", "2"], "two"), ([], "one")]:
        out = str(graphs["dir"] / f"resumed-{name}")
        p = run("gs-train", "--cf", graphs["yaml"], "--part-config", graphs[4], "--num-epochs", "2",
                "--save-model-path", out, "--resume-from-checkpoint", ckpt, *extra)
        assert json.loads(p.stdout)["epochs_run"] == 2
    # a one-process checkpoint (whole tables, SparseAdam state in optimizer.pt) resumes with 2 workers
    one = str(graphs["dir"] / "resumed-one")
    p = run("gs-train", "--cf", graphs["yaml"], "--part-config", graphs[4], "--num-epochs", "3",
            "--save-model-path", str(graphs["dir"] / "from-one"), "--resume-from-checkpoint",
            os.path.join(one, "epoch-1"), "--num-trainers", "2")
    assert json.loads(p.stdout)["epochs_run"] == 3
    assert SHARDS_KEY in read_checkpoint_info(str(graphs["dir"] / "from-one" / "epoch-2"))


def test_missing_shard_is_exit_2_naming_the_file(graphs, tmp_path):
    ckpt = str(tmp_path / "ckpt")
    shutil.copytree(os.path.join(train(graphs, 2, 2, "sharded"), "epoch-1"), ckpt)
    info = read_checkpoint_info(ckpt)
    lo, hi = info[SHARDS_KEY]["item"]["shards"][1]
    os.remove(os.path.join(ckpt, shard_file("item", lo, hi)))
    common = ["--cf", graphs["yaml"], "--part-config", graphs[2], "--restore-model-path", ckpt,
              "--save-embed-path", str(tmp_path / "emb")]
    for extra in ([], ["--num-trainers", "2"]):
        p = run("gs-infer", *common, *extra, ok=False)
        assert p.returncode == 2, p.stderr[-2000:]
        assert f"rows-{lo}-{hi}.npy is missing" in p.stderr
        assert "Traceback" not in p.stderr
