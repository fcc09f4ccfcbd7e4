import json

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.errors import ConfigError
from graphstorm_py.gconstruct.transforms import build_transform, fit_state


def make(out_dtype=None, **params):
    conf = {"feature_col": "c", "transform": {"name": "to_categorical", **params}}
    if out_dtype:
        conf["out_dtype"] = out_dtype
    return build_transform(conf, "f")


def test_one_hot_with_fitted_sorted_mapping():
    t = make()
    col = pa.array(["b", "a", None, "c"])
    state = fit_state(t, [[col.slice(0, 2)], [col.slice(2)]])
    assert state == {"mapping": {"a": 0, "b": 1, "c": 2}}
    out = t.apply(state, [col])["c"]
    assert out.dtype == np.int8
    np.testing.assert_array_equal(out, [[0, 1, 0], [1, 0, 0], [0, 0, 0], [0, 0, 1]])


def test_separator_multi_hot_and_list_column():
    t = make(separator="|")
    col = pa.array(["a|c", "b", "c|a|a"])
    state = fit_state(t, [[col]])
    np.testing.assert_array_equal(t.apply(state, [col])["c"], [[1, 0, 1], [0, 1, 0], [1, 0, 1]])
    lst = pa.array([["x"], ["y", "x"], None])
    t2 = make()
    np.testing.assert_array_equal(t2.apply(fit_state(t2, [[lst]]), [lst])["c"], [[1, 0], [1, 1], [0, 0]])


def test_given_mapping_unseen_is_zero_row_and_numbers_are_strings():
    t = make(mapping={1: 1, 2: 0})
    assert not t.needs_fit
    state = json.loads(json.dumps(fit_state(t, [])))
    out = t.apply(state, [pa.array([1, 2, 3])])["c"]
    np.testing.assert_array_equal(out, [[0, 1], [1, 0], [0, 0]])


def test_out_dtype_and_single_column():
    t = make(out_dtype="float32")
    col = pa.array(["a", "b"])
    assert t.apply(fit_state(t, [[col]]), [col])["c"].dtype == np.float32
    with pytest.raises(ConfigError, match="mapping"):
        make(mapping={"a": -1})
