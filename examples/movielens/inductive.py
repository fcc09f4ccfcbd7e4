"""Inductive inference on MovieLens-100k: movies unseen at training time get predictions.

1. Hold out ``--holdout`` movies (and their ratings) from the tables; build the training graph.
2. Train ``ml_nc.yaml`` on it.
3. Build the full graph with ``gs-construct --transform-conf TRAIN_GRAPH/metadata.json``, so
   features are transformed with the training graph's fitted state.
4. ``gs-infer --infer-all-target-nodes`` on the full graph; report the accuracy on the
   held-out movies, and on the others for comparison.

    python examples/movielens/inductive.py --data-dir ../shared/data/movielens-100k --workdir /tmp/ind
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from prepare import prepare  # noqa: E402


def _tool(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def _run(cmd):
    print("$ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def _tables(full: str, out: str, held: np.ndarray) -> None:
    os.makedirs(out, exist_ok=True)
    held_arr = pa.array(held)
    movies = pq.read_table(os.path.join(full, "movies.parquet"))
    pq.write_table(movies.filter(pc.invert(pc.is_in(movies["id"], held_arr))), os.path.join(out, "movies.parquet"))
    ratings = pq.read_table(os.path.join(full, "ratings.parquet"))
    pq.write_table(ratings.filter(pc.invert(pc.is_in(ratings["dst_id"], held_arr))),
                   os.path.join(out, "ratings.parquet"))
    shutil.copy(os.path.join(full, "users.parquet"), out)
    shutil.copy(os.path.join(HERE, "ml_construct.json"), out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--holdout", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    full, train_tables = os.path.join(a.workdir, "full"), os.path.join(a.workdir, "train_tables")
    prepare(a.data_dir, full)
    shutil.copy(os.path.join(HERE, "ml_construct.json"), full)
    ids = pq.read_table(os.path.join(full, "movies.parquet"))["id"].to_numpy()
    held = np.sort(np.random.default_rng(a.seed).choice(ids, a.holdout, replace=False))
    _tables(full, train_tables, held)
    g_train, g_full = os.path.join(a.workdir, "graph_train"), os.path.join(a.workdir, "graph_full")
    construct = _tool("gs-construct")
    _run([construct, "--conf-file", os.path.join(train_tables, "ml_construct.json"), "--output-dir", g_train,
          "--add-reverse-edges", "--quiet"])
    models = os.path.join(a.workdir, "models")
    _run([_tool("gs-train"), "--cf", os.path.join(HERE, "ml_nc.yaml"), "--part-config", g_train,
          "--save-model-path", models, "--quiet"])
    with open(os.path.join(models, "results.json")) as fh:
        results = json.load(fh)
    _run([construct, "--conf-file", os.path.join(full, "ml_construct.json"), "--output-dir", g_full,
          "--add-reverse-edges", "--quiet", "--transform-conf", os.path.join(g_train, "metadata.json")])
    pred_dir = os.path.join(a.workdir, "pred")
    _run([_tool("gs-infer"), "--cf", os.path.join(HERE, "ml_nc.yaml"), "--part-config", g_full,
          "--restore-model-path", results["best_checkpoint"], "--save-prediction-path", pred_dir,
          "--infer-all-target-nodes", "--quiet"])
    pred = pq.read_table(os.path.join(pred_dir, "movie"))
    label = dict(zip(*(pq.read_table(os.path.join(full, "movies.parquet"))[c].to_pylist() for c in ("id", "label"))))
    nid = np.array(pred["nid"].to_pylist())
    guess = np.argmax(np.stack(pred["pred"].to_numpy(zero_copy_only=False)), axis=1)
    truth = np.array([label[i] for i in nid])
    is_held = np.isin(nid, held)
    report = {
        "heldout_movies": int(is_held.sum()),
        "heldout_with_predictions": int(is_held.sum()),
        "heldout_accuracy": round(float((guess[is_held] == truth[is_held]).mean()), 4),
        "seen_movies_accuracy": round(float((guess[~is_held] == truth[~is_held]).mean()), 4),
        "training_test_accuracy": results["test"].get("accuracy"),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
