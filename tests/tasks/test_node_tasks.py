"""Node tasks: targets from masks, loss and metric wiring, label checks."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from task_helpers import NC_YAML, NR_YAML, toy_graph, write_yaml  # noqa: F401  (fixture)

from graphstorm_py.config import load_train_config
from graphstorm_py.errors import ConfigError, DataError
from graphstorm_py.graph import GraphDataset
from graphstorm_py.tasks import NodeClassificationTask, NodeRegressionTask, build_tasks


def _task(tmp_path, toy_graph, text=NC_YAML, *overrides):
    cfg = load_train_config(write_yaml(tmp_path, text), list(overrides))
    return build_tasks(cfg, GraphDataset.open(toy_graph))[0]


def test_targets_and_batches(tmp_path, toy_graph):
    task = _task(tmp_path, toy_graph)
    assert isinstance(task, NodeClassificationTask) and task.name == "node_classification-item-cls"
    ds = GraphDataset.open(toy_graph)
    train = np.flatnonzero(ds.node_array("item", "train_mask"))
    assert task.split_size("train") == len(train) and task.num_train_batches() == -(-len(train) // 8)
    e0 = torch.cat([b.seeds["item"] for b in task.train_batches(0)])
    e1 = torch.cat([b.seeds["item"] for b in task.train_batches(1)])
    assert sorted(e0.tolist()) == sorted(train.tolist()) and not torch.equal(e0, e1)   # reshuffled
    b = next(task.eval_batches("val", 1000))
    np.testing.assert_array_equal(b.labels.numpy(), ds.node_array("item", "cls")[b.seeds["item"].numpy()])


def test_shuffle_reproduces(tmp_path, toy_graph):
    a, b = _task(tmp_path, toy_graph), _task(tmp_path, toy_graph)
    assert [x.seeds["item"].tolist() for x in a.train_batches(0)] == \
        [x.seeds["item"].tolist() for x in b.train_batches(0)]


def test_class_weights_reach_the_loss(tmp_path, toy_graph):
    task = _task(tmp_path, toy_graph, NC_YAML, "--imbalance-class-weights", "1,2,3")
    dec = task.build_decoder(16)
    h = torch.randn(8, 16)
    batch = next(task.train_batches(0))
    got = task.loss(dec, {"item": h}, batch)
    want = F.cross_entropy(dec(h), batch.labels, weight=torch.tensor([1.0, 2.0, 3.0]))
    torch.testing.assert_close(got, want)
    probs = task.predict(dec, {"item": h}, batch)
    torch.testing.assert_close(probs.sum(1), torch.ones(len(h)))
    m = task.compute_metrics(probs, batch.labels)
    assert set(m) == {"accuracy", "f1_score"}
    assert m["accuracy"] == pytest.approx(float((probs.argmax(1) == batch.labels).float().mean()))


def test_focal_needs_binary(tmp_path, toy_graph):
    with pytest.raises(ConfigError, match="focal"):
        _task(tmp_path, toy_graph, NC_YAML, "--class-loss-func", "focal")


def test_regression_losses(tmp_path, toy_graph):
    task = _task(tmp_path, toy_graph, NR_YAML)
    assert isinstance(task, NodeRegressionTask) and task.main_metric.name == "rmse"
    dec = task.build_decoder(16)
    h, batch = torch.randn(8, 16), next(task.train_batches(0))
    torch.testing.assert_close(task.loss(dec, {"user": h}, batch), F.mse_loss(dec(h).squeeze(1), batch.labels))
    shrink = _task(tmp_path, toy_graph, NR_YAML, "--regression-loss-func", "shrinkage")
    l = (dec(h).squeeze(1) - batch.labels).abs()
    want = (l * l / (1 + torch.exp(10.0 * (0.2 - l)))).mean()
    torch.testing.assert_close(shrink.loss(dec, {"user": h}, batch), want)


def test_label_problems_are_named(tmp_path, toy_graph):
    with pytest.raises(DataError, match="num_classes is 2"):
        _task(tmp_path, toy_graph, NC_YAML, "--num-classes", "2").num_train_batches()
    with pytest.raises(DataError, match="floats"):
        _task(tmp_path, toy_graph, NC_YAML, "--target-ntype", "user", "--label-field", "age",
              "--mask-fields", "age_train_mask,age_val_mask,age_test_mask").num_train_batches()
    with pytest.raises(ConfigError, match="train mask 'nope'"):
        _task(tmp_path, toy_graph, NC_YAML, "--mask-fields", "nope,val_mask,test_mask").num_train_batches()
