"""Build the LM input layer's arguments from a training config and the graph's feature store.

::

    args = lm_input_args(cfg, store, ntypes)     # None without an lm_model block
    model = build_model(cfg.gnn, ..., lm_inputs=args)
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Sequence

from graphstorm_py.config.suggest import did_you_mean
from graphstorm_py.errors import ConfigError
from graphstorm_py.lm.encoder import LMEncoder
from graphstorm_py.lm.tokens import TokenSource

__all__ = ["lm_input_args"]

log = logging.getLogger(__name__)


def lm_input_args(cfg, store, ntypes: Sequence[str]) -> Optional[Dict[str, Any]]:
    """Keyword arguments of :class:`~graphstorm_py.lm.input_layer.LMNodeInputEncoder`, or None."""
    if cfg.lm_model is None:
        if cfg.gnn.model_encoder_type == "lm":
            raise ConfigError("model_encoder_type 'lm' needs a top-level lm_model block (node_lm_models)")
        return None
    lms, tokens = {}, {}
    for entry in cfg.lm_model.node_lm_models:
        for t in entry.node_types:
            if t not in ntypes:
                raise ConfigError(f"lm_model: node type {t!r} is not in the graph; "
                                  f"node types: {', '.join(ntypes)}{did_you_mean(t, ntypes)}")
            tokens[t] = TokenSource(store, t)          # checks the tokenize_hf arrays first (cheap)
        lm = LMEncoder.load(entry.model_name, entry.pooling, entry.gradient_checkpoint)
        model_type = getattr(getattr(lm.model, "config", None), "model_type", None)
        if model_type and entry.lm_type.lower() != model_type:
            log.warning("lm_model: lm_type %r, but %r is a %r model; its own config.json decides what is built",
                        entry.lm_type, entry.model_name, model_type)
        for t in entry.node_types:
            lms[t] = lm
    lmc = cfg.lm
    return {"lms": lms, "tokens": tokens, "lm_train_nodes": lmc.lm_train_nodes,
            "lm_infer_batch_size": lmc.lm_infer_batch_size, "lm_cache": lmc.lm_cache,
            "disk_cache": lmc.cache_lm_embed is not False, "lm_tune_lr": lmc.lm_tune_lr,
            "lm_warmup_steps": lmc.lm_warmup_steps}
