"""``bert_hf``: embed text with a HuggingFace language model.

Each string is tokenized (truncated to ``max_seq_length`` tokens) and run through the model under
``torch.no_grad`` in batches of ``infer_batch_size`` (GraphStorm's default: 1024), with a progress
bar. The feature is, as in GraphStorm, the model's **pooled output** (``pooler_output``: the [CLS]
hidden state through the pretrained dense+tanh pooler). A model without a pooler, or whose
checkpoint lacks the pooler weights, gives the raw [CLS] hidden state (``last_hidden_state[:, 0]``)
instead, because a freshly initialised pooler would make the output random.

Batches are padded to their longest string rather than to ``max_seq_length``; with the attention
mask this gives the same embeddings, faster. The model runs on GPU when one is available.

``bert_model`` is a local model directory or a Hub name (see :mod:`.hf_models`). A null string is
embedded as the empty string. Nothing is fitted. Output: float32 ``[n, hidden_size]`` unless
``out_dtype`` says otherwise. One column only.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from graphstorm_py.progress import progress

from .base import FeatureTransform, TransformContext, register
from .columns import texts
from .hf_models import load_model, load_tokenizer
from .tokenize_hf import tokenize

__all__ = ["BertHF"]


@register
class BertHF(FeatureTransform):
    name = "bert_hf"
    single_column = True

    class Params(FeatureTransform.Params):
        bert_model: str = Field(min_length=1)
        max_seq_length: int = Field(ge=1)
        infer_batch_size: int = Field(1024, ge=1)

    def _apply(self, state: dict, cols, ctx: TransformContext) -> dict[str, np.ndarray]:
        import torch

        p = self.params
        tokenizer = load_tokenizer(p.bert_model)
        model, has_pooler = load_model(p.bert_model)
        device = next(model.parameters()).device
        strings = texts(cols[0], self.columns[0])
        # batches of similar length pad little; the attention mask keeps the embeddings unchanged
        lengths = np.fromiter((len(x) for x in strings), dtype=np.int64, count=len(strings))
        order = np.argsort(lengths, kind="stable")
        strings = [strings[i] for i in order]
        outs = []
        starts = range(0, len(strings), p.infer_batch_size)
        with torch.no_grad():
            for start in progress(starts, desc=f"bert_hf {self.feature_name}", unit="batch", leave=False):
                enc = tokenize(tokenizer, strings[start:start + p.infer_batch_size], p.max_seq_length,
                               pad_to_max=False)
                inputs = {k: torch.as_tensor(v, dtype=torch.long, device=device)
                          for k, v in enc.items() if k in tokenizer.model_input_names}
                res = model(**inputs)
                emb = res.pooler_output if has_pooler else res.last_hidden_state[:, 0]
                outs.append(emb.float().cpu().numpy())
        if not outs:
            return {self.feature_name: np.zeros((0, model.config.hidden_size), dtype=np.float32)}
        emb = np.empty((len(order), outs[0].shape[1]), dtype=np.float32)
        emb[order] = np.concatenate(outs)
        return {self.feature_name: emb}

    def output_info(self, state: dict) -> dict[str, dict]:
        return {self.feature_name: {"kind": "lm_embedding", "bert_model": self.params.bert_model}}
