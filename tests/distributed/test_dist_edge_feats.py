"""Edge features (``edge_feat_name``) and feature construction (``construct_feat_ntype``) with
several workers give the one-process numbers.

* The model's outputs (hence the training losses) for the same seed batches and weights, with
  1, 2 and 4 workers, collective (with and without the row cache) and local transport, equal
  one process with partition-invariant sampling (``loss_worker.py``); so do the full-graph
  embeddings computed by halo exchange and read back with ``rows``.
* gs-infer: full-graph embeddings of 2 and 4 workers equal one process's; mini-batch embeddings
  of 2 or 4 workers equal a one-worker job's (within 1e-5).
* A worker answers the full-graph rows of its own nodes locally and refuses others' (they need
  the ``rows`` collective).
* gs-train: the collective and the local transport train the same model (same test metrics).
"""

import json
import os
import subprocess
import sys
import tempfile

import pytest
import torch
import torch.nn.functional as F

from dist_helpers import HERE, make_graph, run_ranks
from test_dist_infer import _close, read, run
from graphstorm_py.config.homogeneous import resolve_targets
from graphstorm_py.config.loader import load_train_config
from graphstorm_py.graph import GraphDataset
from graphstorm_py.model import assemble
from graphstorm_py.sampling import NeighborSampler
from graphstorm_py.store import LocalFeatureStore

BIN = os.path.dirname(sys.executable)
HEAD = """\
version: 1.0
gsf:
  gnn: {model_encoder_type: %s, num_layers: 2, hidden_size: 8, fanout: "3,2", eval_fanout: "3,2", %s}
  hyperparam: {lr: 0.02, sparse_optimizer_lr: 0.05, num_epochs: 2, batch_size: 16, seed: 1}
  node_classification: {target_ntype: user, label_field: label, num_classes: 3, eval_metric: [accuracy]}
"""
CONFIGS = {
    "edge_rgcn": HEAD % ("rgcn", 'node_feat_name: ["user:f", "item:h"], edge_feat_name: ["w"]'),
    "edge_hgt": HEAD % ("hgt", 'num_heads: 2, node_feat_name: ["user:f", "item:h"], '
                               'edge_feat_name: ["user,buys,item:w", "item,bought-by,user:w"]'),
    "construct": HEAD % ("rgcn", 'node_feat_name: ["user:f"], construct_feat_ntype: ["item"], '
                                 'construct_feat_fanout: 4'),
}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("edgefeat")
    yamls = {}
    for name, text in CONFIGS.items():
        yamls[name] = str(d / f"{name}.yaml")
        with open(yamls[name], "w") as f:
            f.write(text)
    return {"yaml": yamls, "g": make_graph(str(d / "g"), 4, edge_feat=True), "dir": d}


def _reference(graph, yaml):
    """One process, same weights: outputs of the loss_worker batches and full-graph embeddings."""
    ds = GraphDataset.open(graph)
    cfg = resolve_targets(load_train_config(yaml), ds.ntypes, ds.etypes)
    torch.manual_seed(cfg.hyperparam.seed)
    run_ = assemble(cfg, ds)
    run_.model.eval()
    sampler = NeighborSampler(run_.graph, run_.fanouts(cfg.gnn.fanout), seed=cfg.hyperparam.seed, invariant=True)
    sampler.set_epoch(1)
    gen = torch.Generator().manual_seed(5)
    batches = [torch.randperm(ds.num_nodes("user"), generator=gen)[:12] for _ in range(5)]
    out = []
    with torch.no_grad():
        for seeds in batches:
            mb = sampler.sample({"user": seeds})
            ef = None if run_.edge_features is None else [run_.edge_features(b.eids) for b in mb.blocks]
            emb = run_.model(mb.blocks, mb.input_nodes, run_.features(mb.input_nodes), edge_feats=ef)
            out.append((seeds, emb["user"], run_.model.decoders[run_.tasks[0].name](emb["user"])))
        full = run_.full_graph_embedder(7).all()
    return out, full


