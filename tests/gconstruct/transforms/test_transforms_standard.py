import json

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.errors import DataError
from graphstorm_py.gconstruct.transforms import build_transform, fit_state


def make(**params):
    return build_transform({"feature_col": "x", "transform": {"name": "standard", **params}}, "f")


def test_divides_by_column_sum():
    t = make()
    state = fit_state(t, [[pa.array([1, 2])], [pa.array([5])]])
    assert state == {"sum": [8.0]}
    out = t.apply(state, [pa.array([1, 2, 5])])["x"]
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[:, 0], [0.125, 0.25, 0.625])


def test_vector_column_per_dimension_and_json():
    col = pa.array([[1, 10], [3, 30]], type=pa.list_(pa.int64(), 2))
    t = make()
    state = json.loads(json.dumps(fit_state(t, [[col.slice(0, 1)], [col.slice(1)]])))
    np.testing.assert_allclose(t.apply(state, [col])["x"], [[0.25, 0.25], [0.75, 0.75]])


def test_given_sum_and_zero_sum():
    t = make(sum=4)
    assert not t.needs_fit
    np.testing.assert_allclose(t.apply(fit_state(t, []), [pa.array([2.0])])["x"], [[0.5]])
    with pytest.raises(DataError, match="sum"):
        fit_state(make(), [[pa.array([1.0, -1.0])]])


def test_nan_is_an_error():
    t = make(sum=1)
    with pytest.raises(DataError, match="column 'x'"):
        t.apply(fit_state(t, []), [pa.array([float("inf")])])
