"""The models stand alone: built in Python, validated on creation, unknown keys forbidden."""

import pytest
from pydantic import ValidationError

from graphstorm_py.config import (GNNConfig, HyperparamConfig, NodeClassificationConfig,
                                  NodeRegressionConfig, TrainConfig)


def _gnn(**kw):
    return GNNConfig(**{"model_encoder_type": "sage", "num_layers": 2, "hidden_size": 8,
                        "fanout": "5,5", **kw})


def test_build_in_python():
    gnn = _gnn()
    cfg = TrainConfig(gnn=gnn, hyperparam=HyperparamConfig(lr=0.1, batch_size=4),
                      tasks=[{"task_type": "node_regression", "target_ntype": "n", "label_field": "y"}])
    assert isinstance(cfg.task, NodeRegressionConfig) and cfg.task.eval_metric == ["rmse"]
    assert cfg.task.batch_size == 4 and cfg.gnn.use_mini_batch_infer is True
    assert gnn.use_mini_batch_infer is None  # the caller's model is not modified
    assert cfg.evaluation.eval_frequency > 10**12 and cfg.basic.backend == "gloo"


def test_extra_keys_forbidden():
    with pytest.raises(ValidationError, match="extra"):
        _gnn(num_layer=2)
    with pytest.raises(ValidationError, match="hidden_size"):
        _gnn(hidden_size=-1)


def test_regression_rejects_classification_metric():
    with pytest.raises(ValidationError, match="unknown metric 'accuracy'"):
        NodeRegressionConfig(target_ntype="n", label_field="y", eval_metric="accuracy")
    with pytest.raises(ValidationError, match="hit_at_1"):
        NodeRegressionConfig(target_ntype="n", label_field="y", eval_metric="hit_at_1")


def test_multilabel_weights_need_multilabel():
    with pytest.raises(ValidationError, match="needs 'multilabel: true'"):
        NodeClassificationConfig(target_ntype="n", label_field="y", num_classes=2,
                                 multilabel_weights="0.5,0.5")
    task = NodeClassificationConfig(target_ntype="n", label_field="y", num_classes=2,
                                    multilabel=True, multilabel_weights="0.5,0")
    assert task.multilabel_weights == [0.5, 0.0]
