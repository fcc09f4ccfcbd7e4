"""GraphStorm's compact value syntax: features, fanouts, weights, edge types."""

import pytest

from graphstorm_py.config import ANY_ETYPE, ANY_NTYPE, load_train_config_dict
from graphstorm_py.config import syntax
from graphstorm_py.errors import ConfigError


def _gnn(ml100k, **keys):
    ml100k["gsf"]["gnn"].update(keys)
    return load_train_config_dict(ml100k).gnn


def test_node_feat_name_per_type(ml100k):
    gnn = _gnn(ml100k, node_feat_name=["user:age,gender", "movie:title"])
    assert gnn.node_feat_name == {"user": ["age", "gender"], "movie": ["title"]}
    assert gnn.node_feats("user") == ["age", "gender"] and gnn.node_feats("tag") == []


@pytest.mark.parametrize("value", ["feat", ["feat"]])
def test_node_feat_name_for_every_type(ml100k, value):
    gnn = _gnn(ml100k, node_feat_name=value)
    assert gnn.node_feat_name == {ANY_NTYPE: ["feat"]}
    assert gnn.node_feats("movie") == ["feat"]


def test_node_feat_name_single_string_with_type(ml100k):
    assert _gnn(ml100k, node_feat_name="movie:title").node_feat_name == {"movie": ["title"]}


def test_node_feat_name_type_twice(ml100k):
    with pytest.raises(ConfigError, match="'node_feat_name'.*'movie' is given twice"):
        _gnn(ml100k, node_feat_name=["movie:a", "movie:b"])


def test_fanout_kept_as_text_and_parsed(ml100k):
    text = "user/rating/movie:10@movie/rating-rev/user:5,3"
    gnn = _gnn(ml100k, num_layers=2, fanout=text, eval_fanout="-1,20")
    assert gnn.fanout == text
    assert gnn.fanouts == [{("user", "rating", "movie"): 10, ("movie", "rating-rev", "user"): 5}, 3]
    assert gnn.eval_fanouts == [-1, 20]


@pytest.mark.parametrize("bad", ["10,x", "user:10", "10,-2"])
def test_bad_fanout(ml100k, bad):
    with pytest.raises(ConfigError, match="'fanout'"):
        _gnn(ml100k, num_layers=2, fanout=bad)


@pytest.mark.parametrize("value", ["1,2,3", [1, 2, 3], "1, 2, 3"])
def test_imbalance_class_weights(ml100k, value):
    nc = ml100k["gsf"]["node_classification"]
    nc.update(num_classes=3, imbalance_class_weights=value)
    assert load_train_config_dict(ml100k).task.imbalance_class_weights == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("value,match", [("1,0,3", "> 0"), ("1,a,3", "numbers"), ("1,2", "2 weights")])
def test_bad_imbalance_class_weights(ml100k, value, match):
    ml100k["gsf"]["node_classification"].update(num_classes=3, imbalance_class_weights=value)
    with pytest.raises(ConfigError, match=match):
        load_train_config_dict(ml100k)


def test_reverse_map_both_forms():
    graphstorm = syntax.parse_reverse_map(["user,rating,rating-rev,movie"])
    colon = syntax.parse_reverse_map(["user,rating,movie:movie,rating-rev,user"])
    assert graphstorm == colon == {("user", "rating", "movie"): ("movie", "rating-rev", "user")}
    assert syntax.dump_reverse_map(colon) == ["user,rating,rating-rev,movie"]
    with pytest.raises(ValueError, match="head,relation,reverse_relation,tail"):
        syntax.parse_reverse_map(["user,rating,movie"])


def test_etype_lists():
    assert syntax.parse_etypes("a,r,b") == [("a", "r", "b")]
    assert syntax.parse_etypes(["a,r,b", "b,s,c"]) == [("a", "r", "b"), ("b", "s", "c")]
    assert syntax.parse_etypes(["a", "r", "b"]) == [("a", "r", "b")]
    with pytest.raises(ValueError, match="src_type,relation,dst_type"):
        syntax.parse_etypes(["a,b"])


def test_per_etype_values():
    assert syntax.parse_etype_values(["w"]) == {ANY_ETYPE: "w"}
    parsed = syntax.parse_etype_values(["a,r,b:5", "b,s,c:7"], int)
    assert parsed == {("a", "r", "b"): 5, ("b", "s", "c"): 7}
    assert syntax.dump_etype_values(parsed) == ["a,r,b:5", "b,s,c:7"]
    assert syntax.lookup(parsed, ("a", "r", "b")) == 5 and syntax.lookup({ANY_ETYPE: 1}, ("x", "y", "z")) == 1
