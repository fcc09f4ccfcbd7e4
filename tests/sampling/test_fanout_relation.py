"""Fanout keyed by relation name only (GraphStorm's ``"rating:10@rating-rev:5"``)."""

import pytest

from graphstorm_py.config.loader import load_train_config_dict
from graphstorm_py.errors import ConfigError
from graphstorm_py.sampling import parse_fanout

UR = ("user", "rating", "movie")
RU = ("movie", "rating-rev", "user")
UF = ("user", "follows", "user")


def test_relation_names_resolve_to_edge_types():
    assert parse_fanout("rating:10@rating-rev:5,rating-rev:2@rating:0", [UR, RU]) == \
        [{UR: 10, RU: 5}, {UR: 0, RU: 2}]
    # names and canonical types mix within a layer
    assert parse_fanout("rating:3@movie/rating-rev/user:4", [UR, RU]) == [{UR: 3, RU: 4}]


@pytest.mark.parametrize("etypes,text,match", [
    ([UR, RU], "ratng:10@rating-rev:5", "did you mean 'rating'"),
    ([UR, RU], "rating:10", "missing movie/rating-rev/user"),
    ([UR, RU, ("user", "rating", "user")], "rating:1@rating-rev:1", "names several edge types"),
    ([UR, RU], "rating:1@rating:2@rating-rev:1", "given twice"),
])
def test_relation_name_errors(etypes, text, match):
    with pytest.raises(ConfigError, match=match):
        parse_fanout(text, etypes)


def test_config_accepts_relation_fanout():
    doc = {"version": 1.0, "gsf": {
        "gnn": {"model_encoder_type": "rgcn", "num_layers": 2, "hidden_size": 8,
                "fanout": "rating:10@rating-rev:5,rating:4@rating-rev:2", "eval_fanout": "rating:-1@rating-rev:-1,-1"},
        "hyperparam": {"lr": 0.01, "batch_size": 4},
        "node_classification": {"target_ntype": "movie", "label_field": "y", "num_classes": 2}}}
    cfg = load_train_config_dict(doc)
    assert parse_fanout(cfg.gnn.fanout, [UR, RU]) == [{UR: 10, RU: 5}, {UR: 4, RU: 2}]
    doc["gsf"]["gnn"]["fanout"] = "a/b:3,4"
    with pytest.raises(ConfigError, match="'relation:N'"):
        load_train_config_dict(doc)
