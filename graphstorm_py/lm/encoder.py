"""One Hugging Face encoder over node tokens: load offline, pool, checkpoint, autocast.

::

    lm = LMEncoder.load("all-MiniLM-L6-v2", pooling=None, gradient_checkpoint=True)
    lm.pooling                    # "mean": read from the model's sentence-transformers files
    emb = lm(input_ids, attention_mask)          # [n, lm.out_dims], float32

Pooling (``cls`` | ``mean`` | ``pooler``): GraphStorm always takes ``pooler_output``. A
sentence encoder such as MiniLM was trained with mean pooling (its ``1_Pooling/config.json``
says so), and its pooler is untrained for that use, so the default here is what the model's
sentence-transformers files say, else ``pooler`` when the model has trained pooler weights,
else ``cls``. The choice is logged.

``gradient_checkpoint: true`` calls transformers' ``gradient_checkpointing_enable`` (non-reentrant),
which really recomputes activations in backward; GraphStorm only sets a config attribute
that transformers does not read. bf16 autocast is used on CUDA when the GPU supports it and on
CPUs with bf16 instructions (``avx512_bf16`` / AMX); fp32 otherwise.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
from typing import Optional

import torch
from torch import nn

from graphstorm_py.errors import ConfigError
from graphstorm_py.lm_models import resolve_model_path

__all__ = ["LMEncoder", "model_pooling", "autocast_for"]

log = logging.getLogger(__name__)


def model_pooling(path: str) -> Optional[str]:
    """The pooling a sentence-transformers model was trained with (``mean`` / ``cls``), or None."""
    for cand in (os.path.join(path, "1_Pooling", "config.json"),
                 os.path.join(os.path.dirname(path.rstrip(os.sep)), "1_Pooling", "config.json")):
        if os.path.isfile(cand):
            with open(cand) as f:
                cfg = json.load(f)
            if cfg.get("graphstorm_py_pooling") in ("cls", "mean", "pooler"):     # written by lm.export
                return cfg["graphstorm_py_pooling"]
            if cfg.get("pooling_mode_mean_tokens"):
                return "mean"
            if cfg.get("pooling_mode_cls_token"):
                return "cls"
    return None


@functools.lru_cache(maxsize=1)
def _cpu_has_bf16() -> bool:
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def autocast_for(device: torch.device):
    """bf16 autocast where the hardware runs it natively, else a no-op context."""
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.autocast("cuda", dtype=torch.bfloat16)
    if device.type == "cpu" and _cpu_has_bf16() and os.environ.get("GS_LM_BF16", "1") != "0":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _check_model_path(model_name: str, path: str, local: bool) -> None:
    """Name what is wrong with a ``model_name`` that is meant as a path, before transformers does."""
    if local:
        if not os.path.isfile(os.path.join(path, "config.json")):
            raise ConfigError(f"lm_model: model_name {model_name!r}: folder {path} has no config.json, so it is "
                              "not a Hugging Face model folder (python -m graphstorm_py.lm.export writes one)")
        return
    if os.path.exists(path):
        raise ConfigError(f"lm_model: model_name {model_name!r} is a file; give a model folder or name")
    # a name with one slash may be a hub id ("namespace/repo") in the HF cache: transformers decides
    path_like = os.path.isabs(path) or model_name.startswith((".", "~")) or (
        os.sep in model_name.rstrip(os.sep) and model_name.count("/") != 1)
    if path_like:
        raise ConfigError(f"lm_model: model_name {model_name!r}: no such folder"
                          + ("" if os.path.isabs(path) else f" (relative to the working folder {os.getcwd()})"))


class LMEncoder(nn.Module):
    """``(input_ids, attention_mask) -> [n, hidden]`` pooled, float32.

    Attributes:
        model: the transformers ``AutoModel``.
        pooling: ``cls``, ``mean`` or ``pooler``.
        model_name: what the config named (saved with checkpoints).
    """

    def __init__(self, model: nn.Module, pooling: str, model_name: str = ""):
        super().__init__()
        self.model, self.pooling, self.model_name = model, pooling, model_name

    @classmethod
    def load(cls, model_name: str, pooling: Optional[str] = None, gradient_checkpoint: bool = False) -> "LMEncoder":
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        path = os.path.expanduser(resolve_model_path(model_name))
        local = os.path.isdir(path)
        _check_model_path(model_name, path, local)
        try:
            model, info = AutoModel.from_pretrained(path, local_files_only=True, output_loading_info=True)
        except (OSError, ValueError, KeyError) as exc:
            if local:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise ConfigError(f"lm_model: cannot load model_name {model_name!r} (folder {path}): {first}") from None
            raise ConfigError(f"lm_model: model_name {model_name!r} is not a folder (looked in {os.getcwd()}), not a "
                              "packaged model and not in the local Hugging Face cache; nothing is downloaded") from None
        has_pooler = getattr(model, "pooler", None) is not None and \
            not any("pooler" in k for k in info.get("missing_keys", ()))
        how = "from lm_model"
        if pooling is None:
            pooling = (model_pooling(path) if local else None)
            how = "from the model's sentence-transformers files"
            if pooling is None:
                pooling, how = ("pooler", "the model has a trained pooler") if has_pooler else \
                    ("cls", "no pooler weights, no sentence-transformers pooling file")
        if pooling == "pooler" and getattr(model, "pooler", None) is None:
            raise ConfigError(f"lm_model: pooling 'pooler' but {model_name!r} has no pooler; use cls or mean")
        log.info("LM %s: %s pooling (%s)", model_name, pooling, how)
        if gradient_checkpoint:
            enable = getattr(model, "activation_checkpointing_enable", None)   # transformers >= 5
            if enable is not None:
                enable(activation_checkpointing_kwargs={"use_reentrant": False})
            else:
                model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        return cls(model, pooling, model_name)

    @property
    def out_dims(self) -> int:
        return int(self.model.config.hidden_size)

    @property
    def gradient_checkpointing(self) -> bool:
        for name in ("is_activation_checkpointing", "is_gradient_checkpointing"):
            if hasattr(type(self.model), name):
                return bool(getattr(self.model, name))
        return False

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        device = next(self.model.parameters()).device
        ids = input_ids.to(device, torch.long)
        mask = attention_mask.to(device, torch.long)
        with autocast_for(device):
            out = self.model(input_ids=ids, attention_mask=mask)
        if self.pooling == "pooler":
            return out.pooler_output.float()
        hidden = out.last_hidden_state.float()
        if self.pooling == "cls":
            return hidden[:, 0]
        m = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * m).sum(1) / m.sum(1).clamp_min(1.0)
