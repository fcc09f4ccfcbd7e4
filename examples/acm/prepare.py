"""Turn HAN's ``ACM3025.mat`` into Parquet tables for gs-construct.

ACM3025.mat (HAN, Wang et al. WWW 2019; this copy from the O2MAC authors) holds only papers:
``feature`` (3025x1870 binary keywords), ``label`` (3025x3 one-hot), the standard split
``train_idx``/``val_idx``/``test_idx`` (0-based), and meta-path adjacency matrices between
papers: ``PAP`` (paper-author-paper), ``PLP`` (paper-subject-paper) and two extra views
``PMP``, ``PTP``. It has no paper-author / paper-subject incidence matrices (no ``PvsA``,
``PvsL``), so author and subject nodes cannot be built. The graph is therefore one node type,
``paper``, and one ``paper -> paper`` edge type per meta-path (by default HAN's two, ``PAP``
and ``PLP``): a multi-relation graph, which is what HAN itself trains on. The matrices are
symmetric, so each edge type already holds both directions; self loops (the diagonal) are
dropped. Do not pass ``--add-reverse-edges`` to gs-construct: it would only duplicate them.

Writes to OUT (nothing from the dataset goes into the repository):
- ``paper.parquet``: ``id`` (int64, 0..3024 = the row in the .mat), ``feat``
  (fixed_size_list<uint8>[1870]), ``label`` (int64 class 0..2);
- ``edges_<MP>.parquet`` per meta-path: ``src_id``, ``dst_id`` (int64 paper IDs);
- ``split/{train,valid,test}.parquet``: column ``id``, the standard HAN split (600/300/2125);
- ``acm_construct.json``: a copy of ``examples/acm/acm_construct.json`` (its ``files`` are
  relative to OUT). With ``--meta-paths`` other than ``PAP,PLP`` the copy lists those edges.

Usage::

    python examples/acm/prepare.py --data-dir ../shared/data/acm-han --output-dir OUT
    gs-construct --conf-file OUT/acm_construct.json --output-dir OUT/graph --num-parts 1
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
META_PATHS = ("PAP", "PLP", "PMP", "PTP")


def _edges(adj: np.ndarray) -> pa.Table:
    src, dst = np.nonzero(adj)
    keep = src != dst
    return pa.table({"src_id": src[keep].astype(np.int64), "dst_id": dst[keep].astype(np.int64)})


def construct_config(meta_paths) -> dict:
    """The shipped gconstruct JSON, with its edge list narrowed/extended to ``meta_paths``."""
    with open(os.path.join(HERE, "acm_construct.json")) as fh:
        conf = json.load(fh)
    template = conf["edges"][0]
    conf["edges"] = [dict(template, relation=["paper", mp, "paper"], files=f"edges_{mp}.parquet")
                     for mp in meta_paths]
    return conf


def prepare(data_dir: str, out: str, meta_paths=("PAP", "PLP")) -> dict:
    from scipy.io import loadmat

    bad = [m for m in meta_paths if m not in META_PATHS]
    if bad:
        raise SystemExit(f"unknown meta-path(s) {bad}; choose from {list(META_PATHS)}")
    mat = loadmat(os.path.join(data_dir, "ACM3025.mat"))
    feat = np.ascontiguousarray(mat["feature"], dtype=np.uint8)
    n, d = feat.shape
    onehot = mat["label"]
    if not (onehot.sum(axis=1) == 1).all():
        raise SystemExit("ACM3025.mat: 'label' is not one-hot")
    label = np.argmax(onehot, axis=1).astype(np.int64)
    os.makedirs(os.path.join(out, "split"), exist_ok=True)
    feat_col = pa.FixedSizeListArray.from_arrays(pa.array(feat.reshape(-1)), d)
    pq.write_table(pa.table({"id": np.arange(n, dtype=np.int64), "feat": feat_col, "label": label}),
                   os.path.join(out, "paper.parquet"))
    counts = {"paper": n}
    for mp in meta_paths:
        t = _edges(mat[mp])
        pq.write_table(t, os.path.join(out, f"edges_{mp}.parquet"))
        counts[mp] = t.num_rows
    for split, key in (("train", "train_idx"), ("valid", "val_idx"), ("test", "test_idx")):
        ids = np.asarray(mat[key]).reshape(-1).astype(np.int64)
        pq.write_table(pa.table({"id": ids}), os.path.join(out, "split", f"{split}.parquet"))
        counts[split] = len(ids)
    with open(os.path.join(out, "acm_construct.json"), "w") as fh:
        json.dump(construct_config(meta_paths), fh, indent=2)
    return counts


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", required=True, help="folder holding ACM3025.mat")
    ap.add_argument("--output-dir", required=True)
    ap.add_argument("--meta-paths", default="PAP,PLP",
                    help=f"comma-separated edge types to write, from {','.join(META_PATHS)} (default PAP,PLP)")
    a = ap.parse_args()
    c = prepare(a.data_dir, a.output_dir, [m.strip() for m in a.meta_paths.split(",") if m.strip()])
    print(f"wrote ACM tables to {a.output_dir}: {c}")
