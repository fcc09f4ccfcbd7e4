"""GraphStorm's ml-100k example parses, with GraphStorm's defaults for what it leaves out."""

import sys

from graphstorm_py.config import NodeClassificationConfig, TrainConfig, load_train_config


def test_ml100k_yaml_file(tmp_path, ml100k_text):
    path = tmp_path / "ml_nc.yaml"
    path.write_text(ml100k_text)
    cfg = load_train_config(str(path))

    assert isinstance(cfg, TrainConfig) and not cfg.is_multi_task
    assert cfg.task_type == "node_classification"
    task = cfg.task
    assert isinstance(task, NodeClassificationConfig)
    assert (task.target_ntype, task.label_field, task.num_classes) == ("movie", "label", 19)
    assert task.multilabel is False and task.eval_metric == ["accuracy"]
    assert task.batch_size == 128  # resolved from hyperparam

    assert cfg.basic.backend == "gloo" and cfg.basic.verbose is False
    assert cfg.gnn.model_encoder_type == "rgcn"
    assert cfg.gnn.fanout == "4" and cfg.gnn.fanouts == [4]
    assert cfg.gnn.num_layers == 1 and cfg.gnn.hidden_size == 128
    assert cfg.gnn.num_bases == -1 and cfg.gnn.use_self_loop is True
    assert cfg.gnn.use_mini_batch_infer is True and cfg.gnn.use_node_embeddings is False
    assert cfg.hyperparam.lr == 0.001 and cfg.hyperparam.num_epochs == 3
    assert cfg.hyperparam.sparse_optimizer_lr == 0.01  # "1e-2" is a string in YAML 1.1
    assert cfg.output.save_model_path == "/data/ml-100k/models"
    assert cfg.output.restore_model_path is None


def test_graphstorm_defaults(ml100k):
    from graphstorm_py.config import load_train_config_dict

    for section in ("basic", "input", "output", "rgcn"):
        del ml100k["gsf"][section]
    del ml100k["gsf"]["hyperparam"]["dropout"]
    cfg = load_train_config_dict(ml100k)
    assert cfg.basic.backend == "gloo"
    assert cfg.gnn.dropout == 0.0 and cfg.gnn.num_heads == 4 and cfg.gnn.eval_fanout == "-1"
    assert cfg.gnn.eval_fanouts == [-1] and cfg.gnn.node_feat_name is None
    assert cfg.hyperparam.sparse_optimizer_lr == cfg.hyperparam.lr
    assert cfg.hyperparam.eval_batch_size == 10000 and cfg.hyperparam.wd_l2norm == 0
    assert cfg.evaluation.eval_frequency == sys.maxsize  # only at epoch ends
    assert cfg.evaluation.no_validation is False and cfg.evaluation.use_early_stop is False
    assert (cfg.evaluation.early_stop_rounds, cfg.evaluation.early_stop_burnin_rounds) == (3, 0)
    assert cfg.evaluation.early_stop_strategy == "average_increase"
    assert cfg.output.save_model_frequency == -1 and cfg.output.topk_model_to_save is None
    assert cfg.output.restore_model_layers == ["embed", "gnn", "decoder"]
    assert cfg.task.return_proba is True and cfg.task.class_loss_func == "cross_entropy"
    assert cfg.task.mask_fields == ["train_mask", "val_mask", "test_mask"]


def test_num_epochs_defaults_to_zero(ml100k):
    from graphstorm_py.config import load_train_config_dict

    del ml100k["gsf"]["hyperparam"]["num_epochs"]
    assert load_train_config_dict(ml100k).hyperparam.num_epochs == 0


def test_save_prediction_path_defaults_to_embed_path(ml100k):
    from graphstorm_py.config import load_train_config_dict

    cfg = load_train_config_dict(ml100k)
    assert cfg.output.save_prediction_path == "/data/ml-100k/embed"


def test_yaml_on_s3(s3_server, ml100k_text):
    import boto3

    boto3.client("s3").create_bucket(Bucket="cfg")
    boto3.client("s3").put_object(Bucket="cfg", Key="ml.yaml", Body=ml100k_text.encode())
    assert load_train_config("s3://cfg/ml.yaml").task.num_classes == 19
