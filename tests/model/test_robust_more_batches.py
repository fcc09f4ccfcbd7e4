"""Edge features (``edge_feat_name``) on edge types with no edge in a batch, or none at all.

Found by the second pass over issue 9 (empty types in a batch): ``edge_feat_name`` naming a
relation with 0 edges crashed every encoder that takes edge features ("cannot reshape tensor
of 0 elements", exit 1), in training and both inference modes. On the gaps graph,
``user,views,item`` has 0 edges and ``user,follows,user`` reaches only users 0-3, so most
batches hold neither.
"""

import json
import os

import numpy as np
import pytest
from gaps_helpers import FOLLOWS, NUM, VIEWS, gaps_yaml, make_gaps_graph

from graphstorm_py.config import load_train_config
from graphstorm_py.graph import GraphDataset
from graphstorm_py.outputs.infer import infer
from graphstorm_py.outputs.writer import read_manifest
from graphstorm_py.training.run import train


def _with_edge_features(root: str) -> str:
    """The gaps graph, plus a 2-wide edge feature ``w`` on ``user,follows,user`` and on the 0-edge ``user,views,item``."""
    make_gaps_graph(root)
    ds = GraphDataset.open(root)
    meta_path = os.path.join(root, "metadata.json")
    meta = json.load(open(meta_path))
    for e in meta["edge_types"]:
        if tuple(e["type"]) in (FOLLOWS, VIEWS):
            n = ds.num_edges(tuple(e["type"]))
            np.save(os.path.join(root, "part-0", "edges", "__".join(e["type"]), "w.npy"),
                    np.arange(2 * n, dtype=np.float32).reshape(n, 2))
            e.setdefault("features", {})["w"] = {"dim": 2, "shape": [2], "dtype": "float32"}
    with open(meta_path, "w") as fh:
        json.dump(meta, fh)
    return root


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    return _with_edge_features(str(tmp_path_factory.mktemp("efeat") / "g"))


@pytest.mark.parametrize("encoder", ["rgcn", "rgat", "hgt", "gat"])
def test_edge_features_on_a_type_with_no_edges(graph, encoder, tmp_path):
    assert GraphDataset.open(graph).meta.num_partitions == 1
    conf = gaps_yaml(str(tmp_path / "t.yaml"), encoder, "node_classification",
                     edge_feat_name=["user,follows,user:w", "user,views,item:w"])
    cfg = load_train_config(conf, ["--save-model-path", str(tmp_path / "m")])
    train(cfg, graph)
    ckpt = str(tmp_path / "m" / "epoch-0")
    for minibatch in (True, False):
        out = str(tmp_path / f"emb-{minibatch}")
        infer(cfg, graph, ckpt, embed_path=out, minibatch=minibatch)
        assert {t: d["rows"] for t, d in read_manifest(out)["datasets"].items()} == NUM
