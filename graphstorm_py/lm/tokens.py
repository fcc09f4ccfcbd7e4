"""Node tokens for the LM: ``input_ids`` / ``attention_mask`` rows from the feature store.

``tokenize_hf`` at construction writes both arrays per node type (GraphStorm's names). A graph
built with ``bert_hf`` only has embeddings, no tokens: asking for an LM on it is a
:class:`~graphstorm_py.errors.ConfigError` that names the ``tokenize_hf`` transform.

Rows are trimmed to the longest real sequence of the batch, so short titles do not pay for
``max_seq_length`` padding.
"""

from __future__ import annotations

from typing import Tuple

import torch

from graphstorm_py.errors import ConfigError
from graphstorm_py.store.base import FeatureStore

__all__ = ["TokenSource", "TOKEN_ARRAYS"]

TOKEN_ARRAYS = ("input_ids", "attention_mask")


class TokenSource:
    """Gathers a node type's tokens by nid."""

    def __init__(self, store: FeatureStore, ntype: str):
        missing = [n for n in TOKEN_ARRAYS if not store.has(ntype, n)]
        if missing:
            have = ", ".join(store.names(ntype)) or "no arrays"
            raise ConfigError(
                f"lm_model: node type {ntype!r} has no {' / '.join(missing)} array (it has {have}); "
                "an LM reads tokens, so build the graph with the 'tokenize_hf' transform on its text column "
                "(a 'bert_hf' feature holds frozen embeddings only)")
        self.store, self.ntype = store, ntype

    def __call__(self, nids: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        ids = nids.cpu().long()
        input_ids = self.store.gather(self.ntype, "input_ids", ids).reshape(ids.numel(), -1)
        mask = self.store.gather(self.ntype, "attention_mask", ids).reshape(ids.numel(), -1)
        if mask.numel():
            width = max(int(mask.sum(1).max()), 1)
            input_ids, mask = input_ids[:, :width], mask[:, :width]
        return input_ids.long(), mask.long()
