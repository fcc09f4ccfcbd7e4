"""Fixtures for the nn tests: a small random heterograph as in-edge CSC per edge type."""

from types import SimpleNamespace

import pytest
import torch


def random_csc(num_nodes, etypes, num_edges, seed=0):
    """``{etype: (indptr, indices)}`` with ``num_edges`` random edges per type (repeats allowed)."""
    g = torch.Generator().manual_seed(seed)
    csc = {}
    for et in etypes:
        s, _, d = et
        src = torch.randint(num_nodes[s], (num_edges,), generator=g)
        dst = torch.randint(num_nodes[d], (num_edges,), generator=g)
        order = torch.argsort(dst, stable=True)
        counts = torch.bincount(dst, minlength=num_nodes[d])
        indptr = torch.cat([torch.zeros(1, dtype=torch.long), torch.cumsum(counts, 0)])
        csc[et] = (indptr, src[order])
    return csc


@pytest.fixture
def hetero_graph():
    """user/item/tag graph; 'tag' is no relation's destination and has no features."""
    num_nodes = {"user": 30, "item": 25, "tag": 6}
    etypes = [("user", "buys", "item"), ("item", "bought-by", "user"), ("user", "follows", "user"),
              ("tag", "tags", "item")]
    return SimpleNamespace(num_nodes=num_nodes, ntypes=list(num_nodes), etypes=etypes,
                           csc=random_csc(num_nodes, etypes, 70), feat_dims={"user": 5, "item": 3})


@pytest.fixture
def homo_graph():
    num_nodes = {"_N": 40}
    etypes = [("_N", "_E", "_N")]
    return SimpleNamespace(num_nodes=num_nodes, ntypes=["_N"], etypes=etypes, csc=random_csc(num_nodes, etypes, 150))
