"""The transformers-free tokenizer gives exactly AutoTokenizer's IDs and masks."""

import numpy as np
import pytest

from graphstorm_py.lm_models import resolve_model_path
from graphstorm_py.gconstruct.transforms.light_tokenizer import light_tokenizer_for

TEXTS = ["Toy Story (1995)", "", "a much longer title with many many words in it, truly very long indeed",
         "Café crème — naïve façade", "UPPER lower 123"]


@pytest.mark.parametrize("padding", ["max_length", True])
def test_matches_auto_tokenizer(padding):
    path = resolve_model_path("all-MiniLM-L6-v2")
    light = light_tokenizer_for(path)
    assert light is not None
    from transformers import AutoTokenizer

    ref = AutoTokenizer.from_pretrained(path, local_files_only=True)
    want = ref(TEXTS, max_length=12, truncation=True, padding=padding, return_tensors="np")
    got = light(TEXTS, max_length=12, truncation=True, padding=padding, return_tensors="np")
    for key in ("input_ids", "attention_mask", "token_type_ids"):
        np.testing.assert_array_equal(got[key], want[key], err_msg=key)
