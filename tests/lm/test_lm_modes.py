"""Frozen LM (mode 1), LM only (mode 2) and co-training (mode 3) end to end on the tiny text graph."""

import glob
import os

import pytest
import torch
import yaml
from lm_helpers import lm_yaml, make_text_graph

from graphstorm_py.config import load_train_config_dict
from graphstorm_py.errors import ConfigError
from graphstorm_py.model.assemble import assemble, open_graph
from graphstorm_py.training.optim import Optimizers
from graphstorm_py.training.run import train
from graphstorm_py.training.trainer import Trainer, step_batches

def cfg_of(text, *over):
    return load_train_config_dict(yaml.safe_load(text), list(over))


def lm_state(model):
    return {k: v.detach().clone() for k, v in model.input_encoder.lm.state_dict().items()}


def changed(a, b):
    return any(not torch.equal(a[k], b[k]) for k in a)


def test_frozen_lm_table_is_on_disk_and_reused(tiny_bert, text_graph, tmp_path):
    cfg = cfg_of(lm_yaml(tiny_bert, lm_train_nodes=0))
    r1 = train(cfg, text_graph)
    files = glob.glob(os.path.join(os.environ["GS_LM_CACHE_DIR"], "*.npy"))
    assert len(files) == 1 and r1["epochs_run"] == 2
    run = assemble(cfg, open_graph(text_graph))
    layer = run.model.input_encoder
    before = lm_state(run.model)
    Trainer(run, Optimizers.from_config(run.model, cfg.hyperparam), eval_frequency=10 ** 9).fit(1)
    assert not changed(before, lm_state(run.model))                  # frozen
    assert layer.forward_rows() == 0                                   # the table came from disk
    assert isinstance(layer.tables["paper"].table, __import__("numpy").memmap)


def test_bert_hf_only_graph_names_tokenize_hf(tiny_bert, tmp_path):
    g = make_text_graph(str(tmp_path / "g"), tokens=False)
    with pytest.raises(ConfigError, match="tokenize_hf"):
        train(cfg_of(lm_yaml(tiny_bert)), g)


