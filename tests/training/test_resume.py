"""--resume-from-checkpoint: an exact resume of the same run; --restore-model-path: weights only, from epoch 0."""

import os

from train_helpers import NR_YAML, toy_graph, write_yaml  # noqa: F401  (fixture)

from graphstorm_py.config import load_train_config
from graphstorm_py.training.results import TIMING_FIELDS
from graphstorm_py.training.run import train


def _strip(res):
    return {k: v for k, v in res.items() if k not in TIMING_FIELDS + ("best_checkpoint",)}


def test_resume_continues_exactly(tmp_path, toy_graph):
    yaml = write_yaml(tmp_path)
    common = ["--dropout", "0.2", "--eval-frequency", "4"]
    straight = train(load_train_config(yaml, common + ["--num-epochs", "3", "--save-model-path",
                                                       str(tmp_path / "a")]), toy_graph)
    train(load_train_config(yaml, common + ["--num-epochs", "1", "--save-model-path", str(tmp_path / "b")]),
          toy_graph)
    resumed = train(load_train_config(yaml, common + ["--num-epochs", "3", "--save-model-path", str(tmp_path / "c"),
                                                      "--resume-from-checkpoint", str(tmp_path / "b" / "epoch-0")]),
                    toy_graph)
    assert _strip(resumed) == _strip(straight)
    assert sorted(os.listdir(tmp_path / "c")) == ["epoch-1", "epoch-2", "results.json"]


def test_warm_start_other_task(tmp_path, toy_graph, caplog):
    import logging

    save = tmp_path / "nc"
    train(load_train_config(write_yaml(tmp_path), ["--num-epochs", "1", "--save-model-path", str(save)]), toy_graph)
    cfg = load_train_config(write_yaml(tmp_path, NR_YAML, "nr.yaml"),
                            ["--num-epochs", "1", "--restore-model-path", str(save / "epoch-0"),
                             "--restore-model-layers", "embed,gnn"])
    with caplog.at_level(logging.INFO):
        res = train(cfg, toy_graph)
    assert res["task_type"] == "node_regression" and res["epochs_run"] == 1
    assert "training starts at epoch 0" in caplog.text
