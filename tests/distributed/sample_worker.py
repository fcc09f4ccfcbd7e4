"""A rank of the sampling-equivalence tests: sample given seeds with the distributed sampler and
fetch their input features; save blocks and features to OUT/rank-R.pt.

argv: GRAPH OUT TRANSPORT
"""

import os
import sys

import torch

from graphstorm_py.distributed.assembly import assemble_distributed  # noqa: F401  (import check)
from graphstorm_py.distributed.dist_sampler import DistNeighborSampler
from graphstorm_py.distributed.dist_store import DistFeatureStore, DistNodeFeatureSource
from graphstorm_py.distributed.local_graph import LocalGraph
from graphstorm_py.distributed.rendezvous import init_worker, shutdown_worker
from graphstorm_py.graph import GraphDataset

graph, out, transport = sys.argv[1:4]
ds = GraphDataset.open(graph)
ctx = init_worker(ds.meta, graph, transport=transport, timeout_s=60)
g = LocalGraph(ds, ctx.pmap, ctx.rank)
sampler = DistNeighborSampler(g, [3, 2], ctx, seed=7)
feats = DistNodeFeatureSource(DistFeatureStore(ds, ctx), {"user": ["f"], "item": ["h"]})
gen = torch.Generator().manual_seed(100 + ctx.rank)
results = []
for epoch in range(2):
    sampler.set_epoch(epoch)
    for b in range(3):
        if ctx.rank == 1 and b == 2:          # an empty batch on one rank: the others must not hang
            seeds, excl = {}, None
        else:
            seeds = {"user": torch.randperm(ds.num_nodes("user"), generator=gen)[:10],
                     "item": torch.randperm(ds.num_nodes("item"), generator=gen)[:6]}
            excl = {("user", "buys", "item"): torch.randint(0, ds.num_edges(("user", "buys", "item")), (50,),
                                                            generator=gen)}
        mb = sampler.sample(seeds, exclude_eids=excl)
        results.append({"epoch": epoch, "seeds": seeds, "excl": excl, "batch": mb,
                        "feats": feats(mb.input_nodes)})
torch.save({"results": results, "bytes": ctx.exchanger.stats.bytes_sent}, os.path.join(out, f"rank-{ctx.rank}.pt"))
shutdown_worker()
