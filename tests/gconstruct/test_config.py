"""The gconstruct config validator names the JSON path of every problem."""

import json

import pytest

from graphstorm_py.errors import ConfigError
from graphstorm_py.gconstruct.config import load_construct_config
from construct_helpers import toy_config, write_config


def _load(tmp_path, conf):
    return load_construct_config(write_config(str(tmp_path), conf))


def test_valid_config(tmp_path):
    conf = _load(tmp_path, toy_config())
    assert conf.nodes[0].node_type == "user"
    assert conf.nodes[0].labels[0].masks == {"train": "train_mask", "val": "val_mask", "test": "test_mask"}
    assert conf.base_dir == str(tmp_path)


def test_yaml_config(tmp_path):
    import yaml

    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(toy_config()))
    assert load_construct_config(str(path)).edges[0].etype == ("user", "buys", "item")


def test_misspelled_key_names_path_and_suggests(tmp_path):
    conf = toy_config()
    conf["nodes"][0]["node_id_column"] = conf["nodes"][0].pop("node_id_col")
    with pytest.raises(ConfigError, match=r"nodes\[0\]\.node_id_column: unknown key.*did you mean 'node_id_col'"):
        _load(tmp_path, conf)


def test_wrong_type_and_missing_field(tmp_path):
    conf = toy_config()
    conf["nodes"][0]["labels"][0]["split_pct"] = "0.8"
    del conf["edges"][0]["relation"]
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, conf)
    assert "nodes[0].labels[0].split_pct" in str(err.value)
    assert "edges[0].relation: required key is missing" in str(err.value)


def test_bad_values(tmp_path):
    for path, value, match in [
        (("nodes", 0, "format", "name"), "xlsx", "format must be one of"),
        (("nodes", 0, "labels", 0, "task_type"), "ranking", "task_type"),
        (("edges", 0, "relation"), ["user", "item"], "relation must be"),
        (("version",), "v2", "unsupported version"),
    ]:
        conf = toy_config()
        node = conf
        for p in path[:-1]:
            node = node[p]
        node[path[-1]] = value
        with pytest.raises(ConfigError, match=match):
            _load(tmp_path, conf)


def test_label_col_required_for_classification(tmp_path):
    conf = toy_config()
    del conf["nodes"][0]["labels"][0]["label_col"]
    with pytest.raises(ConfigError, match="label_col is required"):
        _load(tmp_path, conf)


def test_unparsable_and_missing_file(tmp_path):
    (tmp_path / "bad.json").write_text("{nodes: ")
    with pytest.raises(ConfigError, match="cannot parse"):
        load_construct_config(str(tmp_path / "bad.json"))
    with pytest.raises(ConfigError, match="not found"):
        load_construct_config(str(tmp_path / "nope.json"))
