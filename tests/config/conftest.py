"""Fixtures for the training-config tests: GraphStorm's ml-100k example and small variants."""

import copy

import pytest
import yaml

ML100K_NC = """
---
version: 1.0
gsf:
  basic:
    backend: gloo
    verbose: false
    save_perf_results_path: null
  gnn:
    model_encoder_type: rgcn
    fanout: "4"
    num_layers: 1
    hidden_size: 128
    use_mini_batch_infer: true
  input:
    restore_model_path: null
  output:
    save_model_path: /data/ml-100k/models
    save_embed_path: /data/ml-100k/embed
  hyperparam:
    dropout: 0.
    lr: 0.001
    num_epochs: 3
    batch_size: 128
    wd_l2norm: 0
  rgcn:
    num_bases: -1
    use_self_loop: true
    sparse_optimizer_lr: 1e-2
    use_node_embeddings: false
  node_classification:
    target_ntype: "movie"
    label_field: "label"
    multilabel: false
    num_classes: 19
"""

MINIMAL = {
    "version": 1.0,
    "gsf": {
        "gnn": {"model_encoder_type": "rgcn", "num_layers": 2, "hidden_size": 16, "fanout": "10,5"},
        "hyperparam": {"lr": 0.01, "batch_size": 32},
    },
}


@pytest.fixture
def ml100k_text() -> str:
    return ML100K_NC


@pytest.fixture
def ml100k() -> dict:
    """GraphStorm's ml-100k node-classification YAML, parsed."""
    return yaml.safe_load(ML100K_NC)


@pytest.fixture
def with_task():
    """``with_task("link_prediction", {...})``: a minimal valid document with that task section."""

    def make(name: str, keys: dict) -> dict:
        doc = copy.deepcopy(MINIMAL)
        doc["gsf"][name] = keys
        return doc

    return make
