"""gs-infer on a new graph whose edge types differ from the training graph's in order or in kind.

Found by the second pass over issue 9 (inference on new data): a new graph whose config lists
its edges in another order got embeddings from permuted per-relation weights (exit 0, wrong
numbers); a new graph built without ``--add-reverse-edges`` failed on a weight shape ("hidden_size,
features or classes differ") or on ``reverse_edge_types_map``, not on what differs.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pyarrow.parquet as pq
import pytest

from graphstorm_py.cli import run_cli
from graphstorm_py.errors import CheckpointError
from graphstorm_py.inference.cli import _main
from graphstorm_py.model.checkpoint import encoder_etypes, read_checkpoint_info

sys.path.insert(0, os.path.dirname(__file__))
from infer_helpers import make_trained, tiny_graph  # noqa: E402

BUYS, REV = ("user", "buys", "item"), ("item", "bought-by", "user")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return make_trained(tmp_path_factory.mktemp("order"))


def _embeddings(conf, graph, ckpt, out):
    assert run_cli(_main, ["--cf", conf, "--part-config", graph, "--restore-model-path", ckpt, "--quiet",
                           "--save-embed-path", out]) == 0
    got = {}
    for ntype in ("user", "item"):
        t = pq.read_table(os.path.join(out, ntype)).to_pydict()
        got.update({(ntype, k): np.asarray(v) for k, v in zip(t["nid"], t["emb"])})
    return got


def test_edge_types_listed_in_another_order_give_the_same_embeddings(trained, tmp_path):
    conf, graph, ckpt = trained
    assert read_checkpoint_info(ckpt)["gnn_etypes"] == [list(BUYS), list(REV)]
    swapped = tiny_graph(str(tmp_path / "swapped"), edge_order=(1, 0))
    a = _embeddings(conf, graph, ckpt, str(tmp_path / "a"))
    b = _embeddings(conf, swapped, ckpt, str(tmp_path / "b"))
    assert a.keys() == b.keys()
    np.testing.assert_allclose(np.stack([a[k] for k in a]), np.stack([b[k] for k in a]), rtol=1e-5, atol=1e-6)


def test_new_graph_without_the_reverse_edge_type_says_so(trained, tmp_path, capsys):
    conf, _, ckpt = trained
    no_rev = tiny_graph(str(tmp_path / "no_rev"), edge_order=(0,))
    assert run_cli(_main, ["--cf", conf, "--part-config", no_rev, "--restore-model-path", ckpt, "--quiet",
                           "--save-embed-path", str(tmp_path / "e")]) == 2
    err = capsys.readouterr().err
    assert "edge types item,bought-by,user are in the checkpoint but not in graph" in err
    assert "Traceback" not in err and not os.path.exists(tmp_path / "e" / "_SUCCESS")


def test_encoder_etypes():
    info = {"gnn_etypes": [list(BUYS), list(REV)]}
    assert encoder_etypes(info, [REV, BUYS], "g") == [BUYS, REV]
    assert encoder_etypes({}, [REV, BUYS], "g") == [REV, BUYS]      # an old checkpoint: the graph's order
    with pytest.raises(CheckpointError, match=r"edge types user,buys-rev,item are in g but not in the checkpoint"):
        encoder_etypes(info, [BUYS, REV, ("user", "buys-rev", "item")], "g")


def test_training_restore_keeps_the_checkpoint_edge_type_order(trained, tmp_path):
    """--restore-model-path / resume into a graph that lists its edges in another order: the encoder takes the
    checkpoint's order, as gs-infer does, instead of permuting the per-relation weights."""
    import torch

    from graphstorm_py.config import load_train_config
    from graphstorm_py.model import restore_model
    from graphstorm_py.model.assemble import assemble, load_trained, open_graph
    from graphstorm_py.training.run import restored_encoder

    conf, _, ckpt = trained
    swapped = tiny_graph(str(tmp_path / "swapped"), edge_order=(1, 0))
    cfg = load_train_config(conf, ["--restore-model-path", ckpt])
    info = restored_encoder(cfg)
    assert info is not None and info["gnn_etypes"] == [list(BUYS), list(REV)]
    run = assemble(cfg, open_graph(swapped), encoder_of=info)
    assert [tuple(e) for e in run.model.gnn.etypes] == [BUYS, REV]
    restore_model(ckpt, run.model)
    run.model.eval()
    ref = load_trained(ckpt, swapped)
    with torch.no_grad():
        got, want = run.full_graph_embedder().all(), ref.full_graph_embedder().all()
    for ntype in want:
        torch.testing.assert_close(got[ntype], want[ntype])
    only_embed = load_train_config(conf, ["--restore-model-path", ckpt, "--restore-model-layers", "embed"])
    assert restored_encoder(only_embed) is None          # the GNN is not restored: the graph's order is fine


def test_distributed_training_restore_keeps_the_checkpoint_edge_type_order(trained, tmp_path):
    """The same with two workers: the model they save lists the checkpoint's edge types in its order."""
    import subprocess

    conf, _, ckpt = trained
    swapped = tiny_graph(str(tmp_path / "swapped"), edge_order=(1, 0))
    p = subprocess.run([os.path.join(os.path.dirname(sys.executable), "gs-train"), "--quiet", "--cf", conf,
                        "--part-config", swapped, "--num-trainers", "2", "--restore-model-path", ckpt,
                        "--num-epochs", "1", "--save-model-path", str(tmp_path / "m")],
                       capture_output=True, text=True, timeout=240, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert p.returncode == 0, p.stderr[-3000:]
    saved = [d for d in os.listdir(tmp_path / "m") if d.startswith("epoch-")]
    assert saved
    assert read_checkpoint_info(str(tmp_path / "m" / saved[0]))["gnn_etypes"] == [list(BUYS), list(REV)]
