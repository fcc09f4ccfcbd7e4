"""Every mistake is a ConfigError that names the key (GraphStorm would ignore most of them)."""

import pytest

from graphstorm_py.config import load_train_config, load_train_config_dict
from graphstorm_py.errors import ConfigError


def _error(doc, overrides=()) -> str:
    with pytest.raises(ConfigError) as info:
        load_train_config_dict(doc, overrides, source="ml.yaml")
    return str(info.value)


def test_unknown_key_suggests(ml100k):
    ml100k["gsf"]["hyperparam"]["num_epoch"] = 2
    msg = _error(ml100k)
    assert "'num_epoch'" in msg and "section 'hyperparam'" in msg and "did you mean 'num_epochs'" in msg


def test_unknown_key_suggests_across_all_keys(ml100k):
    ml100k["gsf"]["gnn"]["target_ntyp"] = "movie"  # a task key, in a concern section
    assert "did you mean 'target_ntype'" in _error(ml100k)


def test_unsupported_graphstorm_key(ml100k):
    ml100k["gsf"]["hyperparam"]["use_pseudolabel"] = True
    msg = _error(ml100k)
    assert "'use_pseudolabel'" in msg and "not supported by graphstorm_py yet" in msg
    assert "did you mean" not in msg


def test_unsupported_top_level_and_task(ml100k):
    ml100k["lm_modle"] = {"node_lm_models": []}
    assert "unknown top-level key 'lm_modle'" in _error(ml100k)
    del ml100k["lm_modle"]
    ml100k["lm_model"] = {"node_lm_models": []}                 # supported, but must list an LM
    assert "lm_model" in _error(ml100k) and "node_lm_models" in _error(ml100k)
    del ml100k["lm_model"]
    ml100k["gsf"]["node_clasification"] = {"target_ntype": "movie"}
    assert "node_clasification" in _error(ml100k)


def test_duplicate_key_across_sections(ml100k):
    ml100k["gsf"]["rgcn"]["lr"] = 0.1
    msg = _error(ml100k)
    assert "'lr' is given twice" in msg and "'hyperparam'" in msg and "'rgcn'" in msg


def test_duplicate_key_in_one_yaml_mapping(tmp_path, ml100k_text):
    path = tmp_path / "dup.yaml"
    path.write_text(ml100k_text.replace("    num_epochs: 3\n", "    num_epochs: 3\n    num_epochs: 4\n"))
    with pytest.raises(ConfigError, match="'num_epochs' is given twice"):
        load_train_config(str(path))


@pytest.mark.parametrize("section,key,value,allowed", [
    ("basic", "backend", "mpi", "'gloo' or 'nccl'"),
    ("gnn", "model_encoder_type", "gcn", "'rgcn'"),
    ("node_classification", "class_loss_func", "hinge", "'focal'"),
    ("hyperparam", "early_stop_strategy", "never", "'consecutive_increase'"),
])
def test_bad_choice_names_key_and_allowed_values(ml100k, section, key, value, allowed):
    ml100k["gsf"][section][key] = value
    msg = _error(ml100k)
    assert f"'{key}'" in msg and allowed in msg and repr(value) in msg


def test_unsupported_encoder_value(ml100k):
    ml100k["gsf"]["gnn"]["model_encoder_type"] = "gcn"
    assert "'model_encoder_type'" in _error(ml100k) and "gatv2" in _error(ml100k)


@pytest.mark.parametrize("section,key,value", [
    ("gnn", "num_layers", "two"), ("hyperparam", "batch_size", [128]),
    ("basic", "verbose", "maybe"), ("gnn", "hidden_size", 0), ("hyperparam", "dropout", 1.0),
])
def test_wrong_type_or_range(ml100k, section, key, value):
    ml100k["gsf"][section][key] = value
    assert f"'{key}' (section '{section}')" in _error(ml100k)


def test_missing_required_keys(ml100k):
    del ml100k["gsf"]["node_classification"]["label_field"]
    del ml100k["gsf"]["hyperparam"]["lr"]
    msg = _error(ml100k)
    assert "'label_field' is required in node_classification" in msg
    assert "'lr' is required in hyperparam" in msg


def test_missing_task_section(ml100k):
    ml100k["gsf"]["node_clasification"] = ml100k["gsf"].pop("node_classification")
    msg = _error(ml100k)
    assert "no task section" in msg and "did you mean 'node_classification'" in msg


def test_two_task_sections(ml100k):
    ml100k["gsf"]["link_prediction"] = {"num_negative_edges": 4}
    msg = _error(ml100k)
    assert "node_classification and link_prediction" in msg and "multi_task_learning" in msg


def test_key_of_another_task_is_unused(ml100k, caplog):
    import logging

    ml100k["gsf"]["node_classification"]["num_negative_edges"] = 4   # GraphStorm ignores it
    with caplog.at_level(logging.INFO, logger="graphstorm_py.config.loader"):
        assert load_train_config_dict(ml100k).task.task_type == "node_classification"
    assert "'num_negative_edges' (section 'node_classification'): unused here, because it is a key of " \
           "link_prediction and this config trains node_classification" in caplog.text


@pytest.mark.parametrize("version", [2.0, "1.1", None])
def test_wrong_or_missing_version(ml100k, version):
    if version is None:
        del ml100k["version"]
    else:
        ml100k["version"] = version
    assert "'version" in _error(ml100k)


def test_fanout_layers_must_match_num_layers(ml100k):
    ml100k["gsf"]["gnn"]["fanout"] = "10,5"
    msg = _error(ml100k)
    assert "'fanout'" in msg and "'num_layers' is 1" in msg


def test_all_problems_reported_at_once(ml100k):
    ml100k["gsf"]["hyperparam"]["num_epoch"] = 2
    ml100k["gsf"]["basic"]["backend"] = "mpi"
    msg = _error(ml100k)
    assert "num_epoch" in msg and "backend" in msg


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_train_config(str(tmp_path / "nope.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("gsf: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_train_config(str(bad))
