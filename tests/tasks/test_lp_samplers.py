"""GraphStorm's fast_* and all_etype_* negative samplers, num_train_hard_negatives as an integer,
the no-train-mask rule and amri in link-prediction evaluation."""

import math

import pytest
import torch
from test_lp_task import ET, REV, _cfg, _task, lp_graph  # noqa: F401  (fixture)

from graphstorm_py.model.assemble import assemble, open_graph
from graphstorm_py.sampling import ExcludeEids, NeighborSampler
from graphstorm_py.tasks.link_prediction import LinkPredictionTask
from graphstorm_py.tasks.lp_schedule import all_etype_batches, all_etype_num_batches


def _used(batch, sampler):
    mb = sampler.sample(batch.seeds, exclude_eids=batch.exclude_eids)
    return {et: set(e.tolist()) for et, e in mb.blocks[0].eids.items()}


@pytest.mark.parametrize("name", ["fast_uniform", "fast_joint", "fast_localuniform", "fast_localjoint"])
def test_fast_samplers_trim_held_out_edges_after_sampling(lp_graph, name):
    task = _task(lp_graph, train_negative_sampler=name)
    batch = next(iter(task.train_batches(0)))
    assert isinstance(batch.exclude_eids, ExcludeEids)
    held = task.targets.held_out()
    assert set(batch.exclude_eids.after) == set(held)
    run = assemble(_cfg(), open_graph(lp_graph))
    used = _used(batch, NeighborSampler(run.graph, [-1], seed=0))
    g = batch.extra["groups"][0]
    assert not set(g["eids"].tolist()) & used[ET]              # positives: still excluded exactly
    assert not set(held[ET].tolist()) & used[ET] and not set(held[REV].tolist()) & used[REV]
    neg = g["neg"]
    assert neg.dst.shape == ((4,) if name == "fast_joint" else (g["eids"].numel(), 4))


def test_fast_trim_gives_at_most_fanout_neighbours(lp_graph):
    task = _task(lp_graph, train_negative_sampler="fast_uniform")
    run = assemble(_cfg(), open_graph(lp_graph))
    batch = next(iter(task.train_batches(0)))
    mb = NeighborSampler(run.graph, [2], seed=0).sample(batch.seeds, exclude_eids=batch.exclude_eids)
    ei = mb.blocks[0].edge_index[ET]
    assert torch.bincount(ei[1]).max() <= 2
    assert not set(mb.blocks[0].eids[ET].tolist()) & set(task.targets.held_out()[ET].tolist())


def test_all_etype_schedule():
    eids = {("a", "r", "b"): torch.arange(100), ("a", "s", "b"): torch.arange(7)}
    gen = torch.Generator().manual_seed(0)
    batches = list(all_etype_batches(eids, 10, gen))
    # per-type sizes ceil(10*100/107)=10, ceil(10*7/107)=1; the epoch lasts max(10, 7) batches
    assert len(batches) == all_etype_num_batches(eids, 10) == 10
    assert all(set(b) == set(eids) for b in batches)
    assert sorted(torch.cat([b[("a", "r", "b")] for b in batches]).tolist()) == list(range(100))
    s = torch.cat([b[("a", "s", "b")] for b in batches[:7]])
    assert sorted(s.tolist()) == list(range(7))                # each edge once, then random refills
    assert all(b[("a", "s", "b")].numel() == 1 for b in batches[7:])


@pytest.mark.parametrize("name", ["all_etype_uniform", "all_etype_joint"])
def test_all_etype_samplers_put_every_type_in_every_batch(lp_graph, name):
    # REV has no train mask: GraphStorm trains on all of its edges
    task = _task(lp_graph, train_etype=["user,buys,item", "item,bought-by,user"], train_negative_sampler=name,
                 reverse_edge_types_map=[])
    n_rev = open_graph(lp_graph).num_edges(REV)
    assert task.targets.eids[(REV, "train")].numel() == n_rev
    batches = list(task.train_batches(0))
    assert len(batches) == task.num_train_batches()
    for b in batches:
        assert {g["etype"] for g in b.extra["groups"]} == {ET, REV}
        g = b.extra["groups"][0]
        assert g["neg"].shared == (name == "all_etype_joint")
    n_et = task.targets.eids[(ET, "train")].numel()
    assert len(batches) == max(math.ceil(n / math.ceil(32 * n / (n_et + n_rev))) for n in (n_et, n_rev))


