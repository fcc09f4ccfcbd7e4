"""The model gs-infer builds: the one the checkpoint was trained with.

GraphStorm's inference builds the model from the YAML and flags, loads what fits and silently
drops the rest (an inference run without the training's ``--num-ffn-layers-in-input 1`` loses
those layers). gs-infer instead takes the architecture keys (:data:`MODEL_KEYS`) from the
checkpoint's own config (:func:`adopt_checkpoint_architecture`), logging one WARNING per key
where the YAML/flags say otherwise, so the run equals one given the training's flags.

When a checkpoint still does not fit (another graph, feature widths), gs-infer stops
(:func:`~graphstorm_py.outputs.compat.check_checkpoint`), and :func:`explain_mismatch` adds
the model keys whose values differ from the checkpoint's own config::

    ... the checkpoint has parameters this model lacks, e.g. 'input_encoder.ngnn.movie.weights.0'
      the checkpoint was trained with num_ffn_layers_in_input=1 (this config: 0); pass the same
      values, e.g. --num-ffn-layers-in-input 1
"""

from __future__ import annotations

import logging
from typing import List

from graphstorm_py.config.overrides import flag_name
from graphstorm_py.errors import GSError
from graphstorm_py.model import load_checkpoint_config

__all__ = ["adopt_checkpoint_architecture", "explain_mismatch", "MODEL_KEYS"]

log = logging.getLogger(__name__)

MODEL_KEYS = ("model_encoder_type", "num_layers", "hidden_size", "num_bases", "num_heads", "use_self_loop",
              "num_ffn_layers_in_input", "num_ffn_layers_in_gnn", "num_ffn_layers_in_decoder",
              "use_node_embeddings", "gnn_norm", "decoder_norm", "decoder_bias", "node_feat_name",
              "sage_aggregator")
"""``gnn`` keys that decide the model's parameters."""


def adopt_checkpoint_architecture(cfg, checkpoint: str):
    """``cfg`` with the checkpoint's values of :data:`MODEL_KEYS`; one WARNING per key that differed.

    ``cfg`` unchanged when the checkpoint has no readable config (the load then reports it).
    """
    try:
        saved = load_checkpoint_config(checkpoint)
    except GSError:
        return cfg
    update = {}
    for key in MODEL_KEYS:
        mine, theirs = getattr(cfg.gnn, key, None), getattr(saved.gnn, key, None)
        if mine != theirs:
            log.warning("%s: the config says %r but the checkpoint %s was trained with %r; building the "
                        "checkpoint's model (%s %s)", key, mine, checkpoint, theirs, flag_name(key),
                        _text(saved.gnn.model_dump(mode="json")[key]))
            update[key] = theirs
    lm_model = _adopt_lm_pooling(cfg.lm_model, saved.lm_model, checkpoint)
    if not update and lm_model is cfg.lm_model:
        return cfg
    return cfg.model_copy(update={"gnn": cfg.gnn.model_copy(update=update), "lm_model": lm_model})


def _adopt_lm_pooling(mine, theirs, checkpoint: str):
    """``mine`` (the config's ``lm_model``) with each LM's ``pooling`` as the checkpoint trained it.

    The pooling decides the LM's output (the GNN's input) without changing any parameter, so a
    mismatch would load cleanly and give other numbers.
    """
    if mine is None or theirs is None:
        return mine
    entries, changed = [], False
    for entry in mine.node_lm_models:
        saved = next((e for t in entry.node_types for e in [theirs.lm_of(t)] if e is not None), None)
        if saved is not None and saved.pooling != entry.pooling:
            log.warning("lm_model pooling of %s: the config says %r but the checkpoint %s was trained with %r; "
                        "using the checkpoint's", ",".join(entry.node_types), entry.pooling, checkpoint,
                        saved.pooling)
            entry, changed = entry.model_copy(update={"pooling": saved.pooling}), True
        entries.append(entry)
    return mine.model_copy(update={"node_lm_models": entries}) if changed else mine


def explain_mismatch(cfg, checkpoint: str) -> str:
    """``""``, or a line naming the model keys where ``cfg`` and the checkpoint's config differ."""
    try:
        saved = load_checkpoint_config(checkpoint)
    except GSError:
        return ""
    diffs: List[str] = [k for k in MODEL_KEYS if getattr(cfg.gnn, k, None) != getattr(saved.gnn, k, None)]
    if not diffs:
        return ""
    was = ", ".join(f"{k}={getattr(saved.gnn, k)!r}" for k in diffs)
    now = ", ".join(repr(getattr(cfg.gnn, k)) for k in diffs)
    dumped = saved.gnn.model_dump(mode="json")
    hint = " ".join(f"{flag_name(k)} {_text(dumped[k])}" for k in diffs if dumped[k] is not None)
    return (f"the checkpoint was trained with {was} (this config: {now}); pass the same values"
            + (f", e.g. {hint}" if hint else ""))


def _text(value) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value).lower() if isinstance(value, bool) else str(value)
