"""An rgcn first layer fed (feat, projection) pairs (the input projection after the aggregation)
equals projecting every input node first, outputs and gradients, and is used only for linear input encoders."""

import pytest
import torch
from model_helpers import NC_YAML, toy_graph, write_yaml  # noqa: F401  (fixture)

from graphstorm_py.config import load_train_config
from graphstorm_py.model import assemble, gnn_model, open_graph
from graphstorm_py.nn.encoders import rgcn


def _run(tmp_path, toy_graph, *overrides):
    torch.manual_seed(0)
    return assemble(load_train_config(write_yaml(tmp_path, NC_YAML), list(overrides)), open_graph(toy_graph))


@pytest.mark.parametrize("agg", ["csr", "scatter"])
def test_fused_input_equals_projecting_first(tmp_path, toy_graph, monkeypatch, agg):
    run = _run(tmp_path, toy_graph, "--num-layers", "2", "--fanout", "-1,-1")
    run.model.train()
    monkeypatch.setattr(rgcn, "_AGG", agg)
    assert run.model._first_layer_takes_linear_input()
    seeds = {"item": torch.tensor([3, 0, 44]), "user": torch.tensor([59, 1])}
    emb = run.minibatch_embedder("-1,-1")

    def forward_backward(fuse):
        monkeypatch.setattr(gnn_model, "_FUSE_INPUT", fuse)
        run.model.zero_grad()
        out = emb(seeds)
        sum((o * torch.linspace(-1, 1, o.numel()).reshape(o.shape)).sum() for o in out.values()).backward()
        grads = {n: p.grad.to_dense().clone() for n, p in run.model.named_parameters() if p.grad is not None}
        return {t: o.detach() for t, o in out.items()}, grads

    fused, g_fused = forward_backward(True)
    plain, g_plain = forward_backward(False)
    for t in plain:
        torch.testing.assert_close(fused[t], plain[t], atol=1e-5, rtol=1e-5)
    assert g_fused.keys() == g_plain.keys() and any("input_projs" in n for n in g_plain)
    for n in g_plain:
        torch.testing.assert_close(g_fused[n], g_plain[n], atol=1e-5, rtol=1e-5)


def test_no_fusion_with_input_dropout_or_other_encoders(tmp_path, toy_graph):
    run = _run(tmp_path, toy_graph, "--num-layers", "2", "--fanout", "-1,-1")
    run.model.input_encoder.dropout.p = 0.5
    assert not run.model._first_layer_takes_linear_input()
    run = _run(tmp_path, toy_graph, "--model-encoder-type", "rgat", "--num-layers", "1")
    assert not run.model._first_layer_takes_linear_input()
