"""Small synthetic inputs for gconstruct tests."""

import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def write_toy_tables(root, n_users=30, n_items=20, n_edges=200, seed=0, string_ids=True):
    """users (id, age, label), items (id, vec), edges (src, dst, w); returns the arrays written."""
    rng = np.random.default_rng(seed)
    os.makedirs(root, exist_ok=True)
    uid = [f"u{i}" for i in range(n_users)] if string_ids else list(range(100, 100 + n_users))
    iid = list(range(1000, 1000 + n_items))
    age = rng.uniform(10, 70, n_users).astype(np.float32)
    label = rng.integers(0, 3, n_users)
    pq.write_table(pa.table({"id": uid, "age": age, "label": label}), os.path.join(root, "users.parquet"))
    vec = rng.normal(size=(n_items, 4)).astype(np.float32)
    pq.write_table(pa.table({"id": iid, "vec": list(vec)}), os.path.join(root, "items.parquet"))
    src = rng.integers(0, n_users, n_edges)
    dst = rng.integers(0, n_items, n_edges)
    w = np.arange(n_edges, dtype=np.float32)
    pq.write_table(pa.table({"src": [uid[s] for s in src], "dst": [iid[d] for d in dst], "w": w}),
                   os.path.join(root, "edges.parquet"))
    return {"uid": uid, "iid": iid, "age": age, "label": label, "vec": vec, "src": src, "dst": dst, "w": w}


def toy_config(**over):
    conf = {
        "version": "gconstruct-v0.1",
        "nodes": [
            {"node_type": "user", "format": {"name": "parquet"}, "files": "users.parquet", "node_id_col": "id",
             "features": [{"feature_col": "age", "transform": {"name": "max_min_norm"}}],
             "labels": [{"label_col": "label", "task_type": "classification", "split_pct": [0.6, 0.2, 0.2]}]},
            {"node_type": "item", "format": {"name": "parquet"}, "files": "items.parquet", "node_id_col": "id",
             "features": [{"feature_col": "vec"}]},
        ],
        "edges": [
            {"relation": ["user", "buys", "item"], "format": {"name": "parquet"}, "files": "edges.parquet",
             "source_id_col": "src", "dest_id_col": "dst", "features": [{"feature_col": "w"}]},
        ],
    }
    conf.update(over)
    return conf


def write_config(root, conf, name="conf.json"):
    path = os.path.join(root, name)
    with open(path, "w") as fh:
        json.dump(conf, fh)
    return path
