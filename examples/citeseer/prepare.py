"""Build the CiteSeer-M10 titles graph (../shared/data/citeseer-m10-tag) for the LM examples.

- node type ``paper``: the 10,310 papers that have a title and a label; titles tokenized with
  all-MiniLM-L6-v2's tokenizer to 32 tokens (``input_ids`` int32, ``attention_mask`` uint8, as
  ``tokenize_hf`` stores them); label ``label`` (10 classes) with a seeded, stratified 60/20/20
  split (``--seed``, default 0).
- edge type ``paper,cites,paper``: the citations among those papers in both directions as one
  relation (duplicates and self loops dropped); with ``--lp`` every edge also gets ``train_mask``
  (link-prediction pre-training for GALM).

    python examples/citeseer/prepare.py --data ../shared/data/citeseer-m10-tag --output citeseer_graph
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import pyarrow as pa

from graphstorm_py.gconstruct.transforms.hf_models import load_tokenizer
from graphstorm_py.gconstruct.transforms.tokenize_hf import tokenize
from graphstorm_py.graph import EdgeTypeData, NodeTypeData, write_graph

DEFAULT_DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "citeseer-m10-tag")


def read_papers(data: str):
    titles, labels = {}, {}
    with open(os.path.join(data, "docs.txt"), encoding="utf-8") as f:
        for line in f:
            pid, _, title = line.rstrip("\n").partition(" ")
            if pid:
                titles[pid] = title.strip()
    with open(os.path.join(data, "labels.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                labels[parts[0]] = int(parts[1])
    ids = sorted(set(titles) & set(labels))
    edges = set()
    index = {p: i for i, p in enumerate(ids)}
    with open(os.path.join(data, "adjedges.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0] not in index:
                continue
            a = index[parts[0]]
            for nb in parts[1:]:
                b = index.get(nb)
                if b is not None and b != a:
                    edges.add((a, b))
                    edges.add((b, a))
    return ids, [titles[p] for p in ids], np.array([labels[p] for p in ids]), np.array(sorted(edges))


def stratified_masks(labels: np.ndarray, seed: int, frac=(0.6, 0.2)):
    rng = np.random.default_rng(seed)
    masks = [np.zeros(len(labels), np.uint8) for _ in range(3)]
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        a, b = int(round(frac[0] * len(idx))), int(round((frac[0] + frac[1]) * len(idx)))
        masks[0][idx[:a]], masks[1][idx[a:b]], masks[2][idx[b:]] = 1, 1, 1
    return masks


def build(data: str, output: str, seed: int = 0, max_len: int = 32, lp: bool = False) -> str:
    ids, titles, labels, edges = read_papers(data)
    tok = tokenize(load_tokenizer("all-MiniLM-L6-v2"), titles, max_len)
    tr, va, te = stratified_masks(labels, seed)
    arrays = {"input_ids": tok["input_ids"].astype(np.int32), "attention_mask": tok["attention_mask"].astype(np.uint8),
              "label": labels.astype(np.int64), "train_mask": tr, "val_mask": va, "test_mask": te}
    info = {"input_ids": {"kind": "token_ids", "bert_model": "all-MiniLM-L6-v2"},
            "attention_mask": {"kind": "attention_mask", "bert_model": "all-MiniLM-L6-v2"}}
    nodes = {"paper": NodeTypeData(pa.array(ids), arrays, info, {"label": {
        "task_type": "classification", "num_classes": 10,
        "masks": {"train": "train_mask", "val": "val_mask", "test": "test_mask"}}})}
    emasks = {}
    if lp:      # link prediction (GALM pre-training): every citation is a training edge
        emasks = {"train_mask": np.ones(len(edges), np.uint8)}
    etypes = {("paper", "cites", "paper"): EdgeTypeData(edges[:, 0].copy(), edges[:, 1].copy(), emasks)}
    write_graph(output, "citeseer_m10", nodes, etypes)
    return output


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--output", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lp", action="store_true", help="add an edge train_mask for link-prediction pre-training")
    args = ap.parse_args(argv)
    build(args.data, args.output, args.seed, lp=args.lp)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
