"""task_tracker tensorboard_task_tracker[:LOGDIR] writes real TensorBoard events; profile_path a step CSV."""

import csv
import os

import pytest
from train_helpers import toy_graph, write_yaml  # noqa: F401  (fixture)

from graphstorm_py.config import load_train_config
from graphstorm_py.training.run import train


def _scalars(logdir):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    files = [f for f in os.listdir(logdir) if f.startswith("events.out.tfevents")]
    assert files, os.listdir(logdir)
    acc = EventAccumulator(str(logdir))
    acc.Reload()
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}


def test_tensorboard_events(tmp_path, toy_graph):
    logdir = tmp_path / "tb"
    res = train(load_train_config(write_yaml(tmp_path), ["--num-epochs", "2", "--task-tracker",
                                                          f"tensorboard_task_tracker:{logdir}"]), toy_graph)
    scalars = _scalars(logdir)
    steps = [s for s, _ in scalars["train/loss"]]
    assert steps == list(range(1, len(steps) + 1)) and len(steps) % 2 == 0     # every step of 2 epochs
    (task,) = res["last"]
    val = scalars[f"{task}/val_accuracy"]
    assert len(val) == 2 and val[-1] == (steps[-1], pytest.approx(res["last"][task]["val"]["accuracy"]))
    assert f"{task}/test_f1_score" in scalars


def test_tensorboard_default_folder(tmp_path, toy_graph, monkeypatch):
    monkeypatch.chdir(tmp_path)
    train(load_train_config(write_yaml(tmp_path), ["--num-epochs", "1", "--task-tracker",
                                                    "tensorboard_task_tracker"]), toy_graph)
    (run,) = os.listdir(tmp_path / "runs")                        # SummaryWriter's ./runs/<time>_<host>
    assert _scalars(tmp_path / "runs" / run)["train/loss"]


def test_profile_path_writes_step_csv(tmp_path, toy_graph):
    prof = tmp_path / "profile"
    train(load_train_config(write_yaml(tmp_path), ["--num-epochs", "2", "--profile-path", str(prof)]), toy_graph)
    with open(prof / "profile-rank0.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["step"]) for r in rows] == list(range(1, len(rows) + 1))
    assert {r["epoch"] for r in rows} == {"0", "1"} and all(float(r["seconds"]) >= 0 for r in rows)
