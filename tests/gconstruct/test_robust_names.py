"""Type, relation and feature names the training config syntax cannot address are rejected early.

Instances: ``,`` (edge-type separator), ``:`` (type:value), ``@`` and ``/`` (per-edge-type
fanout) in node types, in either end of a relation and in the relation itself; leading or
trailing spaces; control characters; ``*``; ``,`` and ``:`` in feature names (given or taken
from ``feature_col``); several problems in one message; rejected before any data is read,
from JSON and YAML configs. Names with ``-``, ``_``, ``.``, inner spaces or non-ASCII letters pass.
"""

import json

import pytest

from graphstorm_py.errors import ConfigError
from graphstorm_py.gconstruct.config import load_construct_config
from graphstorm_py.gconstruct.names import name_problem
from construct_robust_helpers import conf, construct, edge, node


def _conf(tmp_path, src="user", rel="buys", dst="item", feat=None, suffix=".json"):
    nodes = [node("user", "missing_users.parquet", features=[feat] if feat else []), node("item", "missing.parquet")]
    c = conf(nodes, [edge((src, rel, dst), "missing_edges.parquet")])
    if src != "user":
        c["nodes"][0]["node_type"] = src
    path = tmp_path / f"conf{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(c))
    else:
        import yaml

        path.write_text(yaml.safe_dump(c))
    return str(path)


@pytest.mark.parametrize("ch", [",", ":", "@", "/"])
@pytest.mark.parametrize("pos,path", [(0, "nodes[0].node_type"), (1, "edges[0].relation[1]"),
                                      (2, "edges[0].relation[2]")])
def test_separator_characters(tmp_path, ch, pos, path):
    names = ["user", "buys", "item"]
    names[pos] = f"a{ch}b"
    with pytest.raises(ConfigError) as exc:
        load_construct_config(_conf(tmp_path, *names))   # the data files do not exist: never read
    msg = str(exc.value)
    assert path in msg and repr(ch) in msg


@pytest.mark.parametrize("name,needle", [(" user", "whitespace"), ("user\t", "whitespace"),
                                         ("us\x01er", "control character"), ("*", "every type"),
                                         ("..", "output folder")])
def test_unaddressable_node_types(tmp_path, name, needle):
    with pytest.raises(ConfigError, match=needle):
        load_construct_config(_conf(tmp_path, src=name))


@pytest.mark.parametrize("feat,path", [
    ({"feature_col": "age", "feature_name": "age,years"}, "nodes[0].features[0].feature_name"),
    ({"feature_col": "price:usd"}, "nodes[0].features[0].feature_col"),
    ({"feature_col": ["a", "b"], "feature_name": "a:b"}, "nodes[0].features[0].feature_name"),
    ({"feature_col": "x", "feature_name": "x/y"}, "nodes[0].features[0].feature_name"),
])
def test_feature_names(tmp_path, feat, path):
    with pytest.raises(ConfigError) as exc:
        load_construct_config(_conf(tmp_path, feat=feat))
    assert path in str(exc.value)


@pytest.mark.parametrize("label,path", [
    ({"label_col": "a/b", "task_type": "regression"}, "nodes[0].labels[0].label_col"),
    ({"label_col": "y", "task_type": "regression", "mask_field_names": ["tr", "../va", "te"]},
     "nodes[0].labels[0].mask_field_names[1]"),
])
def test_label_and_mask_names_are_file_names(tmp_path, label, path):
    c = json.loads(open(_conf(tmp_path)).read())
    c["nodes"][0]["labels"] = [label]
    (tmp_path / "conf.json").write_text(json.dumps(c))
    with pytest.raises(ConfigError) as exc:
        load_construct_config(str(tmp_path / "conf.json"))
    assert path in str(exc.value) and "'/'" in str(exc.value)


def test_every_problem_is_listed_and_yaml_too(tmp_path):
    with pytest.raises(ConfigError) as exc:
        load_construct_config(_conf(tmp_path, "u:1", "bought,with", "it/em", suffix=".yaml"))
    msg = str(exc.value)
    assert all(p in msg for p in ("nodes[0].node_type", "edges[0].relation[0]", "edges[0].relation[1]",
                                  "edges[0].relation[2]"))


@pytest.mark.parametrize("name", ["bought-with", "bought_with", "v1.2", "bought with", "kauft_ä"])
def test_names_that_configs_can_address(name):
    assert name_problem(name) is None


def test_cli_exits_2_before_reading_data(tmp_path, capsys):
    c = conf([node("user", "nope.parquet"), node("item", "nope.parquet")],
             [edge(("user", "bought,with", "item"), "nope.parquet")])
    err = construct(tmp_path, c, "--add-reverse-edges", code=2, capsys=capsys)
    assert "edges[0].relation[1]" in err and "','" in err and "nope" not in err
