"""``tokenize_hf``: tokenize text with a HuggingFace tokenizer, for LM+GNN training.

Each string is tokenized with truncation and padding to exactly ``max_seq_length`` tokens. The
transform outputs three arrays, named as GraphStorm names them (not prefixed by the feature name):

- ``input_ids``: int32 ``[n, max_seq_length]``, the token IDs (vocabularies are far below 2**31;
  half the bytes of int64 on disk and in memory);
- ``attention_mask``: uint8, 1 for real tokens and 0 for padding;
- ``token_type_ids``: int8, segment IDs (zeros for tokenizers that have none).

``bert_model`` is a local model directory or a Hub name (see :mod:`.hf_models`). A null string
is tokenized as the empty string. Nothing is fitted; ``out_dtype`` is ignored. One column only.
``output_info`` tags each output with its ``kind`` and the ``bert_model`` that made it, so training
can check that it loads the matching LM.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from .base import FeatureTransform, TransformContext, register
from .columns import texts
from .hf_models import load_tokenizer

__all__ = ["TokenizeHF", "tokenize"]

OUTPUTS = ("input_ids", "attention_mask", "token_type_ids")


def tokenize(tokenizer, strings: list[str], max_seq_length: int, pad_to_max: bool = True) -> dict[str, np.ndarray]:
    """``{input_ids, attention_mask, token_type_ids}`` as numpy arrays for ``strings``."""
    enc = tokenizer(strings, max_length=max_seq_length, truncation=True,
                    padding="max_length" if pad_to_max else True, return_tensors="np")
    ids = np.asarray(enc["input_ids"], dtype=np.int32)
    types = enc.get("token_type_ids")
    return {
        "input_ids": ids,
        "attention_mask": np.asarray(enc["attention_mask"], dtype=np.uint8),
        "token_type_ids": np.zeros_like(ids, dtype=np.int8) if types is None else np.asarray(types, dtype=np.int8),
    }


@register
class TokenizeHF(FeatureTransform):
    name = "tokenize_hf"
    default_dtype = None
    single_column = True
    accepts_out_dtype = False

    class Params(FeatureTransform.Params):
        bert_model: str = Field(min_length=1)
        max_seq_length: int = Field(ge=1)

    def _apply(self, state: dict, cols, ctx: TransformContext) -> dict[str, np.ndarray]:
        tokenizer = load_tokenizer(self.params.bert_model)
        return tokenize(tokenizer, texts(cols[0], self.columns[0]), self.params.max_seq_length)

    def output_info(self, state: dict) -> dict[str, dict]:
        kinds = {"input_ids": "token_ids", "attention_mask": "attention_mask", "token_type_ids": "token_type_ids"}
        return {name: {"kind": kinds[name], "bert_model": self.params.bert_model, "feature": self.feature_name}
                for name in OUTPUTS}
