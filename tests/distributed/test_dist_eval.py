"""Shared evaluation: 1, 2 and 4 workers compute the same metrics (within 1e-6) for link prediction
(filtered full ranking and sampled negatives) and edge classification, with both transports.

Each worker evaluates its share of the targets (round-robin batches, or an even share of the
edges for full ranking) with embeddings from the distributed embedders (mini-batch with
partition-invariant sampling, or layer-wise inference); the metrics are computed once over the
gathered results. The same initial weights everywhere (the seed); one worker is a world of one.
"""

import json
import os
import textwrap

import pytest

from dist_helpers import HERE, make_edge_graph, run_ranks

GNN = """\
version: 1.0
gsf:
  gnn: {model_encoder_type: rgcn, num_layers: 2, hidden_size: 8, fanout: "3,2", eval_fanout: "3,2",
        node_feat_name: ["user:f", "item:h"]}
  hyperparam: {lr: 0.02, num_epochs: 1, batch_size: 16, eval_batch_size: 13, seed: 3}
"""
LP = """\
  link_prediction: {train_etype: ["user,buys,item"], num_negative_edges: 4, num_negative_edges_eval: 7,
                    reverse_edge_types_map: ["user,buys,bought-by,item"], lp_eval_ranking: RANKING,
                    eval_metric: [mrr, hit_at_3, amri], report_eval_per_type: PER_TYPE}
"""
EC = """\
  edge_classification: {target_etype: ["user,buys,item"], label_field: rate, num_classes: 3,
                        remove_target_edge_type: false, eval_metric: [accuracy, f1_score, per_class_f1_score]}
"""
CONFIGS = {"lp_full.yaml": GNN + LP.replace("RANKING", "full").replace("PER_TYPE", "false"),
           "lp_sampled.yaml": GNN + LP.replace("RANKING", "sampled").replace("PER_TYPE", "true"),
           "ec.yaml": GNN + EC,
           "ec_removed.yaml": GNN + EC.replace("remove_target_edge_type: false", "remove_target_edge_type: true")}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("disteval")
    for name, text in CONFIGS.items():
        (d / name).write_text(textwrap.dedent(text))
    return d, make_edge_graph(str(d / "g4"), 4)


def _metrics(d, graph, world, transport, tag):
    out = d / f"{tag}-{world}-{transport}"
    out.mkdir()
    run_ranks(os.path.join(HERE, "eval_worker.py"), [graph, str(out), transport, *[str(d / n) for n in CONFIGS]],
              world, timeout=400)
    ranks = [json.loads((out / f"rank-{r}.json").read_text()) for r in range(world)]
    for r in ranks[1:]:
        _close(ranks[0], r)                     # every rank reports the same numbers
    return ranks[0]


def _close(a, b, path=""):
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), (path, a, b)
        for k in a:
            _close(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, (int, float)) and a is not None:
        assert b == pytest.approx(a, abs=1e-6), (path, a, b)
    else:
        assert a == b, (path, a, b)


@pytest.mark.parametrize("transport", ["collective", "auto"])
def test_one_two_four_workers_same_metrics(setup, transport):
    d, graph = setup
    one = _metrics(d, graph, 1, transport, "m")
    ref = {y: {k: v for k, v in m.items() if k != "one_process_full"} for y, m in one.items()}
    for y, m in one.items():                    # the full-graph evaluation is the one-process evaluation's
        _close(m["one_process_full"], m["full"], y)
        for mode in ("minibatch", "full"):
            for split in ("val", "test"):
                assert all(v is not None for v in m[mode][list(m[mode])[0]][split].values())
    assert set(one["lp_sampled.yaml"]["full"]["link_prediction"]["val"]) == {"mrr", "hit_at_3", "amri"}
    assert set(one["lp_full.yaml"]["full"]["link_prediction"]["val"]) == {"full_mrr", "full_hit_at_3", "full_amri"}
    for world in (2, 4):
        _close(ref, _metrics(d, graph, world, transport, "m"), f"world {world}")
