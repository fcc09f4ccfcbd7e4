"""A rank of the edge-feature / feature-construction equivalence tests: the model's outputs for
given seed batches (training fanout, the trainer's fetch path) and the full-graph embeddings of
arbitrary nodes (halo inference, read back with ``rows``); saved to OUT/rank-R.pt.

argv: GRAPH YAML OUT TRANSPORT CACHE_MB
"""

import os
import sys

import torch

from graphstorm_py.config.homogeneous import resolve_targets
from graphstorm_py.config.loader import load_train_config
from graphstorm_py.distributed.assembly import assemble_distributed
from graphstorm_py.distributed.dist_store import fetch_batch
from graphstorm_py.distributed.rendezvous import init_worker, shutdown_worker
from graphstorm_py.graph import GraphDataset

graph, yaml, out, transport, cache_mb = sys.argv[1:6]
ds = GraphDataset.open(graph)
ctx = init_worker(ds.meta, graph, transport=transport, timeout_s=60, cache_mb=float(cache_mb))
cfg = resolve_targets(load_train_config(yaml), ds.ntypes, ds.etypes)
torch.manual_seed(cfg.hyperparam.seed)
run = assemble_distributed(cfg, ds, ctx)
run.model.eval()
sampler = run.sampler(cfg.gnn.fanout, seed=cfg.hyperparam.seed)
sampler.set_epoch(1)
gen = torch.Generator().manual_seed(5)
batches = [torch.randperm(ds.num_nodes("user"), generator=gen)[:12] for _ in range(5)]
results = []
with torch.no_grad():
    for i in range(-(-len(batches) // ctx.world_size) + 1):     # the last round: empty batches only
        idx = ctx.rank + i * ctx.world_size
        seeds = {"user": batches[idx]} if idx < len(batches) else {}
        mb = sampler.sample(seeds)
        feats, efeats = fetch_batch(run.features, mb, run.edge_features)
        if seeds:
            emb = run.model(mb.blocks, mb.input_nodes, feats, edge_feats=efeats)
            results.append({"batch": idx, "emb": emb["user"], "logits": run.model.decoders[run.tasks[0].name](emb["user"])})
    full = run.full_graph_embedder(7)
    full.all()
    want = {"user": torch.arange(ds.num_nodes("user")), "item": torch.arange(ds.num_nodes("item"))}
    rows = full.rows(want) if hasattr(full, "rows") else full(want)
    refused = None
    if hasattr(full, "rows") and ctx.world_size > 1:     # other ranks' rows need the collective
        try:
            full(want)
        except ValueError as exc:
            refused = str(exc)
torch.save({"results": results, "full": rows, "refused": refused}, os.path.join(out, f"rank-{ctx.rank}.pt"))
shutdown_worker()
