"""MovieLens-100k link prediction quality: trained model vs a popularity baseline.

Trains ``ml_lp.yaml`` (rgcn, 1 layer, fanout 10, hidden 128, distmult, contrastive, joint
negatives) on a graph built with ``--add-reverse-edges``, restores the best checkpoint and
reports on the **test** edges of ``(user, rating, movie)``:

* ``sampled``: MRR / hits@10 against 100 joint-sampled negative movies per positive
  (``num_negative_edges_eval: 100``, what ``mrr`` in results.json means);
* ``full``: exact filtered MRR / hits@10 against all 1,682 movies (``lp_eval_ranking: full``);
* the popularity baseline: every user gets the same movie scores, the movie's degree in the
  **training** edges; ranked with the same sampled negatives and the same full filtered
  ranking, so the numbers compare directly;
* epoch time and full-ranking evaluation time.

    python examples/movielens/lp_quality.py --graph GRAPH_DIR --work-dir OUT [--epochs 10]

With ml_lp.yaml as committed (10 epochs, 512 joint negatives, lr 0.01) on the u1 graph: model
full filtered MRR 0.1036 / hits@10 0.2023 (sampled-100: 0.2708 / 0.5574) vs popularity 0.0538 /
0.1167 (sampled-100: 0.2193 / 0.4373).
"""

from __future__ import annotations

import argparse
import json
import os
import time

import torch

from graphstorm_py.config.loader import load_train_config
from graphstorm_py.eval.full_ranking import KnownEdges, full_ranking_ranks
from graphstorm_py.eval.ranking import hit_at_k, mrr, ranks_from_scores
from graphstorm_py.model.assemble import load_trained
from graphstorm_py.training.run import train

HERE = os.path.dirname(os.path.abspath(__file__))


def summary(ranks) -> dict:
    r = torch.cat(list(ranks.values())) if isinstance(ranks, dict) else ranks
    return {"mrr": round(mrr(r), 4), "hit_at_10": round(hit_at_k(r, 10), 4), "n": int(r.numel())}


def popularity(task, split: str, batch_size: int):
    """Sampled and full ranks of the training-degree scorer."""
    t = task.targets
    et = t.eval_etypes[0]
    n_dst = task.dataset.num_nodes(et[2])
    _, tr_dst = t.endpoints(et, t.eids[(et, "train")])
    deg = torch.bincount(tr_dst, minlength=n_dst).float()
    sampled = []
    for batch in task.eval_batches(split, batch_size):        # the very same negatives as the model's
        for g in batch.extra["groups"]:
            neg = g["neg"].per_row(g["dst"].numel())
            s_neg = deg[neg.dst].masked_fill(~g["neg"].scores_mask(g["dst"]), float("-inf"))
            sampled.append(ranks_from_scores(deg[g["dst"]], s_neg))
    src, dst = t.endpoints(et, t.eids[(et, split)])
    asrc, adst = t.coo(et)
    known = KnownEdges(asrc, adst, task.dataset.num_nodes(et[0]))
    ones = torch.ones(src.numel(), 1)
    full = full_ranking_ranks(lambda s, c: s @ c.T, ones, dst, deg.reshape(-1, 1), known, src)
    return torch.cat(sampled), full


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph", required=True)
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--conf", default=os.path.join(HERE, "ml_lp.yaml"))
    ap.add_argument("--epochs", type=int, default=None)
    args = ap.parse_args()
    over = ["--save-model-path", os.path.join(args.work_dir, "models")]
    if args.epochs:
        over += ["--num-epochs", str(args.epochs)]
    cfg = load_train_config(args.conf, over)
    results = train(cfg, args.graph)
    run = load_trained(results["best_checkpoint"], args.graph)
    task = run.tasks[0]
    decoder = run.model.decoders[task.name]
    bs = cfg.hyperparam.eval_batch_size
    with torch.no_grad():
        sampled = task.sampled_ranks(decoder, run.minibatch_embedder(cfg.gnn.eval_fanout, cfg.hyperparam.seed + 1,
                                                                     key="eval_fanout"), "test", bs)
        t0 = time.perf_counter()
        full = task.full_ranks(decoder, run.full_graph_embedder(), "test")
        full_s = time.perf_counter() - t0
    pop_sampled, pop_full = popularity(task, "test", bs)
    report = {
        "model": {"sampled_100_negatives": summary(sampled), "full_ranking_filtered": summary(full)},
        "popularity_baseline": {"sampled_100_negatives": summary(pop_sampled),
                                "full_ranking_filtered": summary(pop_full)},
        "epoch_time_s": results["time_per_epoch_s"],
        "full_ranking_eval_s (incl. full-graph inference)": round(full_s, 2),
        "best_epoch": results["best_epoch"],
        "results_json_test": results["test"],
    }
    print(json.dumps(report, indent=2))
    with open(os.path.join(args.work_dir, "lp_quality.json"), "w") as f:
        json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
