"""The lm_model block and the lm_* keys: parsed, validated, written back; lm / mlp encoders."""

import pytest
import yaml
from lm_helpers import lm_yaml

from graphstorm_py.config import load_train_config_dict
from graphstorm_py.config.train import TrainConfig
from graphstorm_py.errors import ConfigError


def load(text, *over):
    return load_train_config_dict(yaml.safe_load(text), list(over))


def test_lm_keys_parse_and_round_trip():
    cfg = load(lm_yaml("m", lm_train_nodes=16, lm={"freeze_lm_encoder_epochs": 1, "lm_tune_lr": 1e-5},
                       lm_entry={"gradient_checkpoint": True, "pooling": "mean"}))
    assert cfg.lm.lm_train_nodes == 16 and cfg.lm.freeze_lm_encoder_epochs == 1 and cfg.lm.lm_tune_lr == 1e-5
    entry = cfg.lm_model.node_lm_models[0]
    assert entry.gradient_checkpoint and entry.pooling == "mean" and cfg.lm_model.lm_of("paper") is entry
    again = TrainConfig.from_resolved(cfg.resolved_dict())
    assert again == cfg


def test_graphstorm_defaults():
    cfg = load(lm_yaml("m"))
    lm = cfg.lm
    assert (lm.lm_infer_batch_size, lm.freeze_lm_encoder_epochs, lm.lm_tune_lr) == (16, 0, None)
    doc = yaml.safe_load(lm_yaml("m"))
    del doc["gsf"]["lm"]
    assert load_train_config_dict(doc).lm.lm_train_nodes == 0          # GraphStorm: no co-training by default
    assert load_train_config_dict(doc).lm.lm_infer_batch_size == 32


def test_lm_keys_override_on_command_line():
    cfg = load(lm_yaml("m"), "--lm-train-nodes", "8", "--lm-tune-lr", "0.001")
    assert cfg.lm.lm_train_nodes == 8 and cfg.lm.lm_tune_lr == 0.001


def test_lm_model_name_flag_replaces_every_entry():
    doc = yaml.safe_load(lm_yaml("m"))
    doc["lm_model"]["node_lm_models"].append({"lm_type": "bert", "model_name": "other", "node_types": ["author"]})
    cfg = load_train_config_dict(doc, ["--lm-model-name", "exported/lm_stage"])
    assert [e.model_name for e in cfg.lm_model.node_lm_models] == ["exported/lm_stage"] * 2
    assert [e.node_types for e in cfg.lm_model.node_lm_models] == [["paper"], ["author"]]
    assert load_train_config_dict(doc).lm_model.node_lm_models[1].model_name == "other"     # no flag: as written
    again = TrainConfig.from_resolved(cfg.resolved_dict())
    assert again.lm_model == cfg.lm_model
    yaml_key = load(lm_yaml("m", lm={"lm_model_name": "from_yaml"}))
    assert yaml_key.lm_model.node_lm_models[0].model_name == "from_yaml"
    flag_wins = load(lm_yaml("m", lm={"lm_model_name": "from_yaml"}), "--lm-model-name", "flag")
    assert flag_wins.lm_model.node_lm_models[0].model_name == "flag"


def test_lm_model_name_flag_without_lm_model_block():
    doc = yaml.safe_load(lm_yaml("m"))
    del doc["lm_model"]
    with pytest.raises(ConfigError, match="--lm-model-name.*lm_model block"):
        load_train_config_dict(doc, ["--lm-model-name", "x"])
    with pytest.raises(ConfigError, match="lm_model_name"):
        load(lm_yaml("m", lm={"lm_model_name": ""}))


def test_glem_training_method():
    cfg = load(lm_yaml("m", lm={"training_method": {"name": "glem", "kwargs": {
        "em_order_gnn_first": True, "inference_using_gnn": False, "pl_weight": 0.3, "num_pretrain_epochs": 2}}}))
    kw = cfg.lm.training_method.glem
    assert kw.em_order_gnn_first and not kw.inference_using_gnn and kw.pl_weight == 0.3
    with pytest.raises(ConfigError, match="pl_wieght"):
        load(lm_yaml("m", lm={"training_method": {"name": "glem", "kwargs": {"pl_wieght": 1}}}))


@pytest.mark.parametrize("entry, words", [
    ({"model_nam": "x"}, ["model_nam"]),
    ({"pooling": "max"}, ["pooling"]),
])
def test_bad_lm_model_entries_name_the_key(entry, words):
    with pytest.raises(ConfigError) as err:
        load(lm_yaml("m", lm_entry=entry))
    for w in words:
        assert w in str(err.value)


def test_one_lm_per_node_type():
    doc = yaml.safe_load(lm_yaml("m"))
    doc["lm_model"]["node_lm_models"].append({"model_name": "m", "node_types": ["paper"]})
    with pytest.raises(ConfigError, match="node_lm_models\\[0\\] and node_lm_models\\[1\\]"):
        load_train_config_dict(doc)


def test_bad_lm_values():
    with pytest.raises(ConfigError, match="lm_train_nodes"):
        load(lm_yaml("m", lm_train_nodes=-2))
    with pytest.raises(ConfigError, match="lm_cache"):
        load(lm_yaml("m", lm={"lm_cache": "sometimes"}))


@pytest.mark.parametrize("encoder", ["lm", "mlp"])
def test_no_gnn_encoders_need_no_layers_or_fanout(encoder):
    cfg = load(lm_yaml("m", encoder=encoder))
    assert cfg.gnn.num_layers == 0 and cfg.gnn.fanout == ""


def test_gnn_encoders_still_need_fanout():
    doc = yaml.safe_load(lm_yaml("m"))
    del doc["gsf"]["gnn"]["fanout"]
    with pytest.raises(ConfigError, match="fanout"):
        load_train_config_dict(doc)


def test_citeseer_example_yamls_load():
    import glob
    import os

    from graphstorm_py.config import load_train_config

    root = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "citeseer")
    files = sorted(glob.glob(os.path.join(root, "*.yaml")))
    assert len(files) >= 6
    for f in files:
        cfg = load_train_config(f)
        assert cfg.lm_model is not None


@pytest.mark.parametrize("drop", ["model_name", "node_types"])
def test_a_missing_key_of_an_lm_entry_is_named(drop):
    doc = yaml.safe_load(lm_yaml("m"))
    del doc["lm_model"]["node_lm_models"][0][drop]
    with pytest.raises(ConfigError, match=rf"'node_lm_models\[0\]\.{drop}' is required in lm_model"):
        load_train_config_dict(doc)
