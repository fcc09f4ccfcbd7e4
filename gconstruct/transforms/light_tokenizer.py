"""A tokenizer straight from ``tokenizer.json`` with the ``tokenizers`` library, without transformers.

Importing transformers pulls in torch (~200 MB of memory, ~2 s), which ``tokenize_hf`` does not
need: a fast HuggingFace tokenizer *is* a ``tokenizers.Tokenizer`` built from the model folder's
``tokenizer.json``. :class:`LightTokenizer` offers the small part of the transformers call
interface the transforms use (truncation to ``max_length``, padding to it or to the longest
string, numpy outputs), and gives the same IDs (a test checks it against ``AutoTokenizer``).
"""

from __future__ import annotations

import json
import os
from typing import Dict, List, Optional

import numpy as np

__all__ = ["LightTokenizer", "light_tokenizer_for"]


class LightTokenizer:
    model_input_names = ["input_ids", "token_type_ids", "attention_mask"]

    def __init__(self, tokenizer, pad_token: str):
        self._tok = tokenizer
        self.pad_token = pad_token
        self.pad_id = tokenizer.token_to_id(pad_token)

    def __call__(self, strings: List[str], max_length: int, truncation: bool = True, padding="max_length",
                 return_tensors: str = "np") -> Dict[str, np.ndarray]:
        tok = self._tok
        if truncation:
            tok.enable_truncation(max_length)
        else:
            tok.no_truncation()
        length = max_length if padding == "max_length" else None
        tok.enable_padding(pad_id=self.pad_id, pad_token=self.pad_token, length=length)
        encs = tok.encode_batch(strings) if strings else []
        width = len(encs[0].ids) if encs else (max_length if length else 0)
        out = {"input_ids": np.zeros((len(encs), width), dtype=np.int64)}
        out["input_ids"][:] = [e.ids for e in encs] if encs else 0
        out["token_type_ids"] = np.asarray([e.type_ids for e in encs], dtype=np.int64).reshape(len(encs), width)
        out["attention_mask"] = np.asarray([e.attention_mask for e in encs], dtype=np.int64).reshape(len(encs), width)
        return out


def light_tokenizer_for(path: str) -> Optional[LightTokenizer]:
    """A LightTokenizer for a local model folder with ``tokenizer.json`` and a pad token, else None."""
    tj = os.path.join(path, "tokenizer.json")
    if not os.path.isfile(tj):
        return None
    pad = None
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        f = os.path.join(path, name)
        if os.path.isfile(f):
            with open(f) as fh:
                value = json.load(fh).get("pad_token")
            pad = value.get("content") if isinstance(value, dict) else value
            if pad:
                break
    if not pad:
        return None
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(tj)
    if tok.token_to_id(pad) is None:
        return None
    return LightTokenizer(tok, pad)
