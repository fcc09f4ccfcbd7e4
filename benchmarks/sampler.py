"""Neighbour-sampler throughput on a seeded random graph.

    python benchmarks/sampler.py --nodes 1e6 --edges 1e7 [--power-law] [--compare-ref] [--device cuda] [--etypes 2]

Prints one JSON line: sampled edges per second (median over batches after warm-up).
The graph has uniformly random endpoints; with ``--etypes 2`` it is a bipartite
user<->item graph with an edge type each way (each holding ``--edges``).

``--power-law``: in-degrees follow a Zipf law, ``deg ~ rank^-0.8`` scaled to ``--edges``
(on 1e6 nodes / 1e7 edges the largest hub has ~134k in-edges), shuffled over the nodes with
the seed; sources stay uniform. The line then also holds ``degree_check``: the time of one
layer (fanout 10) for 1024 seeds that are the biggest hubs vs 1024 seeds whose degree is
just above the fanout, i.e. whether the cost per seed grows with its degree.

``--compare-invariant``: also runs ``NeighborSampler(invariant=True)`` (hashed per-edge keys, the
mode of distributed runs) on the same seeds, interleaved; ``invariant_vs_floyd`` is its speed
relative to the default.

``--compare-ref``: also runs the sampler as of commit 9b1d571 (``benchmarks/_sampler_v0.py``)
on the same seeds, interleaved batch by batch, so both medians come from the same
(noisy) conditions; ``ref`` and ``speedup_vs_ref`` are added to the line.

DGL 2.1's C++ CPU sampler on an idle machine of this class (2 cores): 13.7M edges/s on the
uniform graph, 10.5M on a power-law graph (max in-degree 134k); ``vs_dgl`` is our value
divided by the matching figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import torch

from graphstorm_py.sampling import CSCGraph, NeighborSampler
from graphstorm_py.sampling.uniform import sample_csc

DGL_EDGES_PER_S = {"uniform": 13.7e6, "power_law": 10.5e6}


def random_csc(num_src: int, num_dst: int, num_edges: int, gen: torch.Generator):
    """CSC with uniformly random endpoints, built without a sort (order within a row is random)."""
    dst = torch.randint(0, num_dst, (num_edges,), generator=gen)
    indptr = torch.zeros(num_dst + 1, dtype=torch.long)
    torch.cumsum(torch.bincount(dst, minlength=num_dst), 0, out=indptr[1:])
    return indptr, torch.randint(0, num_src, (num_edges,), generator=gen)


def power_law_csc(num_src: int, num_dst: int, num_edges: int, gen: torch.Generator, alpha: float = 0.8):
    """CSC whose in-degrees are ``~ rank^-alpha`` (scaled to ``num_edges``), shuffled over nodes."""
    w = torch.arange(1, num_dst + 1, dtype=torch.float64).pow(-alpha)
    deg = torch.floor(w / w.sum() * num_edges).long()
    deg[:num_edges - int(deg.sum())] += 1                     # hand out the rounding remainder
    deg = deg[torch.randperm(num_dst, generator=gen)]
    indptr = torch.zeros(num_dst + 1, dtype=torch.long)
    torch.cumsum(deg, 0, out=indptr[1:])
    return indptr, torch.randint(0, num_src, (int(indptr[-1]),), generator=gen)


def build_graph(nodes: int, edges: int, etypes: int, seed: int, power_law: bool = False) -> CSCGraph:
    gen = torch.Generator().manual_seed(seed)
    make = power_law_csc if power_law else random_csc
    if etypes == 1:
        return CSCGraph({("node", "to", "node"): make(nodes, nodes, edges, gen)}, {"node": nodes})
    half = nodes // 2
    return CSCGraph({("user", "rates", "item"): make(half, nodes - half, edges, gen),
                     ("item", "rated-by", "user"): make(nodes - half, half, edges, gen)},
                    {"user": half, "item": nodes - half})


def _timed(fn, sync):
    sync()
    t = time.perf_counter()
    out = fn()
    sync()
    return time.perf_counter() - t, out


def degree_check(graph: CSCGraph, batch_size: int, fanout: int, reps: int, sync, seed: int) -> dict:
    """One layer for the biggest hubs vs for seeds with degree just above the fanout."""
    etype = graph.etypes[0]
    indptr, indices = graph.csc[etype]
    deg = graph.in_degrees(etype)
    hubs = torch.argsort(deg, descending=True)[:batch_size]
    light = torch.nonzero((deg > fanout) & (deg <= 2 * fanout)).flatten()[:batch_size]
    gen = torch.Generator(device=graph.device).manual_seed(seed)
    out = {}
    for name, seeds in (("hubs", hubs), ("light", light)):
        ts = [_timed(lambda: sample_csc(indptr, indices, seeds, fanout, gen), sync)[0] for _ in range(reps)]
        out[name] = {"seeds": int(seeds.numel()), "min_deg": int(deg[seeds].min()), "max_deg": int(deg[seeds].max()),
                     "median_ms": round(statistics.median(ts) * 1e3, 3)}
    out["hubs_over_light"] = round(out["hubs"]["median_ms"] / out["light"]["median_ms"], 2)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--nodes", type=float, default=1e6)
    p.add_argument("--edges", type=float, default=1e7)
    p.add_argument("--etypes", type=int, choices=[1, 2], default=1)
    p.add_argument("--power-law", action="store_true", help="Zipf in-degrees with hubs (see the module doc)")
    p.add_argument("--compare-ref", action="store_true", help="also time the pre-optimisation sampler")
    p.add_argument("--compare-invariant", action="store_true",
                   help="also time the partition-invariant (hashed-key) mode that distributed runs use")
    p.add_argument("--fanout", default="15,10", help="input layer first")
    p.add_argument("--batch-size", type=int, default=1024)
    p.add_argument("--batches", type=int, default=50)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    nodes, edges = int(args.nodes), int(args.edges)
    fanouts = [int(f) for f in args.fanout.split(",")]

    t0 = time.perf_counter()
    graph = build_graph(nodes, edges, args.etypes, args.seed, args.power_law).to(args.device)
    build_s = time.perf_counter() - t0
    samplers = {"new": NeighborSampler(graph, fanouts, seed=args.seed)}
    if args.compare_ref:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from _sampler_v0 import NeighborSampler as RefSampler
        samplers["ref"] = RefSampler(graph, fanouts, seed=args.seed)
    if args.compare_invariant:
        samplers["invariant"] = NeighborSampler(graph, fanouts, seed=args.seed, invariant=True)
    seed_type = graph.etypes[0][2]
    n_seed_nodes = graph.num_nodes[seed_type]
    perm_gen = torch.Generator().manual_seed(args.seed + 1)
    sync = torch.cuda.synchronize if str(args.device).startswith("cuda") else (lambda: None)

    times = {k: [] for k in samplers}
    counts = {k: [] for k in samplers}
    for i in range(args.warmup + args.batches):
        seeds = torch.randperm(n_seed_nodes, generator=perm_gen)[:args.batch_size].to(args.device)
        order = list(samplers) if i % 2 == 0 else list(reversed(samplers))   # alternate who goes first
        for name in order:
            dt, batch = _timed(lambda: samplers[name].sample({seed_type: seeds}), sync)
            if i >= args.warmup:
                times[name].append(dt)
                counts[name].append(sum(int(ei.shape[1]) for b in batch.blocks for ei in b.edge_index.values()))

    def summary(name):
        med = statistics.median(times[name])
        epb = statistics.median(counts[name])
        return round(epb / med), round(1.0 / med, 2), epb

    value, bps, edges_per_batch = summary("new")
    kind = "power_law" if args.power_law else "uniform"
    line = {
        "figure": "sampled_edges_per_s",
        "value": value,
        "unit": "edges/s",
        "batches_per_s": bps,
        "vs_dgl": round(value / DGL_EDGES_PER_S[kind], 3) if args.etypes == 1 and fanouts == [15, 10] else None,
    }
    if args.compare_ref:
        rv, rb, _ = summary("ref")
        line["ref"] = {"value": rv, "batches_per_s": rb, "vs_dgl": round(rv / DGL_EDGES_PER_S[kind], 3)}
        line["speedup_vs_ref"] = round(value / rv, 3)
    if args.compare_invariant:
        iv, ib, _ = summary("invariant")
        line["invariant"] = {"value": iv, "batches_per_s": ib}
        line["invariant_vs_floyd"] = round(iv / value, 3)
    if args.power_law:
        line["degree_check"] = degree_check(graph, args.batch_size, fanouts[-1], 30, sync, args.seed)
    line["config"] = {"nodes": nodes, "edges": edges, "graph": kind, "etypes": args.etypes, "fanout": fanouts,
                      "batch_size": args.batch_size, "batches": args.batches, "threads": args.threads,
                      "device": str(args.device), "edges_per_batch": edges_per_batch,
                      "max_in_degree": max(int(graph.in_degrees(et).max()) for et in graph.etypes),
                      "graph_build_s": round(build_s, 2), "torch": torch.__version__}
    print(json.dumps(line))


if __name__ == "__main__":
    main()
