"""node_feat_name -> gathered, concatenated input features; mistakes are named."""

import numpy as np
import pytest
import torch
from model_helpers import toy_graph  # noqa: F401  (fixture)

from graphstorm_py.config.syntax import ANY_NTYPE
from graphstorm_py.errors import ConfigError
from graphstorm_py.graph import GraphDataset
from graphstorm_py.model import NodeFeatureSource
from graphstorm_py.store import LocalFeatureStore


def test_concatenates_in_order(toy_graph):
    ds = GraphDataset.open(toy_graph)
    src = NodeFeatureSource.from_config(LocalFeatureStore(ds), {"user": ["g", "f"]}, ds.ntypes)
    assert src.dims == {"user": 6}
    nids = torch.tensor([5, 0, 7])
    out = src({"user": nids, "item": torch.tensor([1])})
    assert set(out) == {"user"}
    want = np.concatenate([ds.node_array("user", "g")[[5, 0, 7]], ds.node_array("user", "f")[[5, 0, 7]]], 1)
    np.testing.assert_allclose(out["user"].numpy(), want)


def test_any_ntype_and_errors(toy_graph):
    ds = GraphDataset.open(toy_graph)
    store = LocalFeatureStore(ds)
    with pytest.raises(ConfigError, match="'item' has no feature 'f'"):
        NodeFeatureSource.from_config(store, {ANY_NTYPE: ["f"]}, ds.ntypes)
    with pytest.raises(ConfigError, match="usr.*did you mean 'user'"):
        NodeFeatureSource.from_config(store, {"usr": ["f"]}, ds.ntypes)
    with pytest.raises(ConfigError, match="'ff'.*did you mean 'f'"):
        NodeFeatureSource.from_config(store, {"user": ["ff"]}, ds.ntypes)
    assert NodeFeatureSource.from_config(store, None, ds.ntypes).dims == {}