# (workers, transport, cache MB): every config with 4 collective workers, the rest spread out (time)
RUNS = {"edge_rgcn": [(2, "collective", 1), (4, "collective", 0), (2, "auto", 0)],
        "edge_hgt": [(4, "collective", 0)],
        "construct": [(2, "collective", 0), (4, "collective", 1)]}


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_outputs_and_losses_one_process_vs_workers(setup, tmp_path, config):
    yaml, graph = setup["yaml"][config], setup["g"]
    ref, full = _reference(graph, yaml)
    labels = LocalFeatureStore(GraphDataset.open(graph)).gather("user", "label", torch.arange(120)).long()
    for world, transport, cache in RUNS[config]:
        out = tmp_path / f"{world}-{transport}-{cache}"
        out.mkdir()
        run_ranks(os.path.join(HERE, "loss_worker.py"), [graph, yaml, str(out), transport, str(cache)], world,
                  timeout=280)
        seen = set()
        for r in range(world):
            saved = torch.load(out / f"rank-{r}.pt", weights_only=False)
            for res in saved["results"]:
                seeds, emb, logits = ref[res["batch"]]
                torch.testing.assert_close(res["emb"], emb, atol=1e-5, rtol=0)
                want = F.cross_entropy(logits, labels[seeds])
                assert abs(float(F.cross_entropy(res["logits"], labels[seeds])) - float(want)) < 1e-5
                seen.add(res["batch"])
            for t, x in full.items():
                torch.testing.assert_close(saved["full"][t], x, atol=1e-5, rtol=0)
            if transport == "collective" and world > 1:    # owned rows locally; others only through rows()
                assert "rows()" in saved["refused"] and f"rank {r} holds" in saved["refused"]
        assert seen == set(range(5)), (world, transport)


def gs_train(*args, timeout=280):
    p = subprocess.run([os.path.join(BIN, "gs-train"), "--quiet", *args], capture_output=True, text=True,
                       timeout=timeout, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout)


@pytest.mark.parametrize("config,world,infer", [("edge_rgcn", "2", "false"), ("construct", "4", "true")])
def test_train_collective_equals_local_transport(setup, config, world, infer):
    args = ["--cf", setup["yaml"][config], "--part-config", setup["g"], "--num-epochs", "1"]
    got = [gs_train(*args, "--num-trainers", world, "--graph-transport", t, "--use-mini-batch-infer", infer)
           for t in ("collective", "auto")]
    assert [g["distributed"]["transport"] for g in got] == ["collective", "local"]
    assert got[0]["val"] == got[1]["val"] and got[0]["test"] == got[1]["test"]


@pytest.fixture(scope="module")
def trained(setup):
    ckpts = {}
    for config in ("edge_rgcn", "construct"):
        model = setup["dir"] / f"model-{config}"
        run("gs-train", "--cf", setup["yaml"][config], "--part-config", setup["g"], "--num-epochs", "1",
            "--save-model-path", str(model))
        ckpts[config] = str(model / "epoch-0")
    return ckpts


# (workers, transport) of full-graph inference and workers of mini-batch inference, per config (time)
INFER = {"edge_rgcn": ([("2", "collective"), ("4", "collective"), ("2", "auto")], ["4"]),
         "construct": ([("4", "collective")], ["2"])}


@pytest.mark.parametrize("config", sorted(INFER))
def test_infer_full_graph_and_minibatch_match(setup, trained, tmp_path, config):
    common = ["--cf", setup["yaml"][config], "--part-config", setup["g"], "--restore-model-path", trained[config]]
    full = common + ["--use-mini-batch-infer", "false"]
    fulls, minis = INFER[config]
    run("gs-infer", *full, "--save-embed-path", str(tmp_path / "one"))
    for world, transport in fulls:
        run("gs-infer", *full, "--num-trainers", world, "--graph-transport", transport,
            "--save-embed-path", str(tmp_path / f"full-{world}-{transport}"))
    mini = common + ["--use-mini-batch-infer", "true", "--graph-transport", "collective"]
    rdzv = os.path.join(tempfile.mkdtemp(prefix="gs-test-"), "rdzv")
    run("gs-infer", *mini, "--save-embed-path", str(tmp_path / "mini-1"),
        env={"RANK": "0", "WORLD_SIZE": "1", "GS_RDZV_FILE": rdzv})
    for world in minis:
        run("gs-infer", *mini, "--num-trainers", world, "--save-embed-path", str(tmp_path / f"mini-{world}"))
    for nt in ("user", "item"):
        one = read(str(tmp_path / "one"), nt)[0]
        for world, transport in fulls:
            _close(one, read(str(tmp_path / f"full-{world}-{transport}"), nt)[0])
        mini1 = read(str(tmp_path / "mini-1"), nt)[0]
        for world in minis:
            _close(mini1, read(str(tmp_path / f"mini-{world}"), nt)[0])
