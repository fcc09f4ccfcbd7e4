"""gs-infer builds the model the checkpoint was trained with when the YAML's architecture keys differ.

GraphStorm builds the YAML's model and drops the checkpoint's extra weights silently; gs-infer
takes :data:`~graphstorm_py.inference.architecture.MODEL_KEYS` from the checkpoint's config,
warns once per differing key, and writes what a run with the training's flags writes.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from graphstorm_py.cli import run_cli
from graphstorm_py.inference.cli import _main

sys.path.insert(0, os.path.dirname(__file__))
from infer_helpers import tiny_graph, train_yaml  # noqa: E402
from test_infer_cli import read_dataset  # noqa: E402

@pytest.fixture(scope="module")
def ngnn_trained(tmp_path_factory):
    """A model trained with num_ffn_layers_in_input 1 and hidden_size 8, and the plain YAML (0 / 8)."""
    from graphstorm_py.config import load_train_config
    from graphstorm_py.training.run import train

    d = tmp_path_factory.mktemp("arch")
    graph = tiny_graph(str(d / "graph"))
    conf = train_yaml(str(d / "train.yaml"))
    models = str(d / "models")
    train(load_train_config(conf, ["--save-model-path", models, "--num-ffn-layers-in-input", "1",
                                   "--num-ffn-layers-in-gnn", "1"]), graph)
    return conf, graph, os.path.join(models, "epoch-0")


def _infer(conf, graph, ckpt, out, *flags):
    return run_cli(_main, ["--cf", conf, "--part-config", graph, "--restore-model-path", ckpt, "--quiet",
                           "--save-embed-path", str(out / "emb"), "--save-prediction-path", str(out / "pred"),
                           *flags])


def _column(root, ntype, name):
    t = read_dataset(root, ntype)
    order = np.argsort(np.asarray(t.column("nid").to_pylist()))
    return np.stack(t.column(name).to_numpy(zero_copy_only=False))[order]


def test_yaml_without_the_training_flags_equals_a_run_with_them(ngnn_trained, tmp_path, capsys):
    conf, graph, ckpt = ngnn_trained
    assert _infer(conf, graph, ckpt, tmp_path / "flags", "--num-ffn-layers-in-input", "1",
                  "--num-ffn-layers-in-gnn", "1") == 0
    assert "WARNING" not in capsys.readouterr().err          # the flags match: nothing to say
    assert _infer(conf, graph, ckpt, tmp_path / "plain") == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "WARNING" in line]
    assert len(warnings) == 2, err                            # one per differing key
    assert any("num_ffn_layers_in_input: the config says 0 but the checkpoint" in w and "trained with 1" in w
               and "--num-ffn-layers-in-input 1" in w for w in warnings), warnings
    assert any(w.split("WARNING", 1)[1].split(":", 2)[1].strip() == "num_ffn_layers_in_gnn" for w in warnings)
    for ntype in ("user", "item"):
        assert np.array_equal(_column(str(tmp_path / "flags" / "emb"), ntype, "emb"),
                              _column(str(tmp_path / "plain" / "emb"), ntype, "emb"))
    assert np.array_equal(_column(str(tmp_path / "flags" / "pred"), "item", "pred"),
                          _column(str(tmp_path / "plain" / "pred"), "item", "pred"))


def test_a_flag_that_differs_is_overruled_by_the_checkpoint(ngnn_trained, tmp_path, capsys):
    """--hidden-size 16 on a model trained with 8: the checkpoint's 8 is built, with a warning."""
    conf, graph, ckpt = ngnn_trained
    assert _infer(conf, graph, ckpt, tmp_path / "o", "--hidden-size", "16", "--num-ffn-layers-in-input", "1",
                  "--num-ffn-layers-in-gnn", "1") == 0
    err = capsys.readouterr().err
    assert [w for w in err.splitlines() if "WARNING" in w and "hidden_size: the config says 16" in w
            and "trained with 8" in w], err
    assert _column(str(tmp_path / "o" / "emb"), "item", "emb").shape[1] == 8


def test_checkpoint_without_readable_config_keeps_the_yaml(ngnn_trained, tmp_path):
    from graphstorm_py.config import load_train_config
    from graphstorm_py.inference.architecture import adopt_checkpoint_architecture

    conf, _, _ = ngnn_trained
    cfg = load_train_config(conf, [], inference=True)
    assert adopt_checkpoint_architecture(cfg, str(tmp_path / "missing")) is cfg
