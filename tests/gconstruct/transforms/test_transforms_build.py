import subprocess
import sys

import pyarrow as pa
import pytest

from graphstorm_py.errors import ConfigError
from graphstorm_py.gconstruct.transforms import TRANSFORMS, build_transform, fit_state
from graphstorm_py.gconstruct.transforms.noop import NoOp

WHERE = "nodes[0].features[0]"


def test_registry_has_every_graphstorm_name():
    assert set(TRANSFORMS.names()) == {
        "no-op", "max_min_norm", "standard", "rank_gauss", "to_categorical", "bucket_numerical",
        "tokenize_hf", "bert_hf", "edge_dst_hard_negative"}


@pytest.mark.parametrize("transform", [None, {}, {"name": ""}, {"name": "no-op"}])
def test_missing_transform_is_noop(transform):
    conf = {"feature_col": "x"} if transform is None else {"feature_col": "x", "transform": transform}
    t = build_transform(conf, WHERE)
    assert isinstance(t, NoOp) and t.feature_name == "x" and t.columns == ["x"]


def test_unknown_param_names_where_and_suggests():
    conf = {"feature_col": "x", "transform": {"name": "max_min_norm", "mx_bound": 3}}
    with pytest.raises(ConfigError, match=r"(?s)nodes\[0\]\.features\[0\]\.transform.*mx_bound.*did you mean 'max_bound'"):
        build_transform(conf, WHERE)


def test_unknown_transform_name_lists_choices():
    with pytest.raises(ConfigError, match=r"rank_gaus.*valid choices.*; did you mean 'rank_gauss'\?$"):
        build_transform({"feature_col": "x", "transform": {"name": "rank_gaus"}}, WHERE)


def test_unknown_entry_key_and_bad_values():
    with pytest.raises(ConfigError, match=r"unknown key 'feature_nam'; valid keys: .*; did you mean 'feature_name'\?$"):
        build_transform({"feature_col": "x", "feature_nam": "y"}, WHERE)
    with pytest.raises(ConfigError, match=r"feature_name: required"):
        build_transform({"feature_col": ["a", "b"]}, WHERE)
    with pytest.raises(ConfigError, match=r"feature_col: required"):
        build_transform({"feature_name": "a"}, WHERE)
    with pytest.raises(ConfigError, match=r"out_dtype: 'float23'.*did you mean 'float32'"):
        build_transform({"feature_col": "x", "out_dtype": "float23"}, WHERE)
    with pytest.raises(ConfigError, match=r"bucket_cnt"):
        build_transform({"feature_col": "x", "transform": {"name": "bucket_numerical", "range": [0, 1]}}, WHERE)


def test_single_column_transform_rejects_several_columns():
    conf = {"feature_col": ["a", "b"], "feature_name": "ab", "transform": {"name": "to_categorical"}}
    with pytest.raises(ConfigError, match=r"nodes\[0\]\.features\[0\].*exactly one feature_col"):
        build_transform(conf, WHERE)


def test_fit_state_skips_data_when_nothing_to_fit():
    t = build_transform({"feature_col": "x"}, WHERE)
    assert fit_state(t, iter(())) == {}
    assert not t.needs_fit


def test_importing_transforms_does_not_import_torch():
    code = ("import sys, graphstorm_py.gconstruct.transforms; "
            "sys.exit(int('torch' in sys.modules or 'transformers' in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_chunked_array_input():
    t = build_transform({"feature_col": "x"}, WHERE)
    col = pa.chunked_array([[1, 2], [3]])
    assert t.apply({}, [col])["x"].ravel().tolist() == [1, 2, 3]
