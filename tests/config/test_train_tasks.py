"""Task sections: link prediction, edge tasks, regression, multi-task learning."""

import pytest

from graphstorm_py.config import (EdgeClassificationConfig, LinkPredictionConfig,
                                  NodeRegressionConfig, load_train_config_dict)
from graphstorm_py.config.syntax import ANY_ETYPE
from graphstorm_py.config.task_lp import LP_NEG_SAMPLERS_NOT_IMPLEMENTED
from graphstorm_py.errors import ConfigError

UR = ("user", "rating", "movie")
REV = ("movie", "rating-rev", "user")


def test_link_prediction_section(with_task):
    cfg = load_train_config_dict(with_task("link_prediction", {
        "train_etype": ["user,rating,movie"],
        "reverse_edge_types_map": ["user,rating,movie:movie,rating-rev,user"],
        "num_negative_edges": 4, "lp_decoder_type": "RotatE".replace("E", "e").lower(),
        "train_negative_sampler": "inbatch_joint", "eval_metric": ["mrr", "hit_at_10"],
        "lp_loss_func": "contrastive", "lp_edge_weight_for_loss": ["user,rating,movie:w"],
        "train_etypes_negative_dstnode": ["user,rating,movie:hard"],
        "eval_etypes_negative_dstnode": ["fixed"],
    }))
    lp = cfg.task
    assert isinstance(lp, LinkPredictionConfig) and lp.task_type == "link_prediction"
    assert lp.train_etype == [UR] and lp.eval_etype is None
    assert lp.reverse_edge_types_map == {UR: REV}
    assert lp.num_negative_edges == 4 and lp.num_negative_edges_eval == 1000
    assert lp.lp_decoder_type == "rotate" and lp.gamma == 12.0
    assert (lp.train_negative_sampler, lp.eval_negative_sampler) == ("inbatch_joint", "joint")
    assert lp.eval_metric == ["mrr", "hit_at_10"] and lp.exclude_training_targets is True
    assert lp.lp_embed_normalizer == "l2_norm" and lp.contrastive_loss_temperature == 1.0
    assert lp.train_etypes_negative_dstnode == {UR: "hard"}
    assert lp.eval_etypes_negative_dstnode == {("*", "*", "*"): "fixed"}


def test_link_prediction_defaults(with_task):
    lp = load_train_config_dict(with_task("link_prediction", None)).task
    assert lp.lp_decoder_type == "distmult" and lp.lp_loss_func == "cross_entropy"
    assert lp.train_negative_sampler == "uniform" and lp.num_negative_edges == 16
    assert lp.eval_metric == ["mrr"] and lp.lp_embed_normalizer is None
    assert lp.sampler_implemented


@pytest.mark.parametrize("keys,match", [
    ({"train_negative_sampler": "random"}, "'train_negative_sampler'"),
    ({"eval_metric": "accuracy"}, "unknown metric 'accuracy'"),
    ({"eval_metric": "precision_at_recall_0.5"}, "unknown metric"),
    ({"contrastive_loss_temperature": 0.1}, "needs 'lp_loss_func: contrastive'"),
    ({"train_etype": ["a,r,b"], "lp_edge_weight_for_loss": ["x,y,z:w"]}, "not in 'train_etype'"),
])
def test_link_prediction_errors(with_task, keys, match):
    with pytest.raises(ConfigError, match=match):
        load_train_config_dict(with_task("link_prediction", keys))


@pytest.mark.parametrize("name", ["fast_uniform", "fast_joint", "fast_localuniform", "fast_localjoint",
                                  "all_etype_uniform", "all_etype_joint"])
def test_graphstorm_samplers_are_implemented(with_task, name):
    assert not LP_NEG_SAMPLERS_NOT_IMPLEMENTED
    lp = load_train_config_dict(with_task("link_prediction", {"train_negative_sampler": name})).task
    assert lp.sampler_implemented and lp.base_sampler(name) in ("uniform", "joint", "localuniform", "localjoint")


@pytest.mark.parametrize("value,expected", [(5, {ANY_ETYPE: 5}), ("5", {ANY_ETYPE: 5}), (["7"], {ANY_ETYPE: 7}),
                                            (["user,rating,movie:3"], {UR: 3})])
def test_num_train_hard_negatives_int_or_per_etype(with_task, value, expected):
    lp = load_train_config_dict(with_task("link_prediction", {"num_train_hard_negatives": value})).task
    assert lp.num_train_hard_negatives == expected


def test_edge_classification_section(with_task):
    ec = load_train_config_dict(with_task("edge_classification", {
        "target_etype": ["user,rating,movie"], "label_field": "rate", "num_classes": 5,
        "decoder_type": "MLPDecoder", "decoder_edge_feat": ["user,rating,movie:f0,f1"],
        "reverse_edge_types_map": ["user,rating,rating-rev,movie"], "eval_metric": "f1_score",
    })).task
    assert isinstance(ec, EdgeClassificationConfig)
    assert ec.etype == UR and ec.decoder_edge_feat == ["f0", "f1"]
    assert ec.remove_target_edge_type is True and ec.num_decoder_basis == 2
    assert ec.reverse_edge_types_map == {UR: REV} and ec.eval_metric == ["f1_score"]


