"""A rank of the distributed-evaluation tests: the val/test metrics of each YAML's tasks with the
shared evaluation (:mod:`graphstorm_py.distributed.dist_eval`), mini-batch and full-graph, for
the same initial weights; rank 1 of 1 also evaluates with the one-process evaluation (full-graph).
Writes OUT/rank-R.json.

argv: GRAPH OUT TRANSPORT YAML...
"""

import json
import os
import sys

import torch

from graphstorm_py.config import load_train_config
from graphstorm_py.config.homogeneous import resolve_targets
from graphstorm_py.distributed.assembly import assemble_distributed
from graphstorm_py.distributed.dist_eval import evaluator_for
from graphstorm_py.distributed.rendezvous import init_worker, shutdown_worker
from graphstorm_py.graph import GraphDataset
from graphstorm_py.model import assemble

graph, out, transport, *yamls = sys.argv[1:]
ds = GraphDataset.open(graph)
ctx = init_worker(ds.meta, graph, transport=transport, timeout_s=120)
results = {}
with torch.no_grad():
    for y in yamls:
        cfg = resolve_targets(load_train_config(y, []), ds.ntypes, ds.etypes)
        torch.manual_seed(cfg.hyperparam.seed)
        run = assemble_distributed(cfg, ds, ctx)
        run.model.eval()
        bs = cfg.hyperparam.eval_batch_size
        res = results[os.path.basename(y)] = {}
        embedders = {"minibatch": run.minibatch_embedder(cfg.gnn.eval_fanout, cfg.hyperparam.seed + 1,
                                                         key="eval_fanout"),
                     "full": run.full_graph_embedder(bs)}
        for mode, emb in embedders.items():
            res[mode] = {t.name: {s: evaluator_for(t)(ctx, t, run.model.decoders[t.name], emb, s, bs)
                                  for s in ("val", "test")} for t in run.tasks}
        if ctx.world_size == 1:
            one = assemble(cfg, ds)
            one.model.load_state_dict(run.model.state_dict())
            one.model.eval()
            emb = one.full_graph_embedder(bs)
            res["one_process_full"] = {t.name: {s: t.evaluate(one.model.decoders[t.name], emb, s, bs)
                                                for s in ("val", "test")} for t in one.tasks}
with open(os.path.join(out, f"rank-{ctx.rank}.json"), "w") as f:
    json.dump(results, f)
shutdown_worker()
