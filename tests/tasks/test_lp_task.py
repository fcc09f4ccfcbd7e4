"""Link prediction task: leakage exclusion, bad configs, hard negatives, evaluation modes, a short training run."""

import numpy as np
import pyarrow as pa
import pytest
import torch

from graphstorm_py.config.loader import load_train_config_dict
from graphstorm_py.errors import GSError
from graphstorm_py.graph import EdgeTypeData, NodeTypeData, write_graph
from graphstorm_py.model.assemble import assemble, open_graph
from graphstorm_py.sampling import NeighborSampler
from graphstorm_py.tasks.link_prediction import LinkPredictionTask

NU, NI = 40, 30
ET, REV = ("user", "buys", "item"), ("item", "bought-by", "user")


@pytest.fixture(scope="module")
def lp_graph(tmp_path_factory):
    rng = np.random.default_rng(0)
    ucls, icls = np.arange(NU) % 3, np.arange(NI) % 3
    src, dst = [], []
    for u in range(NU):
        items = rng.choice(np.flatnonzero(icls == ucls[u]), 5, replace=False)
        src += [u] * 5
        dst += list(items)
    src, dst = np.array(src), np.array(dst)
    m = len(src)
    split = rng.permutation(m)
    masks = {k: np.zeros(m, np.uint8) for k in ("train_mask", "val_mask", "test_mask")}
    masks["train_mask"][split[: int(0.7 * m)]] = 1
    masks["val_mask"][split[int(0.7 * m): int(0.85 * m)]] = 1
    masks["test_mask"][split[int(0.85 * m):]] = 1
    hneg = np.full((m, 3), -1, np.int64)
    hneg[:, 0] = (dst + 1) % NI
    f = np.eye(3, dtype=np.float32)[ucls] + 0.1 * rng.standard_normal((NU, 3)).astype(np.float32)
    nodes = {"user": NodeTypeData(pa.array([f"u{i}" for i in range(NU)]), {"f": f}, {"f": {}}),
             "item": NodeTypeData(pa.array([f"i{i}" for i in range(NI)]), {}, {})}
    edges = {ET: EdgeTypeData(src, dst, arrays={**masks, "hneg": hneg}, nid_arrays={"hneg": "item"}),
             REV: EdgeTypeData(dst.copy(), src.copy(), reverse_of=ET)}
    root = str(tmp_path_factory.mktemp("lp_graph"))
    write_graph(root, "lp", nodes, edges)
    return root


def _cfg(**lp):
    section = {"train_etype": ["user,buys,item"], "num_negative_edges": 4, "num_negative_edges_eval": 10,
               "eval_metric": ["mrr", "hit_at_5"], **lp}
    doc = {"version": 1.0, "gsf": {
        "gnn": {"model_encoder_type": "rgcn", "num_layers": 1, "hidden_size": 16, "fanout": "5",
                "node_feat_name": ["user:f"], "use_mini_batch_infer": True},
        "hyperparam": {"lr": 0.05, "num_epochs": 2, "batch_size": 32, "seed": 1},
        "link_prediction": section}}
    return load_train_config_dict(doc)


def _task(graph, **lp):
    cfg = _cfg(**lp)
    return LinkPredictionTask(cfg.tasks[0], open_graph(graph), seed=0)


def test_leakage_positive_edges_and_reverses_absent_from_blocks(lp_graph):
    ds = open_graph(lp_graph)
    task = _task(lp_graph)
    run = assemble(_cfg(), ds)
    sampler = NeighborSampler(run.graph, [-1], seed=0)        # all neighbours: only exclusion removes edges
    batch = next(iter(task.train_batches(0)))
    g = batch.extra["groups"][0]
    mb = sampler.sample(batch.seeds, exclude_eids=batch.exclude_eids)
    used = {et: set(e.tolist()) for et, e in mb.blocks[0].eids.items()}
    pos = set(g["eids"].tolist())
    assert pos and not pos & used[ET]
    _, rev = task.targets.reverse_eids(ET, g["eids"])
    assert rev.numel() == len(pos) and not set(rev.tolist()) & used[REV]
    held = task.targets.held_out()
    assert not set(held[ET].tolist()) & used[ET] and not set(held[REV].tolist()) & used[REV]
    # the reverse edges really are the reverses
    s, d = task.targets.endpoints(ET, g["eids"])
    rs, rd = task.targets.endpoints(REV, rev)
    assert set(zip(s.tolist(), d.tolist())) == set(zip(rd.tolist(), rs.tolist()))
    # without leakage control nothing is excluded
    assert next(iter(_task(lp_graph, exclude_training_targets=False).train_batches(0))).exclude_eids is None


def test_bad_configs(lp_graph):
    with pytest.raises(GSError, match="train_etype.*user,buy,item.*did you mean"):
        _task(lp_graph, train_etype=["user,buy,item"])
    with pytest.raises(GSError, match="reverse_edge_types_map.*item,nope,user"):
        _task(lp_graph, reverse_edge_types_map=["user,buys,nope,item"])
    with pytest.raises(GSError, match="eval_etype"):
        _task(lp_graph, eval_etype=["item,x,user"])
    with pytest.raises(GSError, match="no edge feature 'missing'"):
        _task(lp_graph, train_etypes_negative_dstnode=["user,buys,item:missing"])


def test_hard_and_fixed_negatives(lp_graph):
    t = _task(lp_graph, train_etypes_negative_dstnode=["user,buys,item:hneg"], num_train_hard_negatives=["2"],
              eval_etypes_negative_dstnode=["user,buys,item:hneg"])
    g = next(iter(t.train_batches(0))).extra["groups"][0]
    assert torch.equal(g["neg"].dst[:, 0], (g["dst"] + 1) % NI)       # the stored hard negative
    assert g["neg"].dst.shape[1] == 4 and int(g["neg"].dst.max()) < NI
    ge = next(iter(t.eval_batches("test", 100))).extra["groups"][0]
    assert ge["neg"].valid[:, 0].all() and not ge["neg"].valid[:, 1:].any()   # -1 padding masked


@pytest.mark.parametrize("decoder,sampler", [(d, "joint") for d in ["dot_product", "transe_l1", "transe_l2", "rotate"]]
                         + [("distmult", s) for s in ["uniform", "joint", "inbatch_joint", "localuniform",
                                                       "localjoint"]])
def test_loss_and_ranks_run(lp_graph, decoder, sampler):
    cfg = _cfg(lp_decoder_type=decoder, train_negative_sampler=sampler, eval_negative_sampler=sampler)
    run = assemble(cfg, open_graph(lp_graph))
    task = run.tasks[0]
    emb = run.minibatch_embedder("5")
    batch = next(iter(task.train_batches(0)))
    loss = task.loss(run.model.decoders[task.name], emb(batch.seeds, batch.exclude_eids), batch)
    loss.backward()
    assert torch.isfinite(loss)
    out = task.evaluate(run.model.decoders[task.name], emb, "val", 64)
    assert 0 < out["mrr"] <= 1 and 0 <= out["hit_at_5"] <= 1


def test_training_beats_chance_and_full_ranking(lp_graph, tmp_path):
    from graphstorm_py.training.run import train
    cfg = _cfg(lp_loss_func="contrastive", train_negative_sampler="joint", lp_eval_ranking="full",
               report_eval_per_type=True)
    res = train(cfg, lp_graph)
    per = res["test"]["full_mrr"]
    assert set(per) == {"user,buys,item"}
    # 10 of 30 items share the user's class: random filtered ranking has MRR ~ 0.1
    assert per["user,buys,item"] > 0.2, res