def test_train_etype_without_mask_trains_on_all_edges(lp_graph):
    task = _task(lp_graph, train_etype=["item,bought-by,user"])
    assert torch.equal(task.targets.eids[(REV, "train")], torch.arange(open_graph(lp_graph).num_edges(REV)))
    assert task.split_size("val") == 0                          # and no val/test edges


def test_num_train_hard_negatives_plain_integer(lp_graph):
    for value in (1, "1", ["1"]):
        task = _task(lp_graph, train_etypes_negative_dstnode=["user,buys,item:hneg"], num_train_hard_negatives=value)
        g = next(iter(task.train_batches(0))).extra["groups"][0]
        hard = (task.targets.endpoints(ET, g["eids"])[1] + 1) % 30   # hneg[:, 0] of the fixture
        assert torch.equal(g["neg"].dst[:, 0], hard)


@pytest.mark.parametrize("ranking", ["sampled", "full"])
def test_amri_in_lp_evaluation(lp_graph, ranking):
    cfg = _cfg(eval_metric=["amri", "mrr"], lp_eval_ranking=ranking)
    run = assemble(cfg, open_graph(lp_graph))
    task: LinkPredictionTask = run.tasks[0]
    emb = run.full_graph_embedder() if ranking == "full" else run.eval_embedder()
    res = task.evaluate(run.model.decoders[task.name], emb, "val", 64)
    key = "amri" if ranking == "sampled" else "full_amri"
    assert -1.0 <= res[key] <= 1.0
    if ranking == "sampled":
        ranks, sizes = task.sampled_ranks(run.model.decoders[task.name], emb, "val", 64, with_sizes=True)
        assert ((sizes[ET] >= 2) & (sizes[ET] <= 11)).all()      # 10 negatives + the true edge, minus collisions
    else:
        ranks, sizes = task.full_ranks(run.model.decoders[task.name], emb, "val", with_sizes=True)
        # 30 items minus the other known items of the source (each user buys 5)
        assert (sizes[ET] == 30 - 5 + 1).all()
    from graphstorm_py.eval.ranking import amri
    assert res[key] == pytest.approx(amri(ranks[ET], sizes[ET]))


LP_YAML = """\
version: 1.0
gsf:
  gnn: {{model_encoder_type: rgcn, num_layers: 1, hidden_size: 8, fanout: "buys:5@bought-by:5",
        node_feat_name: ["user:f"]}}
  hyperparam: {{lr: 0.01, batch_size: 32, num_epochs: 1}}
  link_prediction:
    train_etype: ["user,buys,item"]
    train_negative_sampler: {sampler}
    eval_negative_sampler: {sampler}
    num_negative_edges: 4
    num_negative_edges_eval: 8
    train_etypes_negative_dstnode: ["user,buys,item:hneg"]
    num_train_hard_negatives: 1
    eval_metric: [mrr, amri, hit_at_5]
"""


@pytest.mark.parametrize("sampler", ["fast_uniform", "fast_joint", "fast_localuniform", "fast_localjoint",
                                     "all_etype_uniform", "all_etype_joint"])
def test_one_epoch_yaml(tmp_path, lp_graph, capsys, sampler):
    import os
    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "training"))
    from gs_yaml import run_gs_train

    res = run_gs_train(tmp_path, LP_YAML.format(sampler=sampler), lp_graph, capsys=capsys)
    assert {"mrr", "amri", "hit_at_5"} <= set(res["test"])
    assert -1.0 <= res["test"]["amri"] <= 1.0
