"""LMEmbeddingTable: rows equal the LM's output, frozen tables on disk keyed by the LM state, atomic."""

import glob
import os

import numpy as np
import pytest
import torch

from graphstorm_py.graph import GraphDataset
from graphstorm_py.lm.cache import LMEmbeddingTable
from graphstorm_py.lm.encoder import LMEncoder
from graphstorm_py.lm.tokens import TokenSource
from graphstorm_py.store import LocalFeatureStore


@pytest.fixture()
def parts(tiny_bert, text_graph):
    store = LocalFeatureStore(GraphDataset.open(text_graph))
    return LMEncoder.load(tiny_bert).eval(), TokenSource(store, "paper"), store.num_nodes("paper")


def test_rows_equal_the_lm_output_whatever_the_batching(parts):
    lm, tokens, n = parts
    table = LMEmbeddingTable(n, lm.out_dims)
    table.compute(lm, tokens, batch_size=7)
    assert table.forward_rows == n
    with torch.no_grad():
        for i in (0, 5, n - 1):
            one = lm(*tokens(torch.tensor([i])))
            assert torch.allclose(table.rows(torch.tensor([i])), one, atol=1e-2)


def test_frozen_table_on_disk_is_keyed_by_the_lm_state(parts):
    lm, tokens, n = parts
    a = LMEmbeddingTable(n, lm.out_dims)
    path = a.load_or_compute_frozen(lm, tokens, 16)
    assert os.path.isfile(path) and not glob.glob(path + ".tmp*")
    b = LMEmbeddingTable(n, lm.out_dims)
    assert b.load_or_compute_frozen(lm, tokens, 16) == path and b.forward_rows == 0
    assert isinstance(b.table, np.memmap)
    assert torch.equal(a.rows(torch.arange(n)), b.rows(torch.arange(n)))
    with torch.no_grad():
        next(lm.parameters()).add_(0.01)            # another LM state: another file
    c = LMEmbeddingTable(n, lm.out_dims)
    assert c.load_or_compute_frozen(lm, tokens, 16) != path and c.forward_rows == n


def test_a_failed_frozen_compute_leaves_nothing(parts, monkeypatch):
    lm, tokens, n = parts
    calls = []

    def boom(*a, **k):
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("killed")
        return torch.zeros(len(a[0]), lm.out_dims)

    monkeypatch.setattr(lm, "forward", boom)
    with pytest.raises(RuntimeError):
        LMEmbeddingTable(n, lm.out_dims).load_or_compute_frozen(lm, tokens, 8)
    assert glob.glob(os.path.join(os.environ["GS_LM_CACHE_DIR"], "*")) == []
