"""CSCGraph from a written dataset, from edge lists, and its invariants."""

import numpy as np
import pyarrow as pa
import pytest
import torch

from graphstorm_py.graph import EdgeTypeData, GraphDataset, NodeTypeData, write_graph
from graphstorm_py.sampling import CSCGraph, NeighborSampler


def test_from_dataset_matches_edges(tmp_path):
    rng = np.random.default_rng(0)
    src, dst = rng.integers(0, 6, 25), rng.integers(0, 4, 25)
    write_graph(str(tmp_path), "g",
                {"a": NodeTypeData(pa.array(np.arange(6))), "b": NodeTypeData(pa.array(np.arange(4)))},
                {("a", "to", "b"): EdgeTypeData(src, dst)}, num_parts=2,
                node_parts={"a": np.array([0, 1] * 3), "b": np.array([1, 0, 1, 0])})
    ds = GraphDataset.open(str(tmp_path))
    graph = CSCGraph.from_dataset(ds)
    indptr, indices = graph.csc[("a", "to", "b")]
    assert indptr.dtype == indices.dtype == torch.long
    assert graph.num_nodes == {"a": 6, "b": 4} and graph.num_edges(("a", "to", "b")) == 25
    want_src, want_dst = ds.coo(("a", "to", "b"))
    got_dst = torch.repeat_interleave(torch.arange(4), graph.in_degrees(("a", "to", "b")))
    assert np.array_equal(indices.numpy(), want_src) and np.array_equal(got_dst.numpy(), want_dst)
    batch = NeighborSampler(graph, [-1], seed=0).sample({"b": torch.arange(4)})
    assert batch.blocks[0].eids[("a", "to", "b")].sort().values.tolist() == list(range(25))


def test_from_edges_sorts_by_dst_then_src():
    graph = CSCGraph.from_edges({("n", "e", "n"): (np.array([2, 0, 1, 0]), np.array([1, 1, 0, 1]))}, {"n": 3})
    indptr, indices = graph.csc[("n", "e", "n")]
    assert indptr.tolist() == [0, 1, 4, 4] and indices.tolist() == [1, 0, 0, 2]
    assert graph.etypes == [("n", "e", "n")] and graph.ntypes == ["n"]
    assert graph.to("cpu").device == torch.device("cpu")


def test_bad_shapes_are_rejected():
    with pytest.raises(ValueError, match="expected num_nodes"):
        CSCGraph.from_arrays({("n", "e", "n"): (np.array([0, 1]), np.array([0]))}, {"n": 3})
    with pytest.raises(ValueError, match="no node count"):
        CSCGraph.from_arrays({("n", "e", "m"): (np.array([0, 1]), np.array([0]))}, {"n": 1})