def test_bert_hf_only_graph_cli_exit_2(tiny_bert, tmp_path, capsys):
    from graphstorm_py.cli import run_cli
    from graphstorm_py.training.cli import _main

    g = make_text_graph(str(tmp_path / "g"), tokens=False)
    conf = tmp_path / "t.yaml"
    conf.write_text(lm_yaml(tiny_bert))
    assert run_cli(_main, ["--cf", str(conf), "--part-config", g, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "tokenize_hf" in err and "Traceback" not in err


def test_lm_model_name_flag_unknown_path_cli_exit_2(tiny_bert, text_graph, tmp_path, capsys):
    from graphstorm_py.cli import run_cli
    from graphstorm_py.training.cli import _main

    conf = tmp_path / "t.yaml"
    conf.write_text(lm_yaml(tiny_bert, epochs=1))
    missing = str(tmp_path / "no_such_lm")
    assert run_cli(_main, ["--cf", str(conf), "--part-config", text_graph, "--quiet",
                           "--lm-model-name", missing]) == 2
    err = capsys.readouterr().err
    assert missing in err and "Traceback" not in err


def test_lm_model_name_flag_loads_that_lm(tiny_bert, text_graph):
    cfg = cfg_of(lm_yaml("/no/such/model", lm_train_nodes=4, epochs=1), "--lm-model-name", tiny_bert)
    assert train(cfg, text_graph)["epochs_run"] == 1


def test_lm_model_names_an_unknown_node_type(tiny_bert, text_graph):
    doc = yaml.safe_load(lm_yaml(tiny_bert))
    doc["lm_model"]["node_lm_models"][0]["node_types"] = ["papr"]
    with pytest.raises(ConfigError, match="did you mean 'paper'"):
        train(load_train_config_dict(doc), text_graph)


def test_lm_only_mode_fine_tunes_the_lm(tiny_bert, text_graph):
    cfg = cfg_of(lm_yaml(tiny_bert, encoder="lm", lm_train_nodes=-1, epochs=1, lm={"lm_tune_lr": 1e-3}))
    run = assemble(cfg, open_graph(text_graph))
    before = lm_state(run.model)
    opt = Optimizers.from_config(run.model, cfg.hyperparam)
    assert [g["lr"] for g in opt.dense.param_groups] == [0.01, 1e-3]       # lm_tune_lr
    Trainer(run, opt, eval_frequency=10 ** 9).fit(1)
    assert changed(before, lm_state(run.model))
    assert run.model.input_encoder.grad_rows == 24                        # every training node, once


@pytest.mark.parametrize("encoder", ["lm", "mlp"])
def test_no_gnn_encoders_evaluate_with_full_graph_inference(tiny_bert, text_graph, encoder):
    """use_mini_batch_infer: false goes through full_inference (the merged edge_feats argument)."""
    cfg = cfg_of(lm_yaml(tiny_bert, encoder=encoder, lm_train_nodes=-1, epochs=1,
                         gsf={"evaluation": {"use_mini_batch_infer": False}}))
    r = train(cfg, text_graph)
    assert r["epochs_run"] == 1 and r["val"]["accuracy"] is not None


def test_mlp_mode_without_an_lm(text_graph):
    doc = yaml.safe_load(lm_yaml("unused", encoder="mlp"))
    del doc["lm_model"]
    r = train(load_train_config_dict(doc), text_graph)
    assert r["epochs_run"] == 2


def test_lm_encoder_type_needs_an_lm_model(text_graph):
    doc = yaml.safe_load(lm_yaml("unused", encoder="lm"))
    del doc["lm_model"]
    with pytest.raises(ConfigError, match="lm_model"):
        train(load_train_config_dict(doc), text_graph)


def _cotrain_run(tiny_bert, text_graph, **lm):
    cfg = cfg_of(lm_yaml(tiny_bert, lm_train_nodes=3, lm=lm))
    run = assemble(cfg, open_graph(text_graph))
    return cfg, run, Trainer(run, Optimizers.from_config(run.model, cfg.hyperparam), eval_frequency=10 ** 9)


def test_cotraining_grad_nodes_are_seeds_and_write_through(tiny_bert, text_graph):
    cfg, run, trainer = _cotrain_run(tiny_bert, text_graph)
    layer = run.model.input_encoder
    run.model.train()
    layer._compute_table("paper")
    seen = []
    orig = layer._grad_positions

    def spy(t, n, k, device):
        pos = orig(t, n, k, device)
        seen.append((pos, layer._seed_counts[t]))
        return pos

    layer._grad_positions = spy
    batches = next(step_batches(run.tasks, 0))
    before = layer.tables["paper"].table.clone()
    trainer._step(batches)
    pos, n_seeds = seen[-1]
    assert len(pos) == 3 and bool((pos < n_seeds).all()) and len(set(pos.tolist())) == 3
    after = layer.tables["paper"].table
    rows = (before != after).any(1).nonzero().flatten()
    assert 1 <= rows.numel() <= 3                                        # written through
    assert layer._dirty
    run.model.eval()                                                     # refresh before evaluation
    assert not layer._dirty and layer.tables["paper"].forward_rows == 2 * 40


def test_cotraining_end_to_end_with_checkpoint_resume_and_infer(tiny_bert, text_graph, tmp_path):
    from graphstorm_py.cli import run_cli
    from graphstorm_py.inference.cli import _main as infer_main

    save = tmp_path / "models"
    conf = tmp_path / "t.yaml"
    conf.write_text(lm_yaml(tiny_bert, lm_train_nodes=4, epochs=2, gsf={"output": {"save_model_path": str(save)}}))
    r = train(load_train_config_dict(yaml.safe_load(conf.read_text())), text_graph)
    assert r["best_checkpoint"]
    ckpts = sorted(glob.glob(str(save / "epoch-*")))
    assert ckpts
    # resume one more epoch from the first checkpoint
    doc = yaml.safe_load(conf.read_text())
    doc["gsf"]["hyperparam"]["num_epochs"] = 3
    r2 = train(load_train_config_dict(doc, ["--restore-model-path", ckpts[0]]), text_graph)
    assert r2["epochs_run"] >= 1
    emb = tmp_path / "emb"
    rc = run_cli(infer_main, ["--cf", str(conf), "--part-config", text_graph, "--restore-model-path",
                              r["best_checkpoint"], "--save-embed-path", str(emb), "--quiet"])
    assert rc == 0
    assert glob.glob(str(emb / "**" / "*.parquet"), recursive=True)


def test_freeze_lm_encoder_epochs_keeps_the_lm_fixed_first(tiny_bert, text_graph):
    from graphstorm_py.training.run import build_callbacks

    cfg = cfg_of(lm_yaml(tiny_bert, lm_train_nodes=3, lm={"freeze_lm_encoder_epochs": 1}))
    run = assemble(cfg, open_graph(text_graph))
    trainer = Trainer(run, Optimizers.from_config(run.model, cfg.hyperparam), build_callbacks(cfg, run.tasks),
                      eval_frequency=10 ** 9, no_validation=True)
    before = lm_state(run.model)
    trainer.fit(1)
    assert not changed(before, lm_state(run.model)) and run.model.input_encoder.grad_rows == 0
    trainer.fit(2)
    assert changed(before, lm_state(run.model)) and run.model.input_encoder.grad_rows > 0


def test_recompute_reencodes_every_other_node_per_batch(tiny_bert, text_graph):
    cfg, run, trainer = _cotrain_run(tiny_bert, text_graph, lm_cache="recompute")
    layer = run.model.input_encoder
    run.model.train()
    batches = next(step_batches(run.tasks, 0))
    trainer._step(batches)
    assert layer.grad_rows == 3 and layer.nograd_rows > 0
    assert not layer.tables["paper"].ready                               # GraphStorm keeps no table


@pytest.mark.parametrize("task", [
    {"link_prediction": {"train_etype": ["paper,cites,paper"], "num_negative_edges": 2}},
    {"edge_classification": {"target_etype": ["author,writes,paper"], "label_field": "cls", "num_classes": 4}},
])
def test_other_tasks_run_with_an_lm(tiny_bert, text_graph, task):
    r = train(cfg_of(lm_yaml(tiny_bert, lm_train_nodes=2, epochs=1, task=task)), text_graph)
    assert r["epochs_run"] == 1


def test_lm_warmup_steps_ramps_the_lm_lr_only_on_lm_steps(tiny_bert, text_graph):
    from graphstorm_py.training.run import build_callbacks

    cfg = cfg_of(lm_yaml(tiny_bert, lm_train_nodes=3, lm={"freeze_lm_encoder_epochs": 1, "lm_tune_lr": 1e-3,
                                                          "lm_warmup_steps": 100}))
    run = assemble(cfg, open_graph(text_graph))
    opt = Optimizers.from_config(run.model, cfg.hyperparam)
    trainer = Trainer(run, opt, build_callbacks(cfg, run.tasks), eval_frequency=10 ** 9, no_validation=True)
    trainer.fit(1)                                           # frozen: no LM step, no warm-up step
    assert opt.lm_steps == 0
    trainer.fit(2)
    n = opt.lm_steps
    assert 0 < n < 100
    lm_group, dense_group = opt.dense.param_groups[-1], opt.dense.param_groups[0]
    assert lm_group["lr"] == pytest.approx(1e-3 * n / 100) and dense_group["lr"] == 0.01
    # the count travels with the optimiser state (resume continues the ramp)
    again = Optimizers.from_config(run.model, cfg.hyperparam)
    again.load_state_dict(opt.state_dict())
    assert again.lm_steps == n


def test_lm_warmup_steps_must_not_be_negative(tiny_bert):
    with pytest.raises(ConfigError, match="lm_warmup_steps"):
        cfg_of(lm_yaml(tiny_bert, lm={"lm_warmup_steps": -1}))


def test_lm_type_that_is_not_the_models_is_a_warning(tiny_bert, text_graph, caplog):
    cfg = cfg_of(lm_yaml(tiny_bert, epochs=1, lm_entry={"lm_type": "gpt"}))
    with caplog.at_level("WARNING"):
        assemble(cfg, open_graph(text_graph))
    assert "lm_type 'gpt'" in caplog.text and "'bert' model" in caplog.text


def test_freezing_the_lm_for_every_epoch_is_a_warning(tiny_bert, caplog):
    from graphstorm_py.training.run import build_callbacks

    cfg = cfg_of(lm_yaml(tiny_bert, lm_train_nodes=3, epochs=2, lm={"freeze_lm_encoder_epochs": 2}))
    with caplog.at_level("WARNING"):
        build_callbacks(cfg, [])
    assert "stays frozen for the whole run" in caplog.text
