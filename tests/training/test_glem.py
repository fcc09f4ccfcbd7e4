"""GLEM (training_method: glem) on the tiny text graph: schedule, pseudo labels, shared LM, checkpoint, infer."""

import glob
import os
import sys

import pytest
import torch
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lm"))
from lm_helpers import lm_yaml, make_text_graph, make_tiny_bert  # noqa: E402

from graphstorm_py.config import load_train_config_dict  # noqa: E402
from graphstorm_py.errors import ConfigError  # noqa: E402
from graphstorm_py.training.run import train  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("glem")
    old = os.environ.get("GS_LM_CACHE_DIR")
    os.environ["GS_LM_CACHE_DIR"] = str(root / "cache")
    yield make_tiny_bert(str(root / "bert")), make_text_graph(str(root / "g"))
    if old is None:
        os.environ.pop("GS_LM_CACHE_DIR", None)
    else:
        os.environ["GS_LM_CACHE_DIR"] = old


def glem_cfg(bert, **kw):
    method = {"name": "glem", "kwargs": {"num_pretrain_epochs": 1, "pl_weight": 0.5, **kw}}
    return yaml.safe_load(lm_yaml(bert, lm_train_nodes=4, epochs=2, lm={"training_method": method,
                                                                         "lm_tune_lr": 1e-3}))


@pytest.mark.parametrize("gnn_first", [False, True])
def test_glem_trains_both_and_checkpoints_the_gnn(setup, tmp_path, gnn_first, caplog):
    bert, graph = setup
    doc = glem_cfg(bert, em_order_gnn_first=gnn_first)
    doc["gsf"]["output"] = {"save_model_path": str(tmp_path / "m")}
    with caplog.at_level("INFO"):
        r = train(load_train_config_dict(doc), graph)
    assert r["training_method"] == "glem" and r["best_checkpoint"]
    rounds = [ln for ln in caplog.text.splitlines() if "glem round" in ln]
    assert len(rounds) == 4
    assert ("gnn step" in rounds[0]) == gnn_first
    # the checkpoint is a normal LM+GNN model: gs-infer reads it
    from graphstorm_py.cli import run_cli
    from graphstorm_py.inference.cli import _main as infer_main

    conf = tmp_path / "t.yaml"
    conf.write_text(yaml.safe_dump(doc))
    assert run_cli(infer_main, ["--cf", str(conf), "--part-config", graph, "--restore-model-path",
                                r["best_checkpoint"], "--save-embed-path", str(tmp_path / "emb"), "--quiet"]) == 0


def test_glem_lm_and_gnn_share_the_lm(setup, monkeypatch):
    import graphstorm_py.training.glem as glem

    bert, graph = setup
    seen = {}
    orig = glem._Side.__init__

    def spy(self, run, name):
        orig(self, run, name)
        seen[name] = self

    monkeypatch.setattr(glem._Side, "__init__", spy)
    train(load_train_config_dict(glem_cfg(bert)), graph)
    assert seen["lm"].layer.lm is seen["gnn"].layer.lm
    assert seen["lm"].layer.tables is seen["gnn"].layer.tables


def test_glem_is_node_classification_only(setup):
    bert, graph = setup
    doc = glem_cfg(bert)
    doc["gsf"].pop("node_classification")
    doc["gsf"]["link_prediction"] = {"train_etype": ["paper,cites,paper"]}
    with pytest.raises(ConfigError, match="node_classification only"):
        train(load_train_config_dict(doc), graph)


def test_glem_gnn_epochs_and_lm_pretraining_apart(setup, caplog):
    """num_gnn_epochs: GNN epochs per pre-training stage and M-step; num_pretrain_lm_epochs 0: the
    LM (already fine-tuned, e.g. a stage-wise export) is not pre-trained again."""
    import graphstorm_py.training.glem as glem

    bert, graph = setup
    doc = glem_cfg(bert, num_gnn_epochs=3, num_pretrain_lm_epochs=0)
    doc["gsf"]["hyperparam"]["num_epochs"] = 1
    calls = []
    orig = glem._Side.train_epoch

    def spy(self, epoch, pseudo, weight, train_lm):
        calls.append((self.name, epoch, pseudo is not None))
        return orig(self, epoch, pseudo, weight, train_lm)

    train(load_train_config_dict(yaml.safe_load(lm_yaml(bert, lm_train_nodes=0, epochs=1))), graph)  # disk table
    with caplog.at_level("INFO"), pytest.MonkeyPatch.context() as mp:
        mp.setattr(glem._Side, "train_epoch", spy)
        r = train(load_train_config_dict(doc), graph)
    assert "LM embeddings: starting from" in caplog.text        # the unchanged LM's table came from disk
    assert [(n, p) for n, _, p in calls] == [("gnn", False)] * 3 + [("lm", True)] + [("gnn", True)] * 3
    assert [e for _, e, _ in calls] == list(range(7))                 # each epoch its own shuffle
    assert "pre-training 0: LM" not in caplog.text
    assert r["epochs_run"] == 1 and r["time_per_epoch_s"] > 0 and r["glem_pretrain_s"] >= 0   # one EM round


