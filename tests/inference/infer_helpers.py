"""Helpers of the gs-infer tests: a tiny trained model: a user/item graph, one epoch of node classification."""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import yaml

from graphstorm_py.graph.writer import EdgeTypeData, NodeTypeData, write_graph

NUM_USERS, NUM_ITEMS, NUM_CLASSES = 50, 40, 3


def tiny_graph(root: str, item_dim: int = 4, num_parts: int = 2, seed: int = 0, edge_order: tuple = (0, 1)) -> str:
    """user (string IDs, 5 features) -buys-> item (int64 IDs, item_dim features, labels, masks) and reverse.

    ``edge_order``: which of (buys, its reverse) the graph lists, in that order."""
    rng = np.random.default_rng(seed)
    split = rng.permutation(NUM_ITEMS)
    masks = {m: np.zeros(NUM_ITEMS, np.uint8) for m in ("train_mask", "val_mask", "test_mask")}
    masks["train_mask"][split[:24]] = 1
    masks["val_mask"][split[24:32]] = 1
    masks["test_mask"][split[32:]] = 1
    users = NodeTypeData(pa.array([f"u{i:03d}" for i in range(NUM_USERS)]),
                         {"feat": rng.normal(size=(NUM_USERS, 5)).astype(np.float32)}, {"feat": {}})
    items = NodeTypeData(pa.array(np.arange(NUM_ITEMS, dtype=np.int64) * 10 + 7),
                         {"feat": rng.normal(size=(NUM_ITEMS, item_dim)).astype(np.float32),
                          "label": rng.integers(0, NUM_CLASSES, NUM_ITEMS).astype(np.int64), **masks},
                         {"feat": {}},
                         {"label": {"task_type": "classification",
                                    "masks": {"train": "train_mask", "val": "val_mask", "test": "test_mask"}}})
    src = rng.integers(0, NUM_USERS, 300)
    dst = rng.integers(0, NUM_ITEMS, 300)
    edges = [(("user", "buys", "item"), EdgeTypeData(src, dst)),
             (("item", "bought-by", "user"), EdgeTypeData(dst.copy(), src.copy(), reverse_of=("user", "buys", "item")))]
    edges = dict(edges[i] for i in edge_order)
    parts = {"user": rng.integers(0, num_parts, NUM_USERS), "item": rng.integers(0, num_parts, NUM_ITEMS)}
    write_graph(root, "tiny", {"user": users, "item": items}, edges, num_parts=num_parts, node_parts=parts)
    return root


def train_yaml(path: str, **gnn) -> str:
    conf = {"version": 1.0, "gsf": {
        "basic": {"backend": "gloo"},
        "gnn": {"model_encoder_type": "rgcn", "fanout": "5,5", "num_layers": 2, "hidden_size": 8,
                "use_mini_batch_infer": False, "node_feat_name": ["feat"], **gnn},
        "hyperparam": {"lr": 0.01, "num_epochs": 1, "batch_size": 16, "eval_batch_size": 16, "seed": 7},
        "node_classification": {"target_ntype": "item", "label_field": "label", "num_classes": NUM_CLASSES,
                                "eval_metric": ["accuracy"]},
    }}
    with open(path, "w") as fh:
        yaml.safe_dump(conf, fh)
    return path


def make_trained(d) -> tuple:
    """``(yaml, graph, checkpoint)`` of a model trained one epoch on :func:`tiny_graph`."""
    from graphstorm_py.config import load_train_config
    from graphstorm_py.training.run import train

    graph = tiny_graph(str(d / "graph"))
    conf = train_yaml(str(d / "train.yaml"))
    models = str(d / "models")
    cfg = load_train_config(conf, ["--save-model-path", models])
    results = train(cfg, graph)
    ckpt = os.path.join(models, "epoch-0")
    assert os.path.exists(os.path.join(ckpt, "checkpoint.json")), results
    return conf, graph, ckpt
