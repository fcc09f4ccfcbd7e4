"""Distributed layer-wise full-graph inference: halo exchange against the old all-gather of each layer.

Prints one JSON line per figure (``{"figure", "value", "unit", "config"}``): for each mode,
``infer_time`` (the slowest rank's ``embedder.all()``), ``peak_rss_per_worker`` (each rank's
peak RSS, VmHWM, after inference) and ``rss_growth_per_worker`` (peak after inference minus
peak before it: what inference itself took), and the halo size per worker. ``--graph-dir``
keeps the graph between runs.

``halo``: :class:`~graphstorm_py.distributed.full_infer.DistFullGraphEmbedder` (each rank keeps
its own and its halo's rows). ``allgather``: the previous implementation, kept here as the
baseline: each rank computes its own rows of a layer and all-gathers the whole layer.

The graph is :func:`benchmarks.distributed.build`'s (``--nodes``, ``--edges``, ``--feat-dim``,
``--part random|metis``, ``--communities``); the model rgcn, 2 layers, hidden 128, random
weights (the time and memory do not depend on them). Workers run over the collective transport.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import torch

from graphstorm_py.memory import peak_rss_mb

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


class AllGatherEmbedder:
    """The replaced implementation: own rows of each layer, then an all-gather of the whole layer."""

    def __init__(self, model, graph, features, batch_size, ctx):
        self.model, self.graph, self.features, self.batch_size, self.ctx = model, graph, features, batch_size, ctx

    def _padded_csc(self):
        g, out = self.graph, {}
        for et, (ip, ind) in g.csc.items():
            n, lo = g.num_nodes[et[2]], g.node_base[et[2]]
            hi = lo + ip.numel() - 1
            out[et] = (torch.cat([torch.zeros(lo, dtype=torch.long), ip,
                                  torch.full((n - hi,), int(ip[-1]), dtype=torch.long)]), ind)
        return out

    def _all_gather(self, own, dim):
        import torch.distributed as dist
        ctx, out = self.ctx, {}
        for t in sorted(self.graph.num_nodes):
            rows = own.get(t, torch.zeros(0, dim))
            sizes = [ctx.pmap.node_range(r, t)[1] - ctx.pmap.node_range(r, t)[0] for r in range(ctx.world_size)]
            pad = torch.zeros(max(sizes), dim)
            pad[:rows.shape[0]] = rows
            bufs = [torch.empty_like(pad) for _ in sizes]
            dist.all_gather(bufs, pad, group=ctx.graph_group)
            out[t] = torch.cat([b[:s] for b, s in zip(bufs, sizes)])
        return out

    @torch.no_grad()
    def all(self):
        from graphstorm_py.nn.full_blocks import full_neighbor_block
        model, gnn, ctx, bs = self.model, self.model.gnn, self.ctx, self.batch_size
        own = {}
        for t in sorted(self.graph.num_nodes):
            lo, hi = ctx.pmap.node_range(ctx.rank, t)
            own[t] = torch.cat([model.input_encoder({t: ids}, {t: self.features.own_features(t, ids)})[t]
                                for ids in torch.arange(lo, hi).split(bs)])
        h = self._all_gather(own, gnn.hidden_size)
        csc = self._padded_csc()
        for layer in range(gnn.num_layers):
            own = {}
            for t in sorted(self.graph.num_nodes):
                lo, hi = ctx.pmap.node_range(ctx.rank, t)
                chunks = []
                for dst in torch.arange(lo, hi).split(bs):
                    block = full_neighbor_block(csc, {t: dst}, gnn.etypes)
                    h_src = {u: h[u][nodes] for u, nodes in block.src_nodes.items() if u in h}
                    chunks.append(gnn.layer_forward(layer, block, h_src)[t])
                own[t] = torch.cat(chunks)
            h = self._all_gather(own, gnn.hidden_size)
        return h


def worker(graph: str, mode: str, out: str) -> None:
    from distributed import CONF
    from graphstorm_py.config.loader import load_train_config_dict
    from graphstorm_py.distributed.assembly import assemble_distributed
    from graphstorm_py.distributed.rendezvous import init_worker, shutdown_worker
    from graphstorm_py.graph import GraphDataset

    ds = GraphDataset.open(graph)
    ctx = init_worker(ds.meta, graph, transport="collective", timeout_s=3600)
    torch.manual_seed(0)
    run = assemble_distributed(load_train_config_dict(CONF), ds, ctx)
    run.model.eval()
    bs = 4096
    emb = (run.full_graph_embedder(bs) if mode == "halo"
           else AllGatherEmbedder(run.model, run.graph, run.features, bs, ctx))
    before = peak_rss_mb()
    ctx.barrier("start")
    t = time.time()
    emb.all()
    took = time.time() - t
    ctx.barrier("end")
    halo = sum(int(x.numel()) for x in emb.halo.ids.values()) if mode == "halo" else None
    with open(os.path.join(out, f"rank-{ctx.rank}.json"), "w") as f:
        json.dump({"time_s": took, "peak_before_mb": before, "peak_after_mb": peak_rss_mb(), "halo_nodes": halo}, f)
    shutdown_worker()


def run_mode(graph: str, mode: str, workers: int, threads: int) -> list:
    out = tempfile.mkdtemp(prefix="gs-bench-infer-")
    rdzv = os.path.join(out, "rdzv")
    env = dict(os.environ, OMP_NUM_THREADS=str(max(1, threads // workers)), WORLD_SIZE=str(workers),
               GS_RDZV_FILE=rdzv)
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", graph, mode, out],
                              env=dict(env, RANK=str(r), LOCAL_RANK=str(r))) for r in range(workers)]
    codes = [p.wait(timeout=7200) for p in procs]
    if any(codes):
        raise SystemExit(f"{mode}: workers exited {codes}")
    return [json.load(open(os.path.join(out, f"rank-{r}.json"))) for r in range(workers)]


def main(argv=None) -> None:
    from distributed import _emit, build
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nodes", type=float, default=1e6)
    ap.add_argument("--edges", type=float, default=1e7)
    ap.add_argument("--feat-dim", type=int, default=128)
    ap.add_argument("--parts", type=int, default=4)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--part", choices=["random", "metis"], default="random")
    ap.add_argument("--communities", type=int, default=0)
    ap.add_argument("--modes", default="halo,allgather")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--graph-dir", help="keep the graph here (built when it has no metadata.json yet)")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        graph = a.graph_dir or os.path.join(tmp, "g")
        if not os.path.exists(os.path.join(graph, "metadata.json")):
            build(graph, int(a.nodes), int(a.edges), a.feat_dim, 0.0, a.parts, a.part, a.communities)
        for mode in a.modes.split(","):
            ranks = run_mode(graph, mode, a.workers, a.threads)
            conf = {"mode": mode, "nodes": int(a.nodes), "edges": int(a.edges), "partitions": a.parts,
                    "workers": a.workers, "part": a.part, "communities": a.communities, "hidden": 128}
            _emit("infer_time", round(max(r["time_s"] for r in ranks), 2), "s", conf)
            _emit("peak_rss_per_worker", [r["peak_after_mb"] for r in ranks], "MB", conf)
            _emit("rss_growth_per_worker", [round(r["peak_after_mb"] - r["peak_before_mb"], 1) for r in ranks],
                  "MB", conf)
            if ranks[0]["halo_nodes"] is not None:
                _emit("halo_nodes_per_worker", [r["halo_nodes"] for r in ranks], "", conf)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:5])
    else:
        sys.exit(main())
