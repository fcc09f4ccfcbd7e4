"""ID maps: round trips for string and integer IDs, unknown IDs, duplicates."""

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.errors import DataError
from graphstorm_py.gconstruct.id_map import NodeIdMap, unique_in_order


def test_string_round_trip():
    ids = pa.array(["x", "y", "z"])
    m = NodeIdMap.from_column("t", ids, "here")
    np.testing.assert_array_equal(m.lookup(pa.array(["z", "x", "q"])), [2, 0, -1])
    assert m.ids.take(pa.array(m.lookup(ids))).to_pylist() == ["x", "y", "z"]


def test_int_ids_match_across_int_widths():
    m = NodeIdMap.from_column("t", pa.array([5, 7, 9], pa.int32()), "here")
    np.testing.assert_array_equal(m.lookup(pa.chunked_array([[9], [5, 6]], pa.int64())), [2, 0, -1])


def test_duplicates_are_named():
    with pytest.raises(DataError, match=r"duplicate node IDs.*\['b'\]"):
        NodeIdMap.from_column("t", pa.array(["a", "b", "b"]), "nodes[0]")


def test_extended_keeps_order_of_first_appearance():
    m = NodeIdMap("t", pa.array([], pa.int64())).extended([pa.array([3, 1, 3]), pa.array([2, 1])])
    assert m.ids.to_pylist() == [3, 1, 2]
    m2 = m.extended([pa.array([4, 3])])
    assert m2.ids.to_pylist() == [3, 1, 2, 4]
    assert unique_in_order([pa.array(["b", "a", "b"])]).to_pylist() == ["b", "a"]
