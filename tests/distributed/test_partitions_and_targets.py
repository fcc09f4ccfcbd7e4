"""Ownership from metadata ranges, the partition-count check, and the split of training targets."""

import pytest
import torch

from dist_helpers import make_graph
from graphstorm_py.distributed.partition_map import PartitionMap, check_partitions
from graphstorm_py.distributed.targets import quotas, round_robin, split_preferring_own
from graphstorm_py.errors import ConfigError
from graphstorm_py.graph import GraphDataset


def test_bad_partition_count_names_both_numbers():
    with pytest.raises(ConfigError, match=r"3 partition\(s\).*2 worker\(s\)"):
        check_partitions(3, 2)
    assert check_partitions(8, 4) == 2


def test_owner_matches_dataset_ownership(tmp_path):
    ds = GraphDataset.open(make_graph(str(tmp_path / "g"), num_parts=4))
    for world in (1, 2, 4):
        pm = PartitionMap(ds.meta, world)
        for nt in ds.ntypes:
            nids = torch.arange(ds.num_nodes(nt))
            want = torch.from_numpy(ds.node_owner(nt, nids.numpy())) // (4 // world)
            assert torch.equal(pm.node_owner(nt, nids), want)
        for et in ds.etypes:
            lo, hi = pm.edge_range(world - 1, et)
            assert hi == ds.num_edges(et) and pm.edge_owner(et, torch.tensor([lo])).item() == world - 1


def test_split_is_even_disjoint_and_prefers_own():
    targets = torch.arange(100)
    owner = (targets >= 80).long()                 # rank 0 owns 80, rank 1 owns 20
    a, b = split_preferring_own(targets, owner, 2)
    assert (a.numel(), b.numel()) == (50, 50)
    assert torch.equal(torch.sort(torch.cat([a, b])).values, targets)
    assert bool((owner[b][:20] == 1).all())        # all of rank 1's own targets stay with it
    assert bool((owner[a] == 0).all())
    assert quotas(7, 3) == [3, 2, 2]
    assert list(round_robin(range(7), 1, 3)) == [1, 4]
