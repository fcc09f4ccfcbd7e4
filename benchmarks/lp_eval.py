"""Full-ranking link-prediction evaluation speed, in test edges per second, on a synthetic graph.

Random embeddings (the benchmark measures ranking, not a model): ``--num-nodes`` destination
candidates (default 1M) of width ``--dim``, ``--num-edges`` test edges whose sources each have
``--known-per-src`` known destinations (the filter), DistMult-style scoring
(``(src * r) @ cand.T``) through :func:`graphstorm_py.eval.full_ranking.full_ranking_ranks`.
Prints one JSON line: edges/s for filtered and raw ranking.

    python benchmarks/lp_eval.py [--num-nodes 1000000] [--num-edges 2000] [--dim 128] [--device cuda] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from graphstorm_py.eval.full_ranking import KnownEdges, full_ranking_ranks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--num-nodes", type=int, default=1_000_000)
    ap.add_argument("--num-src", type=int, default=100_000)
    ap.add_argument("--num-edges", type=int, default=2000)
    ap.add_argument("--known-per-src", type=int, default=10)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--row-chunk", type=int, default=1024)
    ap.add_argument("--max-elems", type=int, default=1 << 24)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--device", default="cpu", help="where the embeddings live (cpu, cuda)")
    ap.add_argument("--repeats", type=int, default=1, help="timed runs per mode; the median is reported")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    g = torch.Generator().manual_seed(0)
    cand = torch.randn(args.num_nodes, args.dim, generator=g)
    src_all = torch.randn(args.num_src, args.dim, generator=g)
    rel = torch.randn(args.dim, generator=g)
    ksrc = torch.arange(args.num_src).repeat_interleave(args.known_per_src)
    kdst = torch.randint(0, args.num_nodes, (ksrc.numel(),), generator=g)
    known = KnownEdges(ksrc, kdst, args.num_src)
    pick = torch.randint(0, ksrc.numel(), (args.num_edges,), generator=g)
    src, dst = ksrc[pick], kdst[pick]
    cand, src_all, rel = cand.to(args.device), src_all.to(args.device), rel.to(args.device)
    fn = lambda s, c: (s * rel) @ c.T  # noqa: E731
    out = {"num_nodes": args.num_nodes, "num_edges": args.num_edges, "dim": args.dim,
           "threads": torch.get_num_threads(), "device": args.device}
    sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)
    for mode, kn in (("filtered", known), ("raw", None)):
        times = []
        for _ in range(max(1, args.repeats)):
            sync()
            t0 = time.perf_counter()
            ranks = full_ranking_ranks(fn, src_all[src], dst, cand, kn, src, row_chunk=args.row_chunk,
                                       max_elems=args.max_elems)
            sync()
            times.append(time.perf_counter() - t0)
        dt = sorted(times)[len(times) // 2]
        out[f"{mode}_s"] = round(dt, 3)
        out[f"{mode}_edges_per_s"] = round(args.num_edges / dt, 1)
        out[f"{mode}_mrr_random"] = round(float((1 / ranks).mean()), 6)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
