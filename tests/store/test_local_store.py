"""LocalFeatureStore over a tiny graph written with write_graph (3 partitions, one empty)."""

import numpy as np
import pyarrow as pa
import pytest
import torch

from graphstorm_py.errors import DataError
from graphstorm_py.graph import EdgeTypeData, GraphDataset, NodeTypeData, write_graph
from graphstorm_py.store import FeatureStore, LocalFeatureStore

BUYS = ("user", "buys", "item")
SRC, DST = np.array([0, 1, 2, 3, 4, 4]), np.array([0, 1, 2, 3, 0, 2])


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("g"))
    users = NodeTypeData(pa.array([f"u{i}" for i in range(5)]),
                         arrays={"feat": np.arange(15, dtype=np.float64).reshape(5, 3),
                                 "label": np.array([3, 1, 4, 1, 5]),
                                 "train_mask": np.array([1, 0, 1, 0, 1], dtype=np.uint8)},
                         features={"feat": {}})
    items = NodeTypeData(pa.array(np.arange(4) * 100),
                         arrays={"emb": np.arange(16, dtype=np.float16).reshape(4, 2, 2)}, features={"emb": {}})
    edges = EdgeTypeData(SRC, DST, arrays={"weight": (SRC * 10 + DST).astype(np.float32),
                                           "rating": SRC + DST}, features={"weight": {}})
    write_graph(root, "tiny", {"user": users, "item": items}, {BUYS: edges}, num_parts=3,
                node_parts={"user": np.array([2, 0, 2, 0, 1]), "item": np.array([2, 0, 2, 0])})
    return LocalFeatureStore(GraphDataset.open(root))


def _orig(store, ntype):
    """Pre-relabel index of every nid (the original IDs encode it)."""
    orig = store.ds.orig_ids(ntype).to_pylist()
    return np.array([int(str(o).lstrip("u")) // (100 if ntype == "item" else 1) for o in orig])


def test_gather_nodes_across_partitions(store):
    assert isinstance(store, FeatureStore)
    orig = _orig(store, "user")
    nids = torch.tensor([4, 0, 2, 2, 1, 3])
    feat = store.gather("user", "feat", nids)
    assert feat.dtype == torch.float32 and feat.shape == (6, 3)
    want = np.arange(15, dtype=np.float32).reshape(5, 3)[orig[nids.numpy()]]
    assert np.array_equal(feat.numpy(), want)
    label = store.gather("user", "label", nids)
    assert label.dtype == torch.int64
    assert label.tolist() == np.array([3, 1, 4, 1, 5])[orig[nids.numpy()]].tolist()
    assert store.gather("user", "train_mask", np.array([0])).dtype == torch.uint8
    emb = store.gather("item", "emb", torch.tensor([3, 0]))
    assert emb.dtype == torch.float32 and emb.shape == (2, 2, 2)
    assert store.gather("user", "feat", torch.empty(0, dtype=torch.long)).shape == (0, 3)


def test_gather_edges(store):
    src, dst = store.ds.coo(BUYS)
    want = _orig(store, "user")[src] * 10 + _orig(store, "item")[dst]
    eids = torch.tensor([5, 0, 3])
    got = store.gather_edges(BUYS, "weight", eids)
    assert got.dtype == torch.float32 and got.tolist() == want[[5, 0, 3]].tolist()
    assert store.gather_edges(BUYS, "rating", eids).dtype == torch.int64
    assert store.edge_dim(BUYS, "weight") == 1 and store.num_edges(BUYS) == 6
    assert store.has_edges(BUYS, "rating") and not store.has_edges(BUYS, "eid")
    assert store.edge_names(BUYS) == ["rating", "weight"]


def test_metadata_queries(store):
    assert store.num_nodes("user") == 5 and store.num_nodes("item") == 4
    assert store.dim("user", "feat") == 3 and store.dim("item", "emb") == 4 and store.dim("user", "label") == 1
    assert store.row_shape("item", "emb") == (2, 2)
    assert store.has("user", "feat") and not store.has("user", "nope") and not store.has("movie", "feat")
    assert store.names("user") == ["feat", "label", "train_mask"]


def test_errors_list_what_exists(store):
    with pytest.raises(DataError, match="no node type 'movie'; it has item; user"):
        store.gather("movie", "feat", [0])
    with pytest.raises(DataError, match="it has feat, label, train_mask.*; did you mean 'feat'\\?$"):
        store.gather("user", "feats", [0])
    with pytest.raises(DataError, match=r"must be in \[0, 5\), got \[0, 5\]"):
        store.gather("user", "feat", [0, 5])
    with pytest.raises(DataError, match="no edge type"):
        store.gather_edges(("user", "likes", "item"), "weight", [0])
    with pytest.raises(TypeError):
        store.gather("user", "feat", torch.tensor([0.5]))