@pytest.mark.parametrize("nodes, lm_side", [(4, 4), (0, -1), (-1, -1)])
def test_glem_lm_side_takes_lm_train_nodes(setup, nodes, lm_side):
    from graphstorm_py.training.glem import _configs

    bert, _ = setup
    doc = glem_cfg(bert)
    doc["gsf"]["lm"]["lm_train_nodes"] = nodes
    lm_cfg, gnn_cfg = _configs(load_train_config_dict(doc))
    assert lm_cfg.lm.lm_train_nodes == lm_side and gnn_cfg.lm.lm_train_nodes == 0
    assert lm_cfg.gnn.model_encoder_type == "lm"


def test_glem_selects_the_best_gnn_epoch_of_each_m_step(setup, tmp_path, caplog):
    """With the GNN as the final model, every M-step epoch is evaluated; a new best is saved at once."""
    bert, graph = setup
    doc = glem_cfg(bert, num_gnn_epochs=3)
    doc["gsf"]["output"] = {"save_model_path": str(tmp_path / "m")}
    with caplog.at_level("INFO"):
        r = train(load_train_config_dict(doc), graph)
    evals = [ln for ln in caplog.text.splitlines() if "evaluation at epoch" in ln]
    assert len(evals) == 2 * 3                                   # 2 rounds x 3 GNN epochs
    saved = sorted(os.listdir(tmp_path / "m"))
    assert "epoch-0" in saved and "epoch-1" in saved
    assert r["best_checkpoint"] and os.path.isdir(r["best_checkpoint"])
    assert os.path.basename(r["best_checkpoint"]) in saved
    assert all(s in ("epoch-0", "epoch-1", "results.json") or s.startswith(("epoch-0-gnn-", "epoch-1-gnn-"))
               for s in saved), saved


def test_glem_resume_is_exit_2_and_restore_starts_from_the_checkpoint(setup, tmp_path):
    from graphstorm_py.cli import run_cli
    from graphstorm_py.model.checkpoint import load_checkpoint_file
    from graphstorm_py.training.cli import _main as train_main

    bert, graph = setup
    doc = glem_cfg(bert)
    doc["gsf"]["output"] = {"save_model_path": str(tmp_path / "m")}
    r = train(load_train_config_dict(doc), graph)
    ckpt = r["best_checkpoint"]
    conf = tmp_path / "glem.yaml"
    doc["gsf"]["output"] = {"save_model_path": str(tmp_path / "m2")}
    conf.write_text(yaml.safe_dump(doc))
    for flag in ("--resume-from-checkpoint", "--restore-optimizer-path"):
        assert run_cli(train_main, ["--cf", str(conf), "--part-config", graph, flag, ckpt, "--quiet"]) == 2
    assert not os.path.exists(tmp_path / "m2")
    # restore: the GNN model (and the shared LM) start from the checkpoint's weights
    import graphstorm_py.training.glem as glem

    seen = {}
    orig = glem._Side.train_epoch

    def spy(self, *a, **k):
        if self.name == "gnn" and "w" not in seen:
            seen["w"] = {n: p.detach().clone() for n, p in self.run.model.named_parameters()}
        return orig(self, *a, **k)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(glem._Side, "train_epoch", spy)
        train(load_train_config_dict(doc, ["--restore-model-path", ckpt]), graph)
    saved = load_checkpoint_file(ckpt, "model.pt")
    gnn = [n for n in seen["w"] if n.startswith("gnn.")]     # LM pre-training runs first; the GNN waits
    assert gnn
    for name in gnn:
        torch.testing.assert_close(seen["w"][name], saved[name])
