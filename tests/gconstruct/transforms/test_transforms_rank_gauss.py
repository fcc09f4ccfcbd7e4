import json

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.errors import ConfigError, DataError
from graphstorm_py.gconstruct.transforms import build_transform, fit_state
from graphstorm_py.gconstruct.transforms import rank_gauss as rg

ERFINV_HALF = 0.4769362762044699  # erfinv(0.5)


def make(**params):
    return build_transform({"feature_col": "x", "transform": {"name": "rank_gauss", **params}}, "f")


def test_distinct_values_match_graphstorm_rank():
    t = make(epsilon=1e-6)
    col = pa.array([3.0, 1.0, 2.0, 5.0, 4.0])  # ranks 2 0 1 4 3 -> u = 0 -1 -.5 1 .5
    out = t.apply(fit_state(t, [[col]]), [col])["x"][:, 0]
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[[0, 2, 4]], [0, -ERFINV_HALF, ERFINV_HALF], rtol=1e-6)
    assert out[1] < -3 and out[3] > 3 and np.isfinite(out).all()  # clipped by epsilon


def test_ties_get_average_rank_and_uniquify_ranks_distinct_values():
    col = pa.array([1, 1, 2, 3])
    plain = make()
    assert fit_state(plain, [[col]])["q"] == [[1 / 6, 2 / 3, 1.0]]
    uniq = make(uniquify=True)
    state = fit_state(uniq, [[col]])
    assert state["q"] == [[0.0, 0.5, 1.0]]
    out = uniq.apply(state, [col])["x"][:, 0]
    assert out[0] == out[1] and out[2] == 0


def test_batches_equal_whole_and_json_round_trip_on_new_data():
    data = np.random.default_rng(1).integers(0, 50, size=(200, 2)).astype(float)
    col = pa.array(list(data), type=pa.list_(pa.float64(), 2))
    t = make()
    whole = fit_state(t, [[col]])
    assert fit_state(t, [[col.slice(0, 77)], [col.slice(77, 100)], [col.slice(177)]]) == whole
    new = pa.array([[-5.0, 0.5], [10.5, 100.0]], type=pa.list_(pa.float64(), 2))
    again = json.loads(json.dumps(whole))
    np.testing.assert_array_equal(t.apply(again, [new])["x"], t.apply(whole, [new])["x"])


def test_new_values_interpolate_between_fitted_ones():
    t = make()
    state = fit_state(t, [[pa.array([0.0, 10.0, 20.0])]])  # q = 0, .5, 1
    out = t.apply(state, [pa.array([5.0, 15.0, 10.0])])["x"][:, 0]
    np.testing.assert_allclose(out, [-ERFINV_HALF, ERFINV_HALF, 0], rtol=1e-6)


def test_quantile_cap_and_fit_buffer(monkeypatch):
    monkeypatch.setattr(rg, "MAX_QUANTILES", 11)
    monkeypatch.setattr(rg, "FIT_BUFFER", 40)
    col = pa.array(np.arange(100, dtype=float))
    t = make()
    state = fit_state(t, [[col.slice(i, 10)] for i in range(0, 100, 10)])
    assert len(state["x"][0]) <= 11 and state["x"][0][0] == 0 and state["x"][0][-1] == 99
    out = t.apply(state, [col])["x"][:, 0]
    assert (np.diff(out) >= 0).all() and abs(out[50]) < 0.1 and out[0] < -1 < 1 < out[-1]


def test_errors():
    with pytest.raises(DataError, match="column 'x'"):
        t = make()
        t.apply(fit_state(t, [[pa.array([1.0, 2.0])]]), [pa.array([None], type=pa.float64())])
    with pytest.raises(DataError, match="no finite values"):
        fit_state(make(), [[pa.array([float("nan")])]])
    with pytest.raises(ConfigError, match="epsilon"):
        make(epsilon=2)
