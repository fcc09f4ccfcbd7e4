"""Embedders agree with each other; checkpoints restore by layer; load_trained rebuilds a model."""

import pytest
import torch
from model_helpers import NC_YAML, NR_YAML, toy_graph, write_yaml  # noqa: F401  (fixture)

from graphstorm_py.config import load_train_config
from graphstorm_py.errors import CheckpointError
from graphstorm_py.model import (assemble, load_checkpoint_config, load_trained, open_graph, restore_model,
                                 save_checkpoint)


def _run(tmp_path, toy_graph, text=NC_YAML, *overrides):
    torch.manual_seed(0)
    return assemble(load_train_config(write_yaml(tmp_path, text), list(overrides)), open_graph(toy_graph))


def test_full_graph_equals_full_fanout_minibatch(tmp_path, toy_graph):
    run = _run(tmp_path, toy_graph, NC_YAML, "--num-layers", "2", "--fanout", "5,5", "--dropout", "0.5")
    run.model.eval()
    seeds = {"item": torch.tensor([3, 0, 44]), "user": torch.tensor([59, 1])}
    with torch.no_grad():
        mini = run.minibatch_embedder("-1,-1")(seeds)
    full = run.full_graph_embedder(batch_size=7)
    for t, ids in seeds.items():
        torch.testing.assert_close(full(seeds)[t], mini[t], atol=1e-5, rtol=1e-5)
        assert full.all()[t].shape == (run.graph.num_nodes[t], 16)


def test_save_restore_layers(tmp_path, toy_graph):
    a = _run(tmp_path, toy_graph)
    path = save_checkpoint(str(tmp_path / "ck"), a.model, config=a.config.resolved_dict(), info={"epoch": 0})
    torch.manual_seed(1)
    b = assemble(a.config, a.dataset)
    got = restore_model(path, b.model, ["embed", "gnn"])
    assert got["fresh"] == [] and "sparse_embed/item" in got["restored"]
    sa, sb = a.model.state_dict(), b.model.state_dict()
    for k in sa:
        assert torch.equal(sa[k], sb[k]) == (not k.startswith("decoders.")), k
    restore_model(path, b.model)
    assert all(torch.equal(v, b.model.state_dict()[k]) for k, v in sa.items())
    assert load_checkpoint_config(path).task.label_field == "cls"


def test_warm_start_keeps_new_decoder_and_rejects_mismatch(tmp_path, toy_graph):
    a = _run(tmp_path, toy_graph)
    path = save_checkpoint(str(tmp_path / "ck"), a.model, config=a.config.resolved_dict())
    nr = _run(tmp_path, toy_graph, NR_YAML)
    assert restore_model(path, nr.model)["fresh"] == ["node_regression-user-age"]
    wide = _run(tmp_path, toy_graph, NC_YAML, "--hidden-size", "8")
    with pytest.raises(CheckpointError, match="shape"):
        restore_model(path, wide.model)
    with pytest.raises(CheckpointError, match="not a complete"):
        restore_model(str(tmp_path / "nothing"), a.model)


def test_load_trained(tmp_path, toy_graph):
    a = _run(tmp_path, toy_graph)
    path = save_checkpoint(str(tmp_path / "ck"), a.model, config=a.config.resolved_dict())
    run = load_trained(path, toy_graph)
    task = run.tasks[0]
    emb = run.full_graph_embedder().all()
    probs = task.predictions(run.model.decoders[task.name], emb[task.ntype])
    assert probs.shape == (45, 3)
    torch.testing.assert_close(probs.sum(1), torch.ones(45))
    a.model.eval()
    torch.testing.assert_close(emb["item"], a.full_graph_embedder().all()["item"])
