"""A tiny graph full of gaps, so that mini-batches hold node and edge types with zero rows.

- ``user`` (8, feature ``f``): ``user,follows,user`` reaches users 0-3 only; ``item,bought-by,user``
  (the reverse of ``buys``) reaches users 0-2 only. Users 4-7 have no in-edges at all.
- ``item`` (10, feature ``p``): labels ``cls`` (2 classes) and ``val`` (float) with masks
  train 0-5, val 6-7, test 8-9. Only items 0, 1 and 6 are bought; only item 0 is tagged.
  Items 2-5 and 7-9 have no in-edges, and with ``remove_target_edge_type`` (edge tasks)
  item 0 is the only item with any.
- ``tag`` (3, no features: learnable embeddings): no relation reaches it.
- ``ghost`` (0 nodes, no features) and ``ghost,haunts,item`` (0 edges); ``user,views,item`` (0 edges).
- ``shop`` (2, no features): in no edge type at all.
- ``user,buys,item`` (6 edges): labels ``klass`` (int) and ``score`` (float), masks train 4 / val 1
  / test 1 (also the link-prediction split), hard negatives ``hard`` (item nids, -1 padded).

:func:`gaps_yaml` writes a training YAML for one encoder and one task over it.
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import yaml

from graphstorm_py.graph import EdgeTypeData, NodeTypeData, write_graph

BUYS, BOUGHT_BY = ("user", "buys", "item"), ("item", "bought-by", "user")
FOLLOWS, TAGS = ("user", "follows", "user"), ("tag", "tags", "item")
HAUNTS, VIEWS = ("ghost", "haunts", "item"), ("user", "views", "item")
NUM = {"user": 8, "item": 10, "tag": 3, "ghost": 0, "shop": 2}
ENCODERS = ["rgcn", "rgat", "hgt", "sage", "gat", "gatv2"]

TASKS = {
    "node_classification": {"target_ntype": "item", "label_field": "cls", "num_classes": 2},
    "node_regression": {"target_ntype": "item", "label_field": "val"},
    "edge_classification": {"target_etype": ["user,buys,item"], "label_field": "klass", "num_classes": 2},
    "edge_regression": {"target_etype": ["user,buys,item"], "label_field": "score"},
    "link_prediction": {"train_etype": ["user,buys,item"], "num_negative_edges": 3,
                        "num_negative_edges_eval": 3, "exclude_training_targets": True},
}


def _mask(n: int, rows) -> np.ndarray:
    m = np.zeros(n, np.uint8)
    m[list(rows)] = 1
    return m


def make_gaps_graph(root: str, labels: bool = True) -> str:
    """Write the graph (``labels=False``: no label and no mask anywhere, as a new graph at inference)."""
    rng = np.random.default_rng(0)
    n = NUM
    item_arrays = {"p": rng.standard_normal((n["item"], 2)).astype(np.float32)}
    if labels:
        item_arrays.update(cls=(np.arange(n["item"]) % 2).astype(np.int64),
                           val=rng.standard_normal(n["item"]).astype(np.float32),
                           train_mask=_mask(10, range(6)), val_mask=_mask(10, [6, 7]), test_mask=_mask(10, [8, 9]))
    bsrc, bdst = np.array([0, 1, 2, 0, 1, 2]), np.array([0, 0, 1, 1, 6, 6])
    buys_arrays = {}
    if labels:
        buys_arrays = {"klass": np.array([0, 1, 0, 1, 0, 1], np.int64),
                       "hard": np.array([[5, -1], [5, 6], [4, -1], [2, 3], [9, -1], [8, -1]], np.int64),
                       "score": rng.standard_normal(6).astype(np.float32),
                       "train_mask": _mask(6, range(4)), "val_mask": _mask(6, [4]), "test_mask": _mask(6, [5])}
    none = np.zeros(0, np.int64)
    nodes = {
        "user": NodeTypeData(pa.array([f"u{i}" for i in range(n["user"])]),
                             {"f": rng.standard_normal((n["user"], 3)).astype(np.float32)}, {"f": {}}),
        "item": NodeTypeData(pa.array(np.arange(n["item"], dtype=np.int64) + 100), item_arrays, {"p": {}},
                             {"cls": {"task_type": "classification", "num_classes": 2},
                              "val": {"task_type": "regression"}} if labels else {}),
        "tag": NodeTypeData(pa.array(["t0", "t1", "t2"])),
        "ghost": NodeTypeData(pa.array([], pa.string())),
        "shop": NodeTypeData(pa.array(["s0", "s1"])),
    }
    edges = {
        BUYS: EdgeTypeData(bsrc, bdst, buys_arrays, {},
                           {"klass": {"task_type": "classification"}, "score": {"task_type": "regression"}}
                           if labels else {}, nid_arrays={"hard": "item"} if labels else {}),
        BOUGHT_BY: EdgeTypeData(bdst.copy(), bsrc.copy(), reverse_of=BUYS),
        FOLLOWS: EdgeTypeData(np.array([4, 5, 6, 7, 0]), np.array([0, 1, 2, 3, 3])),
        TAGS: EdgeTypeData(np.array([0, 2]), np.array([0, 0])),
        HAUNTS: EdgeTypeData(none, none),
        VIEWS: EdgeTypeData(none, none),
    }
    write_graph(root, "gaps", nodes, edges)
    return root


def gaps_yaml(path: str, encoder: str, task, **gnn) -> str:
    """A 2-layer training YAML (hidden 8, fanout 2, batches of 2) for ``encoder`` and ``task``
    (a task section name, a ``(name, {key: value})`` pair, or a list of them: multi-task)."""
    def section(t):
        name, extra = (t, {}) if isinstance(t, str) else t
        return name, {**TASKS[name], **extra}

    if isinstance(task, list):
        tasks = {"multi_task_learning": [
            {name: {**body, "mask_fields": ["train_mask", "val_mask", "test_mask"], "task_weight": 1.0}}
            for name, body in map(section, task)]}
    else:
        tasks = dict([section(task)])
    conf = {"version": 1.0, "gsf": {
        "gnn": {"model_encoder_type": encoder, "num_layers": 2, "hidden_size": 8, "num_heads": 2,
                "fanout": "2,2", "eval_fanout": "2,2", "node_feat_name": ["user:f", "item:p"], **gnn},
        "hyperparam": {"lr": 0.01, "num_epochs": 1, "batch_size": 2, "eval_batch_size": 3, "seed": 5},
        **tasks,
    }}
    with open(path, "w") as fh:
        yaml.safe_dump(conf, fh)
    return path


def graph_path(tmp_path_factory, labels: bool = True) -> str:
    return make_gaps_graph(os.path.join(str(tmp_path_factory.mktemp("gaps")), "graph"), labels)
