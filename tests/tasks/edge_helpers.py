"""A tiny graph with labelled edges, and YAMLs for edge tasks and multi-task runs over it.

- ``user`` (40): features ``f`` (one-hot of the user's group + noise, 4 wide).
- ``item`` (30): no features; node label ``cls`` (its group, 2 classes) with default masks.
- ``user,rates,item`` (240 edges, 8 per item): label ``score`` (float, ``1 + 2*[same group] +
  noise``), ``klass`` (int, ``[same group]``), edge feature ``ef`` (2 wide, eid and noise),
  masks ``train_mask``/``val_mask``/``test_mask`` (60/20/20 %) and link-prediction masks.
- ``item,rated-by,user``: the reverse (recorded as ``reverse_of``).
- ``user,follows,user``: users of a group follow each other (survives target-type removal).
"""

from __future__ import annotations

import os
import textwrap

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.graph import EdgeTypeData, NodeTypeData, write_graph

NUM_USERS, NUM_ITEMS = 40, 30
RATES = ("user", "rates", "item")
RATED_BY = ("item", "rated-by", "user")
FOLLOWS = ("user", "follows", "user")


def _split(n: int, rng):
    perm = rng.permutation(n)
    out = []
    for sel in (perm[:int(.6 * n)], perm[int(.6 * n):int(.8 * n)], perm[int(.8 * n):]):
        m = np.zeros(n, dtype=np.uint8)
        m[sel] = 1
        out.append(m)
    return out


def make_edge_graph(root: str, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    ug, ig = np.arange(NUM_USERS) % 2, np.arange(NUM_ITEMS) % 2
    f = np.eye(4, dtype=np.float32)[ug] + 0.2 * rng.standard_normal((NUM_USERS, 4)).astype(np.float32)
    src = np.concatenate([rng.choice(NUM_USERS, 8, replace=False) for _ in range(NUM_ITEMS)])
    dst = np.repeat(np.arange(NUM_ITEMS), 8)
    same = (ug[src] == ig[dst]).astype(np.int64)
    score = (1 + 2 * same + 0.1 * rng.standard_normal(len(src))).astype(np.float32)
    ef = np.stack([np.arange(len(src)), rng.standard_normal(len(src))], 1).astype(np.float32)
    tr, va, te = _split(len(src), rng)
    fs = np.concatenate([np.flatnonzero(ug == g)[rng.integers(0, 20, 40)] for g in (0, 1)])
    fd = np.concatenate([np.flatnonzero(ug == g)[rng.integers(0, 20, 40)] for g in (0, 1)])
    itr, iva, ite = _split(NUM_ITEMS, rng)
    nodes = {
        "user": NodeTypeData(pa.array([f"u{i}" for i in range(NUM_USERS)]), {"f": f}, {"f": {}}, {}),
        "item": NodeTypeData(pa.array(np.arange(NUM_ITEMS) + 100),
                             {"cls": ig.astype(np.int64), "train_mask": itr, "val_mask": iva, "test_mask": ite},
                             {}, {"cls": {"task_type": "classification", "num_classes": 2}}),
    }
    masks = {"train_mask": tr, "val_mask": va, "test_mask": te}
    edges = {
        RATES: EdgeTypeData(src, dst, {"score": score, "klass": same, "ef": ef, **masks}, {"ef": {}},
                            {"score": {"task_type": "regression"}, "klass": {"task_type": "classification"}}),
        RATED_BY: EdgeTypeData(dst.copy(), src.copy(), reverse_of=RATES),
        FOLLOWS: EdgeTypeData(fs, fd),
    }
    write_graph(root, "edge_toy", nodes, edges)
    return root


ER_YAML = """\
version: 1.0
gsf:
  gnn:
    model_encoder_type: rgcn
    num_layers: 1
    hidden_size: 16
    fanout: "5"
    node_feat_name: ["user:f"]
  hyperparam:
    lr: 0.03
    sparse_optimizer_lr: 0.05
    num_epochs: 8
    batch_size: 32
    seed: 1
  edge_regression:
    target_etype: ["user,rates,item"]
    label_field: score
    decoder_type: MLPDecoder
"""

EC_YAML = """\
version: 1.0
gsf:
  gnn:
    model_encoder_type: rgcn
    num_layers: 1
    hidden_size: 16
    fanout: "5"
    node_feat_name: ["user:f"]
  hyperparam:
    lr: 0.03
    num_epochs: 3
    batch_size: 32
    seed: 1
  edge_classification:
    target_etype: ["user,rates,item"]
    label_field: klass
    num_classes: 2
"""

MT_YAML = """\
version: 1.0
gsf:
  gnn:
    model_encoder_type: rgcn
    num_layers: 1
    hidden_size: 16
    fanout: "5"
    node_feat_name: ["user:f"]
  hyperparam:
    lr: 0.03
    sparse_optimizer_lr: 0.05
    num_epochs: 1
    batch_size: 32
    seed: 1
  multi_task_learning:
    - node_classification:
        target_ntype: item
        label_field: cls
        num_classes: 2
        batch_size: 8
        mask_fields: [train_mask, val_mask, test_mask]
        task_weight: 1.0
        eval_metric: [accuracy]
    - edge_regression:
        target_etype: ["user,rates,item"]
        label_field: score
        mask_fields: [train_mask, val_mask, test_mask]
        decoder_type: MLPDecoder
        task_weight: 0.5
        eval_metric: [rmse, mae]
"""


def write_yaml(folder, text: str, name: str = "train.yaml") -> str:
    path = os.path.join(str(folder), name)
    with open(path, "w") as fh:
        fh.write(textwrap.dedent(text))
    return path


@pytest.fixture(scope="session")
def edge_graph(tmp_path_factory):
    """Path of the edge toy graph, built once per session."""
    return make_edge_graph(str(tmp_path_factory.mktemp("edge_graph")))
