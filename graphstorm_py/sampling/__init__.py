"""Neighbour sampling over the CSC of graph format v1.

- :class:`CSCGraph`: the graph structure as tensors (whole-graph CSC per edge type).
- :class:`NeighborSampler`: seeds -> :class:`MiniBatch` of :class:`Block` s, input layer first.
- :func:`parse_fanout`: GraphStorm's ``fanout`` text -> per-layer ``{etype: int}``.
"""

from graphstorm_py.sampling.block import Block, MiniBatch
from graphstorm_py.sampling.csc_graph import CSCGraph
from graphstorm_py.sampling.fanout import Fanout, normalize_fanouts, parse_fanout
from graphstorm_py.sampling.neighbor_sampler import ExcludeEids, NeighborSampler, dedupe_seeds
from graphstorm_py.sampling.relabel import relabel
from graphstorm_py.sampling.uniform import sample_csc

__all__ = ["Block", "MiniBatch", "CSCGraph", "Fanout", "normalize_fanouts", "parse_fanout",
           "NeighborSampler", "ExcludeEids", "dedupe_seeds", "relabel", "sample_csc"]
