"""Early stopping and top-k checkpoint policies, alone and in the trainer."""

from types import SimpleNamespace

import pytest
from train_helpers import toy_graph, write_yaml  # noqa: F401  (fixture)

from graphstorm_py.config import load_train_config
from graphstorm_py.eval import get_metric
from graphstorm_py.training.callbacks import EvalRecord
from graphstorm_py.training.checkpointing import CheckpointSaver
from graphstorm_py.training.early_stop import EarlyStopping
from graphstorm_py.training.run import train


def _stops(metric, strategy, scores, rounds=2, burnin=0):
    es = EarlyStopping(get_metric(metric), rounds, burnin, strategy)
    return [es.should_stop(s) for s in scores]


def test_average_increase():
    # window [0.5, 0.6]; 0.55 is not above the average 0.55 -> stop
    assert _stops("accuracy", "average_increase", [0.5, 0.6, 0.55]) == [False, False, True]
    assert _stops("accuracy", "average_increase", [0.5, 0.6, 0.7, 0.8]) == [False] * 4
    # lower is better for rmse
    assert _stops("rmse", "average_increase", [3.0, 2.0, 2.6]) == [False, False, True]


def test_consecutive_increase_and_burnin():
    assert _stops("accuracy", "consecutive_increase", [0.5, 0.6, 0.55]) == [False, False, False]
    assert _stops("accuracy", "consecutive_increase", [0.5, 0.6, 0.45]) == [False, False, True]
    assert _stops("accuracy", "average_increase", [0.9, 0.1, 0.5, 0.6, 0.4], burnin=2) == [False] * 4 + [True]


def test_early_stop_in_trainer(tmp_path, toy_graph):
    cfg = load_train_config(write_yaml(tmp_path), ["--num-epochs", "30", "--use-early-stop", "true",
                                                   "--early-stop-rounds", "1", "--lr", "0.05"])
    res = train(cfg, toy_graph)
    assert res["stopped_early"] and res["epochs_run"] < 30


class _FakeTrainer:
    def __init__(self):
        self.state = SimpleNamespace(step=0, epoch=0, last_eval=None)
        self.saved = []

    def save_checkpoint(self, path, record):
        (self.saved.append(path), __import__("os").makedirs(path, exist_ok=True))


@pytest.mark.parametrize("metric,scores,keep", [
    ("accuracy", [0.5, 0.7, 0.6, 0.7, 0.7], {"epoch-1", "epoch-3"}),   # ties: the older stays
    ("rmse", [3.0, 1.0, 2.0, 0.5, 4.0], {"epoch-1", "epoch-3"}),
    ("accuracy", [None, None, None], {"epoch-1", "epoch-2"}),
])
def test_topk(tmp_path, metric, scores, keep):
    import os

    saver = CheckpointSaver(str(tmp_path), get_metric(metric), topk=2)
    t = _FakeTrainer()
    for epoch, score in enumerate(scores):
        t.state.epoch, t.state.step = epoch, (epoch + 1) * 10
        t.state.last_eval = EvalRecord(epoch, t.state.step, score=score)
        saver.on_epoch_end(t, epoch)
    assert set(os.listdir(tmp_path)) == keep
    assert len(t.saved) == len(scores)


def test_step_frequency_saves_once_per_step(tmp_path):
    saver = CheckpointSaver(str(tmp_path), get_metric("accuracy"), frequency=5)
    t = _FakeTrainer()
    for step in range(1, 11):
        t.state.step = step
        saver.on_step_end(t, 0.0)
    saver.on_epoch_end(t, 0)            # step 10 was just saved by frequency
    assert [p.rsplit("/", 1)[1] for p in t.saved] == ["epoch-0-iter-5", "epoch-0-iter-10"]
