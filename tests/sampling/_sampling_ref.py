"""Helpers for the sampler tests: a small random heterograph and slow, obviously-right checks."""

import numpy as np
import torch

from graphstorm_py.sampling import CSCGraph

NUM_NODES = {"user": 30, "item": 20, "tag": 5}
ETYPES = [("user", "rates", "item"), ("item", "rated-by", "user"),
          ("user", "follows", "user"), ("tag", "labels", "item")]


def random_heterograph(seed: int = 0, edges_per_type: int = 200) -> CSCGraph:
    rng = np.random.default_rng(seed)
    edges = {}
    for src, rel, dst in ETYPES:
        n = edges_per_type if src != "tag" else 40
        edges[(src, rel, dst)] = (rng.integers(0, NUM_NODES[src], n), rng.integers(0, NUM_NODES[dst], n))
    return CSCGraph.from_edges(edges, NUM_NODES)


def in_edges(graph: CSCGraph, etype, v: int, exclude=()) -> set:
    """Eids of the in-edges of ``v``, the slow way."""
    indptr = graph.csc[etype][0].cpu()
    return set(range(int(indptr[v]), int(indptr[v + 1]))) - {int(e) for e in exclude}


def check_block_edges(graph: CSCGraph, block) -> None:
    """Every edge exists with the right eid and endpoints; no edge twice; dst is a src prefix."""
    for nt, dst in block.dst_nodes.items():
        assert torch.equal(block.src_nodes[nt][:dst.numel()], dst)
    for nt, src in block.src_nodes.items():
        assert torch.unique(src).numel() == src.numel(), f"src_nodes[{nt}] repeats"
    for etype, ei in block.edge_index.items():
        indptr, indices = (t.cpu() for t in graph.csc[etype])
        eid = block.eids[etype].cpu()
        assert ei.shape == (2, eid.numel()) and ei.dtype == torch.long
        assert torch.unique(eid).numel() == eid.numel(), f"{etype}: an edge was sampled twice"
        src = block.src_nodes[etype[0]].cpu()[ei[0].cpu()]
        dst = block.dst_nodes[etype[2]].cpu()[ei[1].cpu()]
        assert torch.equal(indices[eid], src)
        dst_of_eid = torch.searchsorted(indptr, eid, right=True) - 1
        assert torch.equal(dst_of_eid, dst)


def per_dst_counts(block, etype) -> torch.Tensor:
    n = block.dst_nodes[etype[2]].numel()
    return torch.bincount(block.edge_index[etype][1].cpu(), minlength=n)
