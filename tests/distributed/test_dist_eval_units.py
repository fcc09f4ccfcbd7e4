"""Pieces of the shared evaluation that need no job: the even split, and a worker's pruned CSC
(the graph without some edge types and held-out edges) against the whole graph's, pruned."""

import torch

from dist_helpers import make_edge_graph
from graphstorm_py.distributed.dist_eval import _PrunedLocal, even_share
from graphstorm_py.distributed.local_graph import LocalGraph
from graphstorm_py.distributed.partition_map import PartitionMap
from graphstorm_py.graph import GraphDataset
from graphstorm_py.model.embed import FullGraphEmbedder
from graphstorm_py.sampling import CSCGraph
from graphstorm_py.tasks.edge import pruned_full_embedder


def test_even_share_covers_every_item_once():
    for n in range(0, 12):
        for world in range(1, 5):
            parts = [list(range(n))[even_share(n, r, world)] for r in range(world)]
            assert sum(parts, []) == list(range(n))
            assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_pruned_local_csc_is_the_rank_slice_of_the_pruned_whole_graph(tmp_path):
    ds = GraphDataset.open(make_edge_graph(str(tmp_path / "g"), 4))
    buys, rev, follows = ("user", "buys", "item"), ("item", "bought-by", "user"), ("user", "follows", "user")
    gen = torch.Generator().manual_seed(0)
    eids = {buys: torch.randperm(ds.num_edges(buys), generator=gen)[:120],
            follows: torch.randperm(ds.num_edges(follows), generator=gen)[:40]}
    whole = pruned_full_embedder(FullGraphEmbedder(None, CSCGraph.from_dataset(ds), None, 8, "cpu"), [rev], eids)
    for world in (1, 2, 4):
        pmap = PartitionMap(ds.meta, world)
        for rank in range(world):
            local = _PrunedLocal(LocalGraph(ds, pmap, rank), [rev], eids)
            for et, (ip, ind) in whole.graph.csc.items():
                lo, hi = pmap.node_range(rank, et[2])
                lip, lind = local.csc[et]
                assert torch.equal(lip, ip[lo:hi + 1] - ip[lo]), (world, rank, et)
                assert torch.equal(lind, ind[ip[lo]:ip[hi]]), (world, rank, et)
