"""resolved_dict() is plain YAML/JSON data that reloads to an equal config."""

import json

import yaml

from graphstorm_py.config import TrainConfig, load_train_config_dict


def _round_trip(cfg: TrainConfig) -> TrainConfig:
    data = cfg.resolved_dict()
    text = yaml.safe_dump(data)  # plain data only
    json.dumps(data)
    again = TrainConfig.from_resolved(yaml.safe_load(text))
    assert again == cfg
    assert again.resolved_dict() == data
    return again


def test_round_trip_node_classification(ml100k):
    cfg = load_train_config_dict(ml100k, ["--eval-metric", "accuracy", "hit_at_5"])
    again = _round_trip(cfg)
    assert again.task.eval_metric == ["accuracy", "hit_at_5"]
    assert again.resolved_dict()["version"] == 1.0


def test_round_trip_link_prediction(with_task):
    doc = with_task("link_prediction", {
        "train_etype": ["user,rating,movie"],
        "reverse_edge_types_map": ["user,rating,rating-rev,movie"],
        "lp_edge_weight_for_loss": ["weight"],
        "num_train_hard_negatives": ["user,rating,movie:5"],
        "model_select_etype": "user,rating,movie",
        "lp_loss_func": "contrastive",
    })
    doc["gsf"]["gnn"]["node_feat_name"] = ["user:age,gender", "feat"]
    doc["gsf"]["hyperparam"]["grad_norm_type"] = float("inf")
    again = _round_trip(load_train_config_dict(doc))
    assert again.hyperparam.grad_norm_type == "inf"
    assert again.gnn.use_mini_batch_infer is False  # GraphStorm's default for link prediction


def test_round_trip_edge_and_multi_task(with_task):
    edge = {"target_etype": ["user,rating,movie"], "label_field": "rate", "num_classes": 2,
            "decoder_edge_feat": ["user,rating,movie:f0,f1"], "class_loss_func": "focal"}
    _round_trip(load_train_config_dict(with_task("edge_classification", dict(edge))))
    doc = with_task("multi_task_learning", [
        {"edge_classification": dict(edge, batch_size=8)},
        {"node_regression": {"target_ntype": "movie", "label_field": "y",
                             "regression_loss_func": "shrinkage"}},
    ])
    cfg = _round_trip(load_train_config_dict(doc))
    assert [t.batch_size for t in cfg.tasks] == [8, 32]
