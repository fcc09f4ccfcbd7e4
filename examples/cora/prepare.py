"""Turn Planetoid Cora (``converted/`` form) into Parquet tables and a gconstruct config.

Writes to OUT:

- ``nodes.parquet``: ``id``, ``label`` (0..6), ``feat`` (1,433 floats; bag of words, each row
  divided by its sum unless ``--raw-features``, as GCN and PyG's ``NormalizeFeatures`` do);
- ``edges.parquet``: ``src``, ``dst``, both directions of every undirected citation
  (10,556 rows), so the graph is homogeneous: one node type ``_N``, one edge type
  ``_N,_E,_N`` (GraphStorm's names for homogeneous graphs);
- ``split/{train,val,test}.txt``: the public Planetoid split (140 / 500 / 1,000 node ids),
  read by gconstruct through ``custom_split_filenames``;
- ``cora_construct.json``: the gconstruct config (copied from this folder).

Then build the graph and train::

    python examples/cora/prepare.py --data-dir ../shared/data/planetoid-cora --output-dir /tmp/cora
    gs-construct --conf-file /tmp/cora/cora_construct.json --output-dir /tmp/cora/graph --num-parts 1
    gs-train --cf examples/cora/cora_nc.yaml --part-config /tmp/cora/graph
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))


def _features(path: str, normalize: bool) -> np.ndarray:
    z = np.load(path, allow_pickle=False)
    n, d = (int(v) for v in z["shape"])
    x = np.zeros((n, d), dtype=np.float32)
    rows = np.repeat(np.arange(n), np.diff(z["indptr"]))
    x[rows, z["indices"]] = z["data"]
    if normalize:
        x /= np.maximum(x.sum(1, keepdims=True), 1.0)
    return x


def prepare(data_dir: str, out: str, normalize: bool = True) -> None:
    conv = os.path.join(data_dir, "converted")
    os.makedirs(os.path.join(out, "split"), exist_ok=True)
    with open(os.path.join(conv, "nodes.csv")) as fh:
        nodes = list(csv.DictReader(fh))
    ids = np.array([int(r["node_id"]) for r in nodes], dtype=np.int64)
    x = _features(os.path.join(conv, "features.npz"), normalize)[ids]
    feat = pa.FixedSizeListArray.from_arrays(pa.array(x.reshape(-1)), x.shape[1])
    pq.write_table(pa.table({"id": ids, "label": np.array([int(r["label"]) for r in nodes]), "feat": feat}),
                   os.path.join(out, "nodes.parquet"))
    e = np.loadtxt(os.path.join(conv, "edges.csv"), delimiter=",", skiprows=1, dtype=np.int64)
    src, dst = np.concatenate([e[:, 0], e[:, 1]]), np.concatenate([e[:, 1], e[:, 0]])
    pq.write_table(pa.table({"src": src, "dst": dst}), os.path.join(out, "edges.parquet"))
    for split in ("train", "val", "test"):
        chosen = [r["node_id"] for r in nodes if r["split"] == split]
        with open(os.path.join(out, "split", f"{split}.txt"), "w") as fh:
            fh.write("\n".join(chosen) + "\n")
    shutil.copy(os.path.join(HERE, "cora_construct.json"), os.path.join(out, "cora_construct.json"))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", required=True, help="the planetoid-cora folder (with converted/)")
    ap.add_argument("--output-dir", required=True)
    ap.add_argument("--raw-features", action="store_true", help="keep the 0/1 bag of words unnormalised")
    a = ap.parse_args()
    prepare(a.data_dir, a.output_dir, normalize=not a.raw_features)
    print(f"wrote Cora tables and cora_construct.json to {a.output_dir}")
