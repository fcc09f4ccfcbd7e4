import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.errors import ConfigError, DataError
from graphstorm_py.gconstruct.transforms import build_transform


def make(**params):
    return build_transform({"feature_col": "x", "transform": {"name": "bucket_numerical", **params}}, "f")


def test_graphstorm_documented_example():
    t = make(range=[10, 30], bucket_cnt=2)
    assert not t.needs_fit
    out = t.apply({}, [pa.array([1, 11, 21, 31, 20, 30])])["x"]
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1, 0], [1, 0], [0, 1], [0, 1], [0, 1], [0, 1]])


def test_sliding_window_multi_hot():
    t = make(range=[10, 50], bucket_cnt=4, slide_window_size=10)  # buckets of width 10
    out = t.apply({}, [pa.array([18.0, 25.0, 49.0, 5.0, 12.0])])["x"]
    # 18 -> [13, 23] touches [10, 20) and [20, 30); 25 -> [20, 30] touches [20, 30) and [30, 40)
    np.testing.assert_array_equal(out, [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [1, 0, 0, 0]])


def test_vector_column_concatenates_per_dimension_and_out_dtype():
    t = build_transform({"feature_col": "x", "out_dtype": "int8",
                         "transform": {"name": "bucket_numerical", "range": [0, 2], "bucket_cnt": 2}}, "f")
    out = t.apply({}, [pa.array([[0.5, 1.5]], type=pa.list_(pa.float64(), 2))])["x"]
    assert out.dtype == np.int8
    np.testing.assert_array_equal(out, [[1, 0, 0, 1]])


def test_errors():
    with pytest.raises(ConfigError, match="range"):
        make(range=[1, 1], bucket_cnt=2)
    with pytest.raises(ConfigError, match="bucket_cnt"):
        make(range=[0, 1], bucket_cnt=0)
    with pytest.raises(DataError, match="column 'x'"):
        make(range=[0, 1], bucket_cnt=2).apply({}, [pa.array([float("nan")])])
