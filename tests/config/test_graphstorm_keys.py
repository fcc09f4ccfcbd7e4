"""Every key GraphStorm accepts is accepted here (implemented, or logged as without effect / unused);
unknown keys stay errors with a hint (issue 13, groups 1 and 8)."""

import logging

import pytest

from graphstorm_py.config import load_train_config_dict
from graphstorm_py.config.compat_table import treatment
from graphstorm_py.config.graphstorm_keys import GRAPHSTORM_KEYS, NO_EFFECT, UNUSED
from graphstorm_py.config.homogeneous import resolve_targets
from graphstorm_py.errors import ConfigError

LOADER = "graphstorm_py.config.loader"


def _load(doc, overrides=(), caplog=None, **kw):
    with caplog.at_level(logging.INFO, logger=LOADER):
        return load_train_config_dict(doc, overrides, source="ml.yaml", **kw)


def test_every_graphstorm_key_is_handled():
    assert len(set(GRAPHSTORM_KEYS)) == len(GRAPHSTORM_KEYS)
    for key in GRAPHSTORM_KEYS:
        treatment(key)          # raises for a key nobody handles


@pytest.mark.parametrize("key", sorted(NO_EFFECT))
def test_runtime_keys_have_no_effect(ml100k, caplog, key):
    ml100k["gsf"]["basic"][key] = "x"
    cfg = _load(ml100k, caplog=caplog)
    assert cfg == load_train_config_dict({**ml100k, "gsf": {**ml100k["gsf"], "basic": {
        k: v for k, v in ml100k["gsf"]["basic"].items() if k != key}}})
    lines = [r.getMessage() for r in caplog.records if f"'{key}'" in r.getMessage()]
    assert len(lines) == 1 and f"'{key}' (section 'basic'): no effect here, because " in lines[0]


@pytest.mark.parametrize("key", sorted(UNUSED))
def test_unused_feature_keys(ml100k, caplog, key):
    ml100k["gsf"]["hyperparam"][key] = 1
    _load(ml100k, caplog=caplog)
    assert f"'{key}' (section 'hyperparam'): unused here, because" in caplog.text


def test_graphstorm_ml_nc_yaml_as_is(ml100k, caplog):
    """GraphStorm's training_scripts/gsgnn_np/ml_nc.yaml has lm_tune_lr and no_validation."""
    ml100k["gsf"]["hyperparam"].update(lm_tune_lr=0.0001, no_validation=False)
    cfg = _load(ml100k, caplog=caplog)
    assert cfg.hyperparam.lr == 0.001 and "'lm_tune_lr'" in caplog.text


def test_lp_keys_in_nc_config_and_command_line(ml100k, caplog):
    ml100k["gsf"]["rgcn"]["lp_decoder_type"] = "dot_product"
    _load(ml100k, ["--num-negative-edges", "4", "--use-graphbolt", "true"], caplog)
    assert "'lp_decoder_type' (section 'rgcn'): unused here, because it is a key of link_prediction" in caplog.text
    assert "'num_negative_edges' (command line --num-negative-edges): unused here" in caplog.text
    assert "'use_graphbolt' (command line --use-graphbolt): no effect here" in caplog.text


def test_udf_and_lm_model_blocks(ml100k, caplog):
    ml100k["udf"] = {"my_key": 3}
    _load(ml100k, caplog=caplog)
    assert "'udf' (top level): unused here" in caplog.text
    ml100k["lm_model"] = {"node_lm_models": [{"lm_type": "bert", "model_name": "bert-base-uncased",
                                             "node_types": ["movie"]}]}
    cfg = load_train_config_dict(ml100k)           # the LM+GNN block is implemented (issue 10)
    assert cfg.lm_model.node_lm_models[0].node_types == ["movie"]


@pytest.mark.parametrize("key,hint", [("lm_tune_rl", "lm_tune_lr"), ("num_sever", "num_servers"),
                                      ("decoder_nrom", "decoder_norm")])
def test_typos_of_accepted_keys_still_fail(ml100k, key, hint):
    ml100k["gsf"]["hyperparam"][key] = 1
    with pytest.raises(ConfigError, match=f"did you mean '{hint}'"):
        load_train_config_dict(ml100k)


def test_new_implemented_keys(ml100k):
    cfg = load_train_config_dict(ml100k, ["--decoder-norm", "batch", "--decoder-bias", "true", "--logging-level",
                                          "WARNING", "--task-tracker", "tensorboard_task_tracker:/tmp/tb",
                                          "--infer-all-target-nodes"])
    assert (cfg.gnn.decoder_norm, cfg.gnn.decoder_bias) == ("batch", True)
    assert cfg.basic.logging_level == "warning" and cfg.basic.tensorboard_dir == "/tmp/tb"
    assert cfg.output.infer_all_target_nodes is True
    assert load_train_config_dict(ml100k).basic.tensorboard_dir is None


@pytest.mark.parametrize("flags,match", [
    (["--decoder-norm", "group"], "decoder_norm"),
    (["--task-tracker", "sagemaker_task_tracker:/x"], "task_tracker"),
    (["--logging-level", "loud"], "logging_level"),
])
def test_bad_values(ml100k, flags, match):
    with pytest.raises(ConfigError, match=match):
        load_train_config_dict(ml100k, flags)


# ---- gs-infer: GraphStorm's inference YAMLs have no training keys (group 3) --------------------

def test_inference_yaml_without_training_keys(ml100k):
    for section, key in (("hyperparam", "lr"), ("hyperparam", "batch_size"), ("gnn", "fanout")):
        del ml100k["gsf"][section][key]
    with pytest.raises(ConfigError, match="'lr' is required"):
        load_train_config_dict(ml100k)
    cfg = load_train_config_dict(ml100k, inference=True)
    assert cfg.gnn.fanout == cfg.gnn.eval_fanout == "-1"
    ml100k["gsf"]["gnn"]["eval_fanout"] = "7"
    assert load_train_config_dict(ml100k, inference=True).gnn.fanout == "7"


# ---- homogeneous graphs: _N / _E defaults (group 8) ---------------------------------------------

def test_homogeneous_defaults(with_task):
    nc = load_train_config_dict(with_task("node_classification", {"label_field": "label", "num_classes": 3}))
    assert nc.task.target_ntype == "_N"
    ec = load_train_config_dict(with_task("edge_classification", {"label_field": "rate", "num_classes": 3}))
    assert ec.task.target_etype == [("_N", "_E", "_N")]
    # a graph with one node type and one (forward) edge type stands in for _N / _E
    assert resolve_targets(nc, ["paper"], [("paper", "cites", "paper")]).task.target_ntype == "paper"
    ec = load_train_config_dict(with_task("edge_classification", {
        "label_field": "rate", "num_classes": 3, "reverse_edge_types_map": ["p,cites,cites-rev,p"]}))
    assert resolve_targets(ec, ["p"], [("p", "cites", "p"), ("p", "cites-rev", "p")]).task.target_etype \
        == [("p", "cites", "p")]
    # the real _N graph, or a heterogeneous one, keeps the default (and fails later naming it)
    assert resolve_targets(nc, ["_N"], [("_N", "_E", "_N")]) is nc
    assert resolve_targets(nc, ["user", "movie"], []).task.target_ntype == "_N"
