"""A tiny text-attributed graph and a tiny random BERT for the LM tests.

- ``paper`` (40): tokens ``input_ids`` / ``attention_mask`` (class-specific words + noise, padded to 8),
  an extra feature ``x`` (2 wide), label ``cls`` (4 classes) with train/val/test masks.
- ``author`` (10): no features. Edges ``paper,cites,paper`` (within a class), ``author,writes,paper``
  and their reverses.
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import torch
import yaml

from graphstorm_py.graph import EdgeTypeData, NodeTypeData, write_graph

NUM_PAPERS, NUM_AUTHORS, NUM_CLASSES, SEQ = 40, 10, 4, 8


def make_tiny_bert(path: str) -> str:
    """A 2-layer, 32-wide BERT with random weights, saved with save_pretrained (no network)."""
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=32)
    BertModel(cfg).save_pretrained(path)
    return path


def make_text_graph(root: str, seed: int = 0, tokens: bool = True, token_dtypes=(np.int32, np.uint8)) -> str:
    """``token_dtypes``: (input_ids, attention_mask) dtypes; tokenize_hf's are int32/uint8, older
    graphs have int64/int8."""
    rng = np.random.default_rng(seed)
    cls = np.arange(NUM_PAPERS) % NUM_CLASSES
    ids = np.zeros((NUM_PAPERS, SEQ), dtype=np.int32)
    mask = np.zeros((NUM_PAPERS, SEQ), dtype=np.uint8)
    for i in range(NUM_PAPERS):
        n = int(rng.integers(3, SEQ + 1))
        words = [2] + [10 + 10 * int(cls[i]) + int(rng.integers(0, 4)) for _ in range(n - 2)] + [3]
        ids[i, :n], mask[i, :n] = words, 1
    perm = rng.permutation(NUM_PAPERS)
    masks = [np.zeros(NUM_PAPERS, np.uint8) for _ in range(3)]
    for m, sel in zip(masks, (perm[:24], perm[24:32], perm[32:])):
        m[sel] = 1
    feats = {"x": rng.standard_normal((NUM_PAPERS, 2)).astype(np.float32), "cls": cls.astype(np.int64),
             "train_mask": masks[0], "val_mask": masks[1], "test_mask": masks[2]}
    info = {"x": {}}
    if tokens:
        feats.update(input_ids=ids.astype(token_dtypes[0]), attention_mask=mask.astype(token_dtypes[1]))
        info.update(input_ids={}, attention_mask={})
    else:
        feats["emb"] = rng.standard_normal((NUM_PAPERS, 8)).astype(np.float32)
        info["emb"] = {}
    src = np.array([i for i in range(NUM_PAPERS) for _ in range(3)])
    dst = np.array([int(rng.choice(np.flatnonzero(cls == cls[i]))) for i in src])
    a_src = rng.integers(0, NUM_AUTHORS, NUM_PAPERS)
    nodes = {
        "paper": NodeTypeData(pa.array([f"p{i}" for i in range(NUM_PAPERS)]), feats, info,
                              {"cls": {"task_type": "classification", "num_classes": NUM_CLASSES, "masks": {
                                  "train": "train_mask", "val": "val_mask", "test": "test_mask"}}}),
        "author": NodeTypeData(pa.array([f"a{i}" for i in range(NUM_AUTHORS)]), {}, {}, {}),
    }
    def emasks(n):
        perm = rng.permutation(n)
        out = [np.zeros(n, np.uint8) for _ in range(3)]
        for m, sel in zip(out, np.array_split(perm, [int(0.6 * n), int(0.8 * n)])):
            m[sel] = 1
        return dict(zip(("train_mask", "val_mask", "test_mask"), out))

    ec = {"cls": {"task_type": "classification", "num_classes": NUM_CLASSES,
                  "masks": {"train": "train_mask", "val": "val_mask", "test": "test_mask"}}}
    edges = {("paper", "cites", "paper"): EdgeTypeData(src, dst, emasks(len(src))),
             ("paper", "cited-by", "paper"): EdgeTypeData(dst.copy(), src.copy(), reverse_of=("paper", "cites", "paper")),
             ("author", "writes", "paper"): EdgeTypeData(a_src, np.arange(NUM_PAPERS),
                                                        {"cls": cls.astype(np.int64), **emasks(NUM_PAPERS)}, {}, ec),
             ("paper", "written-by", "author"): EdgeTypeData(np.arange(NUM_PAPERS), a_src,
                                                            reverse_of=("author", "writes", "paper"))}
    write_graph(root, "text", nodes, edges)
    return root


def lm_yaml(model: str, *, encoder: str = "rgcn", lm_train_nodes: int = 0, epochs: int = 2,
            lm: dict | None = None, gsf: dict | None = None, lm_entry: dict | None = None,
            task: dict | None = None) -> str:
    """A training YAML over :func:`make_text_graph` with an LM on ``paper``."""
    gnn = {"model_encoder_type": encoder, "hidden_size": 16, "node_feat_name": ["paper:x"]}
    if encoder not in ("lm", "mlp"):
        gnn.update(num_layers=1, fanout="4")
    doc = {"version": 1.0,
           "lm_model": {"node_lm_models": [{"lm_type": "bert", "model_name": model, "node_types": ["paper"],
                                            **(lm_entry or {})}]},
           "gsf": {"gnn": gnn,
                   "lm": {"lm_train_nodes": lm_train_nodes, "lm_infer_batch_size": 16, **(lm or {})},
                   "hyperparam": {"lr": 0.01, "num_epochs": epochs, "batch_size": 8, "seed": 1},
                   **(task or {"node_classification": {"target_ntype": "paper", "label_field": "cls",
                                                       "num_classes": 4}}),
                   **(gsf or {})}}
    return yaml.safe_dump(doc, sort_keys=False)


def write(folder, text: str, name: str = "train.yaml") -> str:
    path = os.path.join(str(folder), name)
    with open(path, "w") as fh:
        fh.write(text)
    return path
