"""GALM: LP pre-training with the LM, export the LM alone (HF format), reuse it as model_name."""

import glob
import os

import pytest
import torch
import yaml
from lm_helpers import lm_yaml

from graphstorm_py.cli import run_cli
from graphstorm_py.config import load_train_config_dict
from graphstorm_py.errors import ConfigError
from graphstorm_py.lm.encoder import LMEncoder
from graphstorm_py.lm.export import export_lm, main
from graphstorm_py.model.checkpoint import load_checkpoint_file
from graphstorm_py.training.run import train

LP = {"link_prediction": {"train_etype": ["paper,cites,paper"], "num_negative_edges": 2}}


def test_galm_chain(tiny_bert, text_graph, tmp_path):
    save = tmp_path / "lp_models"
    doc = yaml.safe_load(lm_yaml(tiny_bert, lm_train_nodes=4, epochs=1, task=LP, lm={"lm_tune_lr": 1e-2},
                                 gsf={"output": {"save_model_path": str(save)}}))
    train(load_train_config_dict(doc), text_graph)
    ckpt = sorted(glob.glob(str(save / "epoch-*")))[-1]
    out = tmp_path / "galm_lm"
    assert run_cli(main, ["--restore-model-path", ckpt, "--output", str(out)]) == 0
    assert os.path.isfile(out / "config.json") and os.path.isfile(out / "1_Pooling" / "config.json")
    state = load_checkpoint_file(ckpt, "model.pt")
    exported = LMEncoder.load(str(out))
    assert exported.pooling == "pooler"                        # the pooling it was trained with
    w = exported.model.embeddings.word_embeddings.weight
    assert torch.equal(w, state["input_encoder.lm.paper.model.embeddings.word_embeddings.weight"])
    assert not torch.equal(w, LMEncoder.load(tiny_bert).model.embeddings.word_embeddings.weight)
    # (c) fine-tune for node classification from the exported LM, frozen and co-trained
    for k in (0, 3):
        r = train(load_train_config_dict(yaml.safe_load(lm_yaml(str(out), lm_train_nodes=k, epochs=1))), text_graph)
        assert r["epochs_run"] == 1


def test_export_needs_an_lm_checkpoint(text_graph, tmp_path):
    doc = yaml.safe_load(lm_yaml("unused", encoder="mlp", epochs=1,
                                 gsf={"output": {"save_model_path": str(tmp_path / "m")}}))
    del doc["lm_model"]
    train(load_train_config_dict(doc), text_graph)
    ckpt = sorted(glob.glob(str(tmp_path / "m" / "epoch-*")))[-1]
    with pytest.raises(ConfigError, match="without an lm_model"):
        export_lm(ckpt, str(tmp_path / "out"))


@pytest.fixture
def lm_checkpoint(tiny_bert, text_graph, tmp_path):
    save = tmp_path / "models"
    doc = yaml.safe_load(lm_yaml(tiny_bert, lm_train_nodes=4, epochs=1, gsf={"output": {"save_model_path": str(save)}}))
    train(load_train_config_dict(doc), text_graph)
    return sorted(glob.glob(str(save / "epoch-*")))[-1]


def test_export_never_replaces_a_folder_that_is_not_an_export(lm_checkpoint, tmp_path, capsys):
    """--output onto the training run's own folder, a user's folder or a file: exit 2, all of it kept."""
    models = os.path.dirname(lm_checkpoint)
    before = sorted(os.listdir(models))
    user = tmp_path / "mine"
    user.mkdir()
    (user / "readme.txt").write_text("keep me")
    a_file = tmp_path / "notes.yaml"
    a_file.write_text("x: 1")
    for out in (models, str(user), str(a_file)):
        assert run_cli(main, ["--restore-model-path", lm_checkpoint, "--output", out]) == 2
        assert out in capsys.readouterr().err
    assert sorted(os.listdir(models)) == before
    assert (user / "readme.txt").read_text() == "keep me" and a_file.read_text() == "x: 1"
    assert not [p for p in os.listdir(tmp_path) if ".tmp" in p]         # nothing half-written left


def test_export_replaces_an_earlier_export_and_fills_an_empty_folder(lm_checkpoint, tmp_path):
    out = tmp_path / "lm"
    out.mkdir()
    assert run_cli(main, ["--restore-model-path", lm_checkpoint, "--output", str(out)]) == 0
    (out / "stale.bin").write_text("from the earlier export")
    assert run_cli(main, ["--restore-model-path", lm_checkpoint, "--output", str(out)]) == 0
    assert not (out / "stale.bin").exists() and (out / "config.json").exists()
    assert not [p for p in os.listdir(tmp_path) if ".tmp" in p]


def test_gs_infer_takes_the_pooling_the_checkpoint_was_trained_with(tiny_bert, text_graph, tmp_path, caplog):
    """Pooling changes the LM's output but no parameter: a config saying cls for a mean-pooled model
    would load cleanly and give other numbers, so gs-infer builds the checkpoint's, with a WARNING."""
    from graphstorm_py.inference.architecture import adopt_checkpoint_architecture

    save = tmp_path / "models"
    doc = yaml.safe_load(lm_yaml(tiny_bert, lm_train_nodes=4, epochs=1, lm_entry={"pooling": "mean"},
                                 gsf={"output": {"save_model_path": str(save)}}))
    train(load_train_config_dict(doc), text_graph)
    ckpt = sorted(glob.glob(str(save / "epoch-*")))[-1]
    other = yaml.safe_load(lm_yaml(tiny_bert, lm_train_nodes=4, epochs=1, lm_entry={"pooling": "cls"}))
    with caplog.at_level("WARNING"):
        cfg = adopt_checkpoint_architecture(load_train_config_dict(other), ckpt)
    assert cfg.lm_model.node_lm_models[0].pooling == "mean"
    assert "pooling of paper: the config says 'cls'" in caplog.text
    same = load_train_config_dict(yaml.safe_load(lm_yaml(tiny_bert, lm_entry={"pooling": "mean"})))
    assert adopt_checkpoint_architecture(same, ckpt).lm_model == same.lm_model
