"""TokenSource reads tokenize_hf's int32 / uint8 arrays, and older graphs' int64 / int8 the same way."""

import numpy as np
import pytest
import torch
from lm_helpers import lm_yaml, make_text_graph

from graphstorm_py.config import load_train_config_dict
from graphstorm_py.graph import GraphDataset
from graphstorm_py.lm.cache import lm_state_key
from graphstorm_py.lm.encoder import LMEncoder
from graphstorm_py.lm.tokens import TokenSource
from graphstorm_py.store import LocalFeatureStore
from graphstorm_py.training.run import train

import yaml

OLD, NEW = (np.int64, np.int8), (np.int32, np.uint8)


def source(root):
    return TokenSource(LocalFeatureStore(GraphDataset.open(root)), "paper")


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    return {d: make_text_graph(str(tmp_path_factory.mktemp("g")), token_dtypes=d) for d in (OLD, NEW)}


def test_stored_dtypes_are_as_written(graphs):
    store = LocalFeatureStore(GraphDataset.open(graphs[NEW]))
    assert store.gather("paper", "input_ids", torch.tensor([0])).dtype == torch.int32
    assert store.gather("paper", "attention_mask", torch.tensor([0])).dtype == torch.uint8


@pytest.mark.parametrize("dtypes", [OLD, NEW], ids=["int64-int8", "int32-uint8"])
def test_tokens_come_back_as_long_and_trimmed(graphs, dtypes):
    ids, mask = source(graphs[dtypes])(torch.arange(40))
    assert ids.dtype == torch.long and mask.dtype == torch.long
    assert ids.shape == mask.shape and int(mask.sum(1).max()) == ids.shape[1]   # trimmed to the longest row


def test_old_and_new_dtypes_give_the_same_tokens_and_cache_key(graphs, tiny_bert):
    old, new = source(graphs[OLD]), source(graphs[NEW])
    nids = torch.tensor([3, 0, 17, 39])
    for a, b in zip(old(nids), new(nids)):
        assert torch.equal(a, b)
    lm = LMEncoder.load(tiny_bert).eval()
    assert lm_state_key(lm, old, 40) == lm_state_key(lm, new, 40)    # a frozen table on disk stays valid


@pytest.mark.parametrize("dtypes", [OLD, NEW], ids=["int64-int8", "int32-uint8"])
def test_cotraining_runs_on_either_dtype(graphs, tiny_bert, dtypes):
    cfg = load_train_config_dict(yaml.safe_load(lm_yaml(tiny_bert, lm_train_nodes=4, epochs=1)))
    assert train(cfg, graphs[dtypes])["epochs_run"] == 1
