"""Neighbour-sampler throughput on a seeded random graph.

    python benchmarks/sampler.py --nodes 1e6 --edges 1e7 [--device cuda] [--etypes 2]

Prints one JSON line: sampled edges per second (median over batches after warm-up).
The graph has uniformly random endpoints; with ``--etypes 2`` it is a bipartite
user<->item graph with an edge type each way (each holding ``--edges``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

from graphstorm_py.sampling import CSCGraph, NeighborSampler


def random_csc(num_src: int, num_dst: int, num_edges: int, gen: torch.Generator):
    """CSC with uniformly random endpoints, built without a sort (order within a row is random)."""
    dst = torch.randint(0, num_dst, (num_edges,), generator=gen)
    indptr = torch.zeros(num_dst + 1, dtype=torch.long)
    torch.cumsum(torch.bincount(dst, minlength=num_dst), 0, out=indptr[1:])
    return indptr, torch.randint(0, num_src, (num_edges,), generator=gen)


def build_graph(nodes: int, edges: int, etypes: int, seed: int) -> CSCGraph:
    gen = torch.Generator().manual_seed(seed)
    if etypes == 1:
        return CSCGraph({("node", "to", "node"): random_csc(nodes, nodes, edges, gen)}, {"node": nodes})
    half = nodes // 2
    return CSCGraph({("user", "rates", "item"): random_csc(half, nodes - half, edges, gen),
                     ("item", "rated-by", "user"): random_csc(nodes - half, half, edges, gen)},
                    {"user": half, "item": nodes - half})


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--nodes", type=float, default=1e6)
    p.add_argument("--edges", type=float, default=1e7)
    p.add_argument("--etypes", type=int, choices=[1, 2], default=1)
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
    graph = build_graph(nodes, edges, args.etypes, args.seed).to(args.device)
    build_s = time.perf_counter() - t0
    sampler = NeighborSampler(graph, fanouts, seed=args.seed)
    seed_type = graph.etypes[0][2]
    n_seed_nodes = graph.num_nodes[seed_type]
    perm_gen = torch.Generator().manual_seed(args.seed + 1)
    sync = torch.cuda.synchronize if str(args.device).startswith("cuda") else (lambda: None)

    times, counts = [], []
    for i in range(args.warmup + args.batches):
        seeds = torch.randperm(n_seed_nodes, generator=perm_gen)[:args.batch_size].to(args.device)
        sync()
        t = time.perf_counter()
        batch = sampler.sample({seed_type: seeds})
        sync()
        dt = time.perf_counter() - t
        if i >= args.warmup:
            times.append(dt)
            counts.append(sum(int(ei.shape[1]) for b in batch.blocks for ei in b.edge_index.values()))
    med = statistics.median(times)
    edges_per_batch = statistics.median(counts)
    print(json.dumps({
        "figure": "sampled_edges_per_s",
        "value": round(edges_per_batch / med),
        "unit": "edges/s",
        "batches_per_s": round(1.0 / med, 2),
        "config": {"nodes": nodes, "edges": edges, "etypes": args.etypes, "fanout": fanouts,
                   "batch_size": args.batch_size, "batches": args.batches, "threads": args.threads,
                   "device": str(args.device), "edges_per_batch": edges_per_batch,
                   "graph_build_s": round(build_s, 2), "torch": torch.__version__},
    }))


if __name__ == "__main__":
    main()