@pytest.mark.parametrize("keys,match", [
    ({"target_etype": ["a,r,b", "b,s,c"]}, "exactly one"),
    ({"decoder_edge_feat": ["x,y,z:f"]}, "not the target_etype"),
    ({"decoder_type": "Bilinear"}, "'DenseBiDecoder' or 'MLPDecoder'"),
])
def test_edge_errors(with_task, keys, match):
    base = {"target_etype": ["user,rating,movie"], "label_field": "rate", "num_classes": 5}
    with pytest.raises(ConfigError, match=match):
        load_train_config_dict(with_task("edge_classification", {**base, **keys}))


def test_regression_losses_and_metrics(with_task):
    nr = load_train_config_dict(with_task("node_regression", {
        "target_ntype": "movie", "label_field": "y", "regression_loss_func": "shrinkage",
        "eval_metric": ["mae", "rmse"]})).task
    assert isinstance(nr, NodeRegressionConfig)
    assert (nr.alpha, nr.gamma) == (10.0, 0.2) and nr.eval_metric == ["mae", "rmse"]
    # a key of another task is unused, as in GraphStorm (tests/config/test_graphstorm_keys.py)
    assert load_train_config_dict(with_task("node_regression", {
        "target_ntype": "movie", "label_field": "y", "num_classes": 2})).task.task_type == "node_regression"


def test_focal_loss_defaults(ml100k):
    ml100k["gsf"]["node_classification"].update(class_loss_func="focal", gamma=5.0)
    task = load_train_config_dict(ml100k).task
    assert (task.alpha, task.gamma) == (0.25, 5.0)


def test_multi_task_learning(with_task):
    cfg = load_train_config_dict(with_task("multi_task_learning", [
        {"node_classification": {"target_ntype": "movie", "label_field": "label", "num_classes": 19,
                                 "mask_fields": ["tr_nc", "va_nc", "te_nc"], "task_weight": 1.0,
                                 "eval_metric": ["accuracy"], "batch_size": 64}},
        {"edge_classification": {"target_etype": ["user,rating,movie"], "label_field": "rate",
                                 "num_classes": 5, "task_weight": 0.5}},
        {"link_prediction": {"num_negative_edges": 4, "exclude_training_targets": False}},
    ]))
    assert cfg.is_multi_task and cfg.task_type == "multi_task"
    nc, ec, lp = cfg.tasks
    assert nc.mask_fields == ["tr_nc", "va_nc", "te_nc"] and nc.batch_size == 64
    assert ec.task_weight == 0.5 and ec.batch_size == 32 and ec.mask_fields[0] == "train_mask"
    assert lp.num_negative_edges == 4 and lp.exclude_training_targets is False
    assert cfg.gnn.use_mini_batch_infer is True
    with pytest.raises(ConfigError, match="use .tasks"):
        cfg.task


@pytest.mark.parametrize("entries,match", [
    ([{"node_classification": {"target_ntype": "m", "label_field": "l", "num_classes": 2}}],
     "at least two"),
    ([{"node_classification": {}, "link_prediction": {}}, {"link_prediction": {}}], "one 'task_name"),
    ([{"link_predicton": {}}, {"link_prediction": {}}], "did you mean 'link_prediction'"),
    ([{"link_prediction": {"lr": 0.1}}, {"link_prediction": {}}], "'lr'.*outside multi_task"),
    ([{"link_prediction": {"num_negative_edge": 1}}, {"link_prediction": {}}],
     r"multi_task_learning\[0\].*did you mean 'num_negative_edges'"),
    ([{"node_classification": {"target_ntype": "m", "num_classes": 2}}, {"link_prediction": {}}],
     r"'label_field' is required in multi_task_learning\[0\]"),
])
def test_multi_task_errors(with_task, entries, match):
    with pytest.raises(ConfigError, match=match):
        load_train_config_dict(with_task("multi_task_learning", entries))


def test_task_key_override_rejected_with_multi_task(with_task):
    doc = with_task("multi_task_learning", [{"link_prediction": {}}, {"link_prediction": {}}])
    with pytest.raises(ConfigError, match="task key"):
        load_train_config_dict(doc, ["--num-negative-edges", "3"])


@pytest.mark.parametrize("metric", ["precision", "precision_at_recall_0.8", "recall_at_precision_0.9",
                                    "fscore_at_beta_0.5"])
def test_binary_classification_metrics_accepted(with_task, metric):
    task = load_train_config_dict(with_task("node_classification", {
        "target_ntype": "movie", "label_field": "label", "num_classes": 2, "eval_metric": [metric]})).task
    assert task.eval_metric == [metric]


def test_fscore_at_x_is_fscore_at_beta_x(with_task):
    task = load_train_config_dict(with_task("node_classification", {
        "target_ntype": "movie", "label_field": "label", "num_classes": 2, "eval_metric": ["fscore_at_2"]})).task
    assert task.eval_metric == ["fscore_at_beta_2"]


@pytest.mark.parametrize("keys,match", [
    ({"num_classes": 3, "eval_metric": "precision_at_recall_0.8"}, "binary classification"),
    ({"num_classes": 2, "eval_metric": "precision_at_recall_1.5"}, r"must be in \(0, 1\]"),
    ({"num_classes": 2, "eval_metric": "fscore_at_beta_x"}, "must be in"),
])
def test_binary_metric_errors(with_task, keys, match):
    with pytest.raises(ConfigError, match=match):
        load_train_config_dict(with_task("node_classification", {"target_ntype": "movie", "label_field": "label",
                                                                **keys}))


def test_amri_accepted_for_link_prediction(with_task):
    assert load_train_config_dict(with_task("link_prediction", {"eval_metric": ["amri", "mrr"]})).task.eval_metric == \
        ["amri", "mrr"]
