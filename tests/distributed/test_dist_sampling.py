"""1 worker and N workers give identical blocks and features for the same seeds (world sizes 2, 4, 8).

Each rank samples its own seed batches with :class:`DistNeighborSampler` over the collective
transport (one of them runs an empty batch); every block must equal what one process with the
whole graph samples with ``NeighborSampler(invariant=True)``, and the features must equal the
memory-mapped rows.
"""

import os

import pytest
import torch

from dist_helpers import HERE, make_graph, run_ranks
from graphstorm_py.graph import GraphDataset
from graphstorm_py.sampling import CSCGraph, NeighborSampler
from graphstorm_py.store import LocalFeatureStore


@pytest.fixture(scope="module")
def graph8(tmp_path_factory):
    return make_graph(str(tmp_path_factory.mktemp("g8")), num_parts=8)


def _same_batch(a, b):
    assert len(a.blocks) == len(b.blocks)
    for x, y in zip(a.blocks, b.blocks):
        assert x.src_nodes.keys() == y.src_nodes.keys()
        for k in x.src_nodes:
            assert torch.equal(x.src_nodes[k], y.src_nodes[k]), k
        assert x.edge_index.keys() == y.edge_index.keys()
        for k in x.edge_index:
            assert torch.equal(x.edge_index[k], y.edge_index[k]), k
            assert torch.equal(x.eids[k], y.eids[k]), k


@pytest.mark.parametrize("world", [2, 4, 8])
def test_dist_blocks_equal_one_process(graph8, tmp_path, world):
    run_ranks(os.path.join(HERE, "sample_worker.py"), [graph8, str(tmp_path), "collective"], world, timeout=280)
    ds = GraphDataset.open(graph8)
    ref = NeighborSampler(CSCGraph.from_dataset(ds), [3, 2], seed=7, invariant=True)
    store = LocalFeatureStore(ds)
    nonempty = 0
    for r in range(world):
        saved = torch.load(os.path.join(tmp_path, f"rank-{r}.pt"), weights_only=False)
        if world > 1:
            assert saved["bytes"] > 0
        for res in saved["results"]:
            ref.set_epoch(res["epoch"])
            want = ref.sample(res["seeds"], exclude_eids=res["excl"])
            _same_batch(res["batch"], want)
            for t, name in (("user", "f"), ("item", "h")):
                if t in want.input_nodes:
                    assert torch.equal(res["feats"][t], store.gather(t, name, want.input_nodes[t]))
            nonempty += bool(res["seeds"])
    assert nonempty == 6 * world - 2
