"""gs-infer on a graph without labels or masks, for every task type (GraphStorm PR #298, issue #349).

A model trained on the labelled gaps graph is applied to the same graph without any label or
mask (a new graph, as at inference time). Embeddings are always written; predictions go to the
test mask when the graph has one, else to every target, and a log line says which.
"""

import logging
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model"))
from gaps_helpers import BUYS, NUM, gaps_yaml, make_gaps_graph  # noqa: E402

from graphstorm_py import io  # noqa: E402
from graphstorm_py.cli import run_cli  # noqa: E402
from graphstorm_py.config import load_train_config  # noqa: E402
from graphstorm_py.errors import ConfigError  # noqa: E402
from graphstorm_py.graph import GraphDataset  # noqa: E402
from graphstorm_py.inference.cli import _main  # noqa: E402
from graphstorm_py.outputs.infer import infer  # noqa: E402
from graphstorm_py.outputs.writer import read_manifest  # noqa: E402
from graphstorm_py.tasks.edge_targets import EdgeTargets  # noqa: E402
from graphstorm_py.tasks.link_prediction_targets import LPTargets  # noqa: E402
from graphstorm_py.training.run import train  # noqa: E402

MULTI = ["node_classification", "edge_regression", "link_prediction"]
CASES = {   # YAML task -> {prediction dataset: (all targets, test-mask targets)}
    "node_classification": {"item": (10, 2)},
    "node_regression": {"item": (10, 2)},
    "edge_classification": {"user_buys_item": (6, 1)},
    "edge_regression": {"user_buys_item": (6, 1)},
    "link_prediction": {"user_buys_item": (6, 1)},
    "lp_etypes_from_masks": {"user_buys_item": (6, 1)},
    "lp_hard_negatives": {"user_buys_item": (6, 1)},
    "multi_task": {"node_classification-item-cls/item": (10, 2),
                   "edge_regression-user_buys_item-score/user_buys_item": (6, 1),
                   "link_prediction/user_buys_item": (6, 1)},
}


def _yaml_task(case):
    if case == "multi_task":
        return MULTI
    if case == "lp_etypes_from_masks":   # no train_etype: training takes the types with a train mask
        return ("link_prediction", {"train_etype": None})
    if case == "lp_hard_negatives":      # an edge feature the new graph does not have
        return ("link_prediction", {"train_etypes_negative_dstnode": ["user,buys,item:hard"],
                                    "eval_etypes_negative_dstnode": ["user,buys,item:hard"]})
    return case


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    root = tmp_path_factory.mktemp("graphs")
    return {"labelled": make_gaps_graph(str(root / "labelled")),
            "new": make_gaps_graph(str(root / "new"), labels=False), "trained": {}, "root": root}


def _trained(graphs, case):
    if case not in graphs["trained"]:
        d = graphs["root"] / case
        d.mkdir()
        cfg = load_train_config(gaps_yaml(str(d / "train.yaml"), "rgcn", _yaml_task(case)),
                                ["--save-model-path", str(d / "m")])
        train(cfg, graphs["labelled"])
        graphs["trained"][case] = (cfg, str(d / "m" / "epoch-0"))
    return graphs["trained"][case]


def _rows(root):
    return {name: d["rows"] for name, d in read_manifest(root)["datasets"].items()}


@pytest.mark.parametrize("minibatch", [True, False], ids=["minibatch", "full_graph"])
@pytest.mark.parametrize("case", list(CASES))
def test_new_graph_without_labels_or_masks(graphs, case, minibatch, tmp_path, caplog):
    cfg, ckpt = _trained(graphs, case)
    ds = GraphDataset.open(graphs["new"])
    assert not any(ds.has_edge_array(BUYS, m) for m in ("klass", "score", "hard", "train_mask", "test_mask"))
    with caplog.at_level(logging.INFO):
        infer(cfg, graphs["new"], ckpt, embed_path=str(tmp_path / "emb"), pred_path=str(tmp_path / "pred"),
              minibatch=minibatch)
    assert _rows(str(tmp_path / "emb")) == NUM
    assert _rows(str(tmp_path / "pred")) == {k: n for k, (n, _) in CASES[case].items()}
    assert "no test mask 'test_mask': predicting all" in caplog.text


