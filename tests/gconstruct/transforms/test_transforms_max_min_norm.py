import json

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.errors import ConfigError, DataError
from graphstorm_py.gconstruct.transforms import build_transform, fit_state


def make(**params):
    return build_transform({"feature_col": "x", "transform": {"name": "max_min_norm", **params}}, "f")


def test_fit_and_apply_matches_hand_computation():
    t = make()
    state = fit_state(t, [[pa.array([0.0, 5.0, 10.0, 20.0])]])
    assert state == {"max": [20.0], "min": [0.0]}
    out = t.apply(state, [pa.array([0.0, 5.0, 10.0, 20.0])])["x"]
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[:, 0], [0, 0.25, 0.5, 1])


def test_bounds_clip_then_scale():
    t = make(max_bound=10, min_bound=2)
    state = fit_state(t, [[pa.array([0.0, 5.0, 10.0, 20.0])]])
    assert state == {"max": [10.0], "min": [2.0]}
    np.testing.assert_allclose(t.apply(state, [pa.array([0.0, 6.0, 20.0])])["x"][:, 0], [0, 0.5, 1])


def test_given_max_min_need_no_fit_and_vectors_are_per_dimension():
    t = make(max_val=[4, 10], min_val=0)
    assert not t.needs_fit
    state = fit_state(t, [])
    out = t.apply(state, [pa.array([[2, 5], [8, -1]], type=pa.list_(pa.float64(), 2))])["x"]
    np.testing.assert_allclose(out, [[0.5, 0.5], [1, 0]])


def test_batches_equal_whole_and_json_round_trip():
    data = np.random.default_rng(0).normal(size=(100, 3))
    col = pa.array(list(data), type=pa.list_(pa.float64(), 3))
    t = make()
    whole = fit_state(t, [[col]])
    parts = fit_state(t, [[col.slice(0, 30)], [col.slice(30, 50)], [col.slice(80)]])
    assert parts == whole
    again = json.loads(json.dumps(whole))
    np.testing.assert_array_equal(t.apply(again, [col])["x"], t.apply(whole, [col])["x"])


def test_fit_skips_nan_apply_rejects_it():
    t = make()
    state = fit_state(t, [[pa.array([1.0, float("nan"), 3.0])]])
    assert state == {"max": [3.0], "min": [1.0]}
    with pytest.raises(DataError, match="column 'x'"):
        t.apply(state, [pa.array([float("nan")])])


def test_constant_column_and_bad_params():
    with pytest.raises(DataError, match="max <= min"):
        fit_state(make(), [[pa.array([2.0, 2.0])]])
    with pytest.raises(ConfigError, match="max_val"):
        make(max_val=1, min_val=2)


def test_out_dtype_float16():
    t = build_transform({"feature_col": "x", "out_dtype": "float16", "transform": {"name": "max_min_norm"}}, "f")
    state = fit_state(t, [[pa.array([1, 3])]])
    assert t.apply(state, [pa.array([2])])["x"].dtype == np.float16
