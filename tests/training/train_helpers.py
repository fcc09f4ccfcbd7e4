"""A tiny, learnable heterogeneous graph and a training YAML for it (shared by training/model/tasks tests).

- ``user`` (60): features ``f`` (one-hot of the user's class + noise, 4 wide) and ``g`` (2 wide);
  regression label ``age`` (a linear function of ``f``) with masks ``age_*_mask``.
- ``item`` (45): no features (learnable embeddings); classification label ``cls`` (3 classes) with
  ``train_mask``/``val_mask``/``test_mask``. Each item is bought by 5 users of its class and 1 random.
- edges ``user,buys,item`` and the reverse ``item,bought-by,user``.
"""

from __future__ import annotations

import os
import textwrap

import numpy as np
import pytest
import pyarrow as pa

from graphstorm_py.graph import EdgeTypeData, NodeTypeData, write_graph

NUM_USERS, NUM_ITEMS, NUM_CLASSES = 60, 45, 3


def _masks(n: int, rng, frac=(0.6, 0.2, 0.2)):
    perm = rng.permutation(n)
    a, b = int(frac[0] * n), int((frac[0] + frac[1]) * n)
    out = []
    for sel in (perm[:a], perm[a:b], perm[b:]):
        m = np.zeros(n, dtype=np.uint8)
        m[sel] = 1
        out.append(m)
    return out


def make_toy_graph(root: str, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    ucls = np.arange(NUM_USERS) % NUM_CLASSES
    f = np.eye(4, dtype=np.float32)[ucls] + 0.3 * rng.standard_normal((NUM_USERS, 4)).astype(np.float32)
    g = rng.standard_normal((NUM_USERS, 2)).astype(np.float32)
    age = (10 * f[:, 0] + 5 * f[:, 1] + 20).astype(np.float32)
    icls = np.arange(NUM_ITEMS) % NUM_CLASSES
    src, dst = [], []
    for i in range(NUM_ITEMS):
        same = np.flatnonzero(ucls == icls[i])
        src += list(rng.choice(same, 5, replace=False)) + [int(rng.integers(NUM_USERS))]
        dst += [i] * 6
    src, dst = np.array(src), np.array(dst)
    utr, uva, ute = _masks(NUM_USERS, rng)
    itr, iva, ite = _masks(NUM_ITEMS, rng)
    nodes = {
        "user": NodeTypeData(pa.array([f"u{i}" for i in range(NUM_USERS)]),
                             {"f": f, "g": g, "age": age, "age_train_mask": utr, "age_val_mask": uva,
                              "age_test_mask": ute},
                             {"f": {}, "g": {}},
                             {"age": {"task_type": "regression", "masks": {
                                 "train": "age_train_mask", "val": "age_val_mask", "test": "age_test_mask"}}}),
        "item": NodeTypeData(pa.array(np.arange(NUM_ITEMS) + 1000),
                             {"cls": icls.astype(np.int64), "train_mask": itr, "val_mask": iva, "test_mask": ite},
                             {}, {"cls": {"task_type": "classification", "num_classes": NUM_CLASSES, "masks": {
                                 "train": "train_mask", "val": "val_mask", "test": "test_mask"}}}),
    }
    edges = {("user", "buys", "item"): EdgeTypeData(src, dst),
             ("item", "bought-by", "user"): EdgeTypeData(dst.copy(), src.copy(), reverse_of=("user", "buys", "item"))}
    write_graph(root, "toy", nodes, edges)
    return root


NC_YAML = """\
version: 1.0
gsf:
  gnn:
    model_encoder_type: rgcn
    num_layers: 1
    hidden_size: 16
    fanout: "5"
    node_feat_name: ["user:f,g"]
  hyperparam:
    lr: 0.02
    sparse_optimizer_lr: 0.05
    num_epochs: 4
    batch_size: 8
    seed: 3
  node_classification:
    target_ntype: item
    label_field: cls
    num_classes: 3
    eval_metric: [accuracy, f1_score]
"""

NR_YAML = """\
version: 1.0
gsf:
  gnn:
    model_encoder_type: rgcn
    num_layers: 1
    hidden_size: 16
    fanout: "5"
    node_feat_name: ["user:f,g"]
  hyperparam:
    lr: 0.05
    num_epochs: 6
    batch_size: 8
    seed: 3
  node_regression:
    target_ntype: user
    label_field: age
    mask_fields: [age_train_mask, age_val_mask, age_test_mask]
"""


def write_yaml(folder: str, text: str = NC_YAML, name: str = "train.yaml") -> str:
    path = os.path.join(str(folder), name)
    with open(path, "w") as fh:
        fh.write(textwrap.dedent(text))
    return path


@pytest.fixture(scope="session")
def toy_graph(tmp_path_factory):
    """Path of the toy graph, built once per session (import this fixture into a test module)."""
    return make_toy_graph(str(tmp_path_factory.mktemp("toy_graph")))
