import json

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.errors import DataError
from graphstorm_py.gconstruct.transforms import TransformContext, build_transform


def make(**conf):
    return build_transform({"feature_col": "x", **conf}, "f")


def test_scalar_int_column_becomes_float32_matrix():
    out = make().apply({}, [pa.array([1, 2, 3])])["x"]
    assert out.dtype == np.float32 and out.shape == (3, 1)
    np.testing.assert_array_equal(out[:, 0], [1, 2, 3])


@pytest.mark.parametrize("typ", [pa.list_(pa.float32()), pa.list_(pa.float32(), 3), pa.large_list(pa.float64())])
def test_vector_columns_become_matrix(typ):
    col = pa.array([[1, 2, 3], [4, 5, 6]], type=typ)
    np.testing.assert_array_equal(make().apply({}, [col])["x"], [[1, 2, 3], [4, 5, 6]])


def test_sliced_fixed_size_list():
    col = pa.array([[1, 2], [3, 4], [5, 6]], type=pa.list_(pa.int64(), 2)).slice(1)
    np.testing.assert_array_equal(make().apply({}, [col])["x"], [[3, 4], [5, 6]])


def test_several_columns_concatenate():
    t = build_transform({"feature_col": ["a", "b"], "feature_name": "ab"}, "f")
    out = t.apply({}, [pa.array([1.0, 2.0]), pa.array([[3, 4], [5, 6]])])["ab"]
    np.testing.assert_array_equal(out, [[1, 3, 4], [2, 5, 6]])


def test_separator_and_truncate_dim():
    t = make(transform={"name": "no-op", "separator": "|", "truncate_dim": 2})
    out = t.apply({}, [pa.array(["1|2|3", " 4| 5|6"])])["x"]
    np.testing.assert_array_equal(out, [[1, 2], [4, 5]])


def test_out_dtype():
    assert make(out_dtype="float16").apply({}, [pa.array([1.5])])["x"].dtype == np.float16
    assert make(out_dtype="int32").apply({}, [pa.array([1.0])])["x"].dtype == np.int32


def test_ragged_vectors_and_text_are_errors():
    with pytest.raises(DataError, match=r"column 'x'.*different lengths"):
        make().apply({}, [pa.array([[1, 2], [3]])])
    with pytest.raises(DataError, match=r"column 'x'.*not numbers"):
        make().apply({}, [pa.array(["a", "b"])])


def test_nan_inf_and_null_are_errors_unless_validation_is_off():
    for bad in ([1.0, float("nan")], [1.0, float("inf")], [1.0, None]):
        with pytest.raises(DataError, match=r"column 'x'.*row 1"):
            make().apply({}, [pa.array(bad)])
    out = make().apply({}, [pa.array([1.0, None])], TransformContext(validate=False))["x"]
    assert np.isnan(out[1, 0])


def test_state_round_trip():
    t = make()
    state = json.loads(json.dumps(t.init_state()))
    np.testing.assert_array_equal(t.apply(state, [pa.array([1, 2])])["x"], [[1], [2]])