@pytest.mark.parametrize("case", ["node_classification", "edge_classification", "link_prediction", "multi_task"])
def test_labelled_graph_test_mask_or_every_target(graphs, case, tmp_path, caplog):
    cfg, ckpt = _trained(graphs, case)
    with caplog.at_level(logging.INFO):
        infer(cfg, graphs["labelled"], ckpt, pred_path=str(tmp_path / "test"))
    assert _rows(str(tmp_path / "test")) == {k: t for k, (_, t) in CASES[case].items()}
    assert "in test mask 'test_mask'" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO):
        infer(cfg, graphs["labelled"], ckpt, pred_path=str(tmp_path / "all"), infer_all=True)
    assert _rows(str(tmp_path / "all")) == {k: n for k, (n, _) in CASES[case].items()}
    assert "(--infer-all-target-nodes)" in caplog.text


def test_embeddings_only_and_cli_exit_0(graphs, tmp_path, capsys):
    cfg, ckpt = _trained(graphs, "link_prediction")
    conf = str(graphs["root"] / "link_prediction" / "train.yaml")
    code = run_cli(_main, ["--cf", conf, "--part-config", graphs["new"], "--restore-model-path", ckpt, "--quiet",
                           "--save-embed-path", str(tmp_path / "emb")])
    assert code == 0, capsys.readouterr().err
    assert _rows(str(tmp_path / "emb")) == NUM


def test_present_but_empty_test_mask_is_an_error(graphs, tmp_path):
    cfg, ckpt = _trained(graphs, "node_classification")
    g = make_gaps_graph(str(tmp_path / "g"))
    io.save_npy(os.path.join(g, "part-0", "nodes", "item", "test_mask.npy"), np.zeros(10, np.uint8))
    with pytest.raises(ConfigError, match="test mask 'test_mask' that selects none of them; pass "
                                          "--infer-all-target-nodes"):
        infer(cfg, g, ckpt, pred_path=str(tmp_path / "pred"))
    infer(cfg, g, ckpt, pred_path=str(tmp_path / "pred"), infer_all=True)
    assert _rows(str(tmp_path / "pred")) == {"item": 10}


def test_targets_without_labels_say_what_is_missing(graphs):
    ds = GraphDataset.open(graphs["new"])
    t = EdgeTargets(ds, BUYS, "klass", ["train_mask", "val_mask", "test_mask"], require_labels=False)
    assert not t.has_labels and all(t.eids[s].numel() == 0 for s in ("train", "val", "test"))
    with pytest.raises(ConfigError, match="has no such label, so it can be predicted but not evaluated"):
        t.labels(t.eids["train"])
    with pytest.raises(ConfigError, match="no such label"):   # training still needs it
        EdgeTargets(ds, BUYS, "klass", ["train_mask", "val_mask", "test_mask"])


def test_lp_edge_types_without_masks(graphs):
    ds, masks = GraphDataset.open(graphs["new"]), ["train_mask", "val_mask", "test_mask"]
    # a checkpoint's decoder edge types first; else (old checkpoints) GraphStorm's rule: every non-reverse type
    assert LPTargets(ds, None, None, masks, require_labels=False, default_etypes=[BUYS]).train_etypes == [BUYS]
    rule = LPTargets(ds, None, None, masks, require_labels=False).train_etypes
    assert BUYS in rule and ("item", "bought-by", "user") not in rule and len(rule) == len(ds.etypes) - 1
    # training without any mask: every edge type, all of its edges (GraphStorm's rule)
    train = LPTargets(ds, None, None, masks)
    assert train.train_etypes == [tuple(e) for e in ds.etypes]
    assert len(train.eids[(BUYS, "train")]) == ds.num_edges(BUYS)
