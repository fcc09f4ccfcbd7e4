"""Owner shards of learnable tables, in one process (world size 1): the same rows, updates and optimiser
state as a whole ``nn.Embedding`` with SparseAdam; initial rows equal to nn.Embedding's for the same seed."""

import types

import pytest
import torch
from torch import nn

from graphstorm_py.distributed.exchange import Exchanger
from graphstorm_py.distributed.sparse_embed import ShardedEmbedding, ShardedTables, initial_rows
from graphstorm_py.nn.input_encoder import NodeInputEncoder, embedding_table
from graphstorm_py.training.optim import Optimizers


@pytest.mark.parametrize("num,dim", [(90, 8), (97, 3), (5, 3), (2, 2), (1000, 16), (7, 1)])
def test_initial_rows_equal_nn_embedding(num, dim):
    torch.manual_seed(11)
    whole = embedding_table("t", num, dim).weight.detach()
    after = torch.rand(4)
    for lo, hi in [(0, num), (num // 3, 2 * num // 3), (num // 2, num)]:
        torch.manual_seed(11)
        rows = initial_rows(num, dim, lo, hi)
        assert torch.equal(rows, whole[lo:hi])
        assert torch.equal(torch.rand(4), after), "the generator must end where nn.Embedding leaves it"


def _ctx(num):
    pmap = types.SimpleNamespace(node_range=lambda r, t: (0, num),
                                 node_owner=lambda t, ids: torch.zeros(ids.numel(), dtype=torch.long))
    return types.SimpleNamespace(world_size=1, rank=0, pmap=pmap, exchanger=Exchanger(None, 0, 1), graph_group=None)


def test_fetch_push_and_sparse_adam_equal_whole_table():
    torch.manual_seed(0)
    whole = embedding_table("t", 30, 4)
    shard = ShardedEmbedding("t", 30, 4, [(0, 30)], 0, whole.weight.detach().clone())
    tables = ShardedTables({"t": shard}, _ctx(30))
    opt_w = torch.optim.SparseAdam([whole.weight], lr=0.1)
    opt_s = torch.optim.SparseAdam([shard.weight], lr=0.1)
    gen = torch.Generator().manual_seed(1)
    for step in range(4):
        ids = torch.randint(0, 30, (12,), generator=gen)
        target = torch.randn(12, 4, generator=gen)
        opt_w.zero_grad()
        opt_s.zero_grad()
        (whole(ids) - target).square().sum().backward()
        g = whole.weight.grad.coalesce()
        whole.weight.grad = torch.sparse_coo_tensor(g.indices(), g.values() / 2.0, g.shape,
                                                     check_invariants=False)   # batch weight 2
        tables.fetch({"t": ids}, grad=True)
        (shard(ids) - target).square().sum().backward()
        tables.push_grads(2.0)
        opt_w.step()
        opt_s.step()
        tables.clear()
        torch.testing.assert_close(shard.weight.detach(), whole.weight.detach(), rtol=0, atol=1e-6)
    with torch.no_grad():
        tables.fetch({}, grad=False)
        torch.testing.assert_close(shard(torch.tensor([3, 1])), whole(torch.tensor([3, 1])))   # owned rows
    with tables.gathered():
        assert torch.equal(shard(torch.tensor([29, 0])), whole.weight.detach()[[29, 0]])


def test_remote_rows_without_fetch_are_an_error():
    shard = ShardedEmbedding("t", 10, 2, [(0, 5), (5, 10)], 0)
    assert shard(torch.tensor([4, 0])).shape == (2, 2)
    with pytest.raises(RuntimeError, match="without being fetched"):
        shard(torch.tensor([7]))


class _Model(nn.Module):
    def __init__(self, make=None):
        super().__init__()
        self.input_encoder = NodeInputEncoder({"t": 12}, {}, 3, make_embedding=make)

    def dense_parameters(self):
        return self.input_encoder.dense_parameters()

    def sparse_parameters(self):
        return self.input_encoder.sparse_parameters()


def test_whole_optimizer_state_loads_into_a_shard():
    torch.manual_seed(0)
    whole = _Model()
    opt = Optimizers(whole, lr=0.1)
    whole.input_encoder({"t": torch.tensor([1, 5, 9, 5])})["t"].sum().backward()
    opt.step()
    state = opt.state_dict()

    def make(t, n, d):
        return ShardedEmbedding(t, n, d, [(0, 4), (4, 12)], 1)
    part = _Model(make)
    popt = Optimizers(part, lr=0.1)
    assert popt.sharded
    popt.load_state_dict(state)
    saved = opt.sparse.state[whole.input_encoder.embeds["t"].weight]
    mine = popt.sparse.state[part.input_encoder.embeds["t"].weight]
    assert mine["step"] == saved["step"] == 1
    assert torch.equal(mine["exp_avg"], saved["exp_avg"][4:12])
    assert popt.state_dict()["sparse"] == {"sharded": True, "step": {"t": 1}}
