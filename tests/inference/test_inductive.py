"""Inductive inference: nodes unseen at training get identical feature transforms and predictions."""

import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from graphstorm_py.graph import GraphDataset


def _cli(module, args):
    mod = __import__(f"graphstorm_py.{module}.cli", fromlist=["main"])
    with pytest.raises(SystemExit) as exc:
        mod.main(args)
    assert exc.value.code == 0


def _tables(root, users, held=()):
    """The same data every call; ``held`` users and their edges are left out."""
    rng = np.random.default_rng(1)
    os.makedirs(root, exist_ok=True)
    n = len(users)
    users_t = pa.table({"id": users, "age": rng.uniform(10, 80, n).astype(np.float32),
                        "segment": rng.choice(["a", "b", "c"], n), "label": rng.integers(0, 2, n)})
    items = list(range(20))
    items_t = pa.table({"id": items, "vec": list(rng.normal(size=(20, 3)).astype(np.float32))})
    edges_t = pa.table({"src": rng.choice(users, 150), "dst": rng.choice(items, 150)})
    keep_u = np.array([u not in held for u in users])
    keep_e = np.array([u not in held for u in edges_t["src"].to_pylist()])
    pq.write_table(users_t.filter(pa.array(keep_u)), os.path.join(root, "users.parquet"))
    pq.write_table(items_t, os.path.join(root, "items.parquet"))
    pq.write_table(edges_t.filter(pa.array(keep_e)), os.path.join(root, "edges.parquet"))
    conf = {"version": "gconstruct-v0.1", "nodes": [
        {"node_type": "user", "format": {"name": "parquet"}, "files": "users.parquet", "node_id_col": "id",
         "features": [{"feature_col": "age", "transform": {"name": "max_min_norm"}},
                      {"feature_col": "segment", "transform": {"name": "to_categorical"}}],
         "labels": [{"label_col": "label", "task_type": "classification"}]},
        {"node_type": "item", "format": {"name": "parquet"}, "files": "items.parquet", "node_id_col": "id",
         "features": [{"feature_col": "vec"}]}],
        "edges": [{"relation": ["user", "clicks", "item"], "format": {"name": "parquet"}, "files": "edges.parquet",
                   "source_id_col": "src", "dest_id_col": "dst"}]}
    with open(os.path.join(root, "conf.json"), "w") as fh:
        json.dump(conf, fh)


def test_unseen_nodes_get_predictions(tmp_path):
    all_users = [f"u{i}" for i in range(60)]
    held = all_users[-6:]
    _tables(str(tmp_path / "train"), all_users, held)
    _cli("gconstruct", ["--conf-file", str(tmp_path / "train/conf.json"), "--output-dir", str(tmp_path / "g1"),
                        "--add-reverse-edges", "--quiet"])
    train_yaml = tmp_path / "nc.yaml"
    train_yaml.write_text(yaml.safe_dump({"version": 1.0, "gsf": {
        "gnn": {"model_encoder_type": "rgcn", "fanout": "5", "num_layers": 1, "hidden_size": 8,
                "use_mini_batch_infer": False, "node_feat_name": ["user:age,segment", "item:vec"]},
        "hyperparam": {"lr": 0.01, "num_epochs": 1, "batch_size": 16, "seed": 3},
        "node_classification": {"target_ntype": "user", "label_field": "label", "num_classes": 2}}}))
    _cli("training", ["--cf", str(train_yaml), "--part-config", str(tmp_path / "g1"),
                      "--save-model-path", str(tmp_path / "m"), "--quiet"])
    _tables(str(tmp_path / "full"), all_users)
    _cli("gconstruct", ["--conf-file", str(tmp_path / "full/conf.json"), "--output-dir", str(tmp_path / "g2"),
                        "--add-reverse-edges", "--quiet", "--transform-conf", str(tmp_path / "g1/metadata.json")])
    g1, g2 = GraphDataset.open(str(tmp_path / "g1")), GraphDataset.open(str(tmp_path / "g2"))
    # the training graph's fitted state produced the new graph's features
    assert g2.meta.transforms["node/user/age"] == g1.meta.transforms["node/user/age"]
    f1 = dict(zip(g1.orig_ids("user").to_pylist(), g1.node_array("user", "segment").tolist()))
    f2 = dict(zip(g2.orig_ids("user").to_pylist(), g2.node_array("user", "segment").tolist()))
    assert all(f2[u] == f1[u] for u in f1)
    ckpt = json.loads((tmp_path / "m/results.json").read_text())["best_checkpoint"]
    _cli("inference", ["--cf", str(train_yaml), "--part-config", str(tmp_path / "g2"), "--restore-model-path", ckpt,
                       "--save-embed-path", str(tmp_path / "emb"), "--save-prediction-path", str(tmp_path / "pred"),
                       "--infer-all-target-nodes", "--quiet"])
    pred = pq.read_table(str(tmp_path / "pred/user"))
    assert set(held) <= set(pred["nid"].to_pylist()) and pred.num_rows == 60
    emb = pq.read_table(str(tmp_path / "emb/user"))
    rows = {n: e for n, e in zip(emb["nid"].to_pylist(), emb["emb"].to_pylist())}
    assert all(np.isfinite(rows[u]).all() for u in held)


def test_gs_train_writes_embeddings_of_best_model(tmp_path):
    """save_embed_path in the training YAML: gs-train writes the best checkpoint's embeddings like gs-infer."""
    users = [f"u{i}" for i in range(40)]
    _tables(str(tmp_path / "t"), users)
    _cli("gconstruct", ["--conf-file", str(tmp_path / "t/conf.json"), "--output-dir", str(tmp_path / "g"),
                        "--add-reverse-edges", "--quiet"])
    conf = tmp_path / "nc.yaml"
    conf.write_text(yaml.safe_dump({"version": 1.0, "gsf": {
        "gnn": {"model_encoder_type": "rgcn", "fanout": "5", "num_layers": 1, "hidden_size": 8,
                "use_mini_batch_infer": False, "node_feat_name": ["user:age,segment", "item:vec"]},
        "hyperparam": {"lr": 0.01, "num_epochs": 1, "batch_size": 16, "seed": 3},
        "output": {"save_embed_path": str(tmp_path / "emb")},
        "node_classification": {"target_ntype": "user", "label_field": "label", "num_classes": 2}}}))
    with pytest.raises(SystemExit) as exc:  # as in GraphStorm, no saved model is needed (issue 13)
        __import__("graphstorm_py.training.cli", fromlist=["main"]).main(
            ["--cf", str(conf), "--part-config", str(tmp_path / "g"), "--quiet"])
    assert exc.value.code == 0 and (tmp_path / "emb/_SUCCESS").exists()
    _cli("training", ["--cf", str(conf), "--part-config", str(tmp_path / "g"), "--save-model-path",
                      str(tmp_path / "m"), "--quiet"])
    manifest = json.loads((tmp_path / "emb/_SUCCESS").read_text())
    assert manifest["datasets"]["user"]["rows"] == 40 and manifest["datasets"]["item"]["rows"] == 20
    assert sorted(pq.read_table(str(tmp_path / "emb/user"))["nid"].to_pylist()) == sorted(users)
