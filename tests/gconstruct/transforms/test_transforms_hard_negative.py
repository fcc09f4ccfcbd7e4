import json

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.errors import ConfigError, DataError
from graphstorm_py.gconstruct.transforms import TransformContext, build_transform, fit_state

ETYPE = ("user", "clicks", "item")
NIDS = {"i0": 0, "i1": 1, "i2": 2}


def lookup(ntype, ids):
    assert ntype == "item"
    return np.array([NIDS.get(str(v), -1) for v in ids.to_pylist()], dtype=np.int64)


CTX = TransformContext(lookup=lookup)


def make(**params):
    conf = {"feature_col": "neg", "out_dtype": "float32",
            "transform": {"name": "edge_dst_hard_negative", **params}}
    return build_transform(conf, "edges[0].features[0]", etype=ETYPE)


def test_separator_strings_padded_with_minus_one():
    t = make(separator=";")
    col = pa.array(["i2;i0", None, "i1;", "i0;i1;i2"])
    state = json.loads(json.dumps(fit_state(t, [[col.slice(0, 2)], [col.slice(2)]])))
    assert state == {"max_negatives": 3}
    out = t.apply(state, [col], CTX)["neg"]
    assert out.dtype == np.int64  # out_dtype is ignored
    np.testing.assert_array_equal(out, [[2, 0, -1], [-1, -1, -1], [1, -1, -1], [0, 1, 2]])
    assert t.output_info(state) == {"neg": {"kind": "hard_negative", "node_type": "item"}}


def test_list_column_and_scalar_column():
    t = make()
    col = pa.array([["i1"], ["i0", "i2"]])
    np.testing.assert_array_equal(t.apply(fit_state(t, [[col]]), [col], CTX)["neg"], [[1, -1], [0, 2]])
    col = pa.array(["i2", "i1"])
    np.testing.assert_array_equal(t.apply(fit_state(t, [[col]]), [col], CTX)["neg"], [[2], [1]])


def test_unknown_id_is_named():
    t = make(separator=";")
    col = pa.array(["i0;nope"])
    with pytest.raises(DataError, match=r"'item'.*'nope'"):
        t.apply(fit_state(t, [[col]]), [col], CTX)


def test_destination_type_from_context():
    t = build_transform({"feature_col": "neg", "transform": {"name": "edge_dst_hard_negative"}}, "edges[0]")
    col = pa.array([["i1"]])
    ctx = TransformContext(lookup=lookup, dst_ntype="item")
    np.testing.assert_array_equal(t.apply(fit_state(t, [[col]]), [col], ctx)["neg"], [[1]])
    with pytest.raises(ValueError, match="destination node type"):
        t.apply(fit_state(t, [[col]]), [col], TransformContext(lookup=lookup))


def test_more_negatives_than_fitted_and_bad_separator_param():
    t = make(separator=";")
    with pytest.raises(DataError, match="more than the 1"):
        t.apply({"max_negatives": 1}, [pa.array(["i0;i1"])], CTX)
    with pytest.raises(ConfigError, match="separator"):
        make(separator="")
