"""MovieLens-100k link prediction: 2 workers (2 partitions) against 1 worker, and the eval time.

Builds the graph once (examples/movielens/prepare.py, ml_construct.json, ``--num-parts 2
--add-reverse-edges``), then trains ``examples/movielens/ml_lp.yaml`` with
``--lp-eval-ranking full`` (filtered full-ranking MRR against all 1,682 movies) for every seed:

* ``one``: one process, ``batch_size`` 1024 (the plain ``gs-train``);
* ``two_half_batch``: 2 workers with ``batch_size`` 512 each, so a step sees 1024 edges and an
  epoch has as many optimiser steps as one worker's (the fair comparison);
* ``two_same_batch`` (``--with-same-batch``): 2 workers with 1024 each (half the steps).

It reports per setting the test ``full_mrr`` / ``full_hit_at_10`` of the model with the best
validation ``full_mrr``, mean ± std over the seeds. Then ``--eval-epochs`` epochs per worker
count (1 and 2, ``--eval-transports``) time the shared evaluation (val + test full ranking):
``eval_times_s`` of the slowest rank, median over the evaluations.

    python benchmarks/dist_quality.py --work-dir /tmp/dq [--seeds 0 1 2] [--epochs 10]

Prints one JSON line per figure and writes WORK_DIR/summary.json. Each finished training run is
kept in WORK_DIR/runs and reused by a later invocation (``--settings one`` and ``--settings
two_half_batch --skip-eval-time`` may run side by side, then one more invocation summarises).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
ML = os.path.join(REPO, "examples", "movielens")


def build(data: str, work: str) -> str:
    graph = os.path.join(work, "graph2")
    if os.path.exists(os.path.join(graph, "metadata.json")):
        return graph
    tables = os.path.join(work, "tables")
    subprocess.run([sys.executable, os.path.join(ML, "prepare.py"), "--data-dir", data, "--output-dir", tables],
                   check=True)
    shutil.copy(os.path.join(ML, "ml_construct.json"), tables)      # its file names are relative to it
    subprocess.run([os.path.join(BIN, "gs-construct"), "--conf-file", os.path.join(tables, "ml_construct.json"),
                    "--output-dir", graph, "--num-parts", "2", "--add-reverse-edges", "--quiet"], check=True)
    return graph


def train(graph: str, seed: int, epochs: int, *extra: str, env=None) -> dict:
    e = dict(os.environ, OMP_NUM_THREADS="1", **(env or {}))
    p = subprocess.run([os.path.join(BIN, "gs-train"), "--cf", os.path.join(ML, "ml_lp.yaml"), "--part-config",
                        graph, "--seed", str(seed), "--num-epochs", str(epochs), "--lp-eval-ranking", "full",
                        "--eval-metric", "mrr", "hit_at_10", "--quiet", *extra],
                       capture_output=True, text=True, env=e)
    if p.returncode:
        raise SystemExit(f"gs-train failed ({p.returncode}):\n{p.stderr[-4000:]}")
    return json.loads(p.stdout)


def figure(name: str, value, unit: str, **config) -> dict:
    row = {"figure": name, "value": value, "unit": unit, "config": config}
    print(json.dumps(row), flush=True)
    return row


def mean_std(xs):
    return round(statistics.mean(xs), 4), round(statistics.stdev(xs), 4) if len(xs) > 1 else 0.0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data", "movielens-100k"))
    p.add_argument("--work-dir", default=None)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--transport", default="collective", choices=["collective", "auto"])
    p.add_argument("--with-same-batch", action="store_true")
    p.add_argument("--eval-epochs", type=int, default=2)
    p.add_argument("--eval-transports", nargs="+", default=["collective", "auto"])
    p.add_argument("--skip-quality", action="store_true")
    p.add_argument("--settings", nargs="*", help="run only these settings (finished runs are kept in WORK_DIR/runs)")
    p.add_argument("--skip-eval-time", action="store_true")
    args = p.parse_args()
    work = args.work_dir or tempfile.mkdtemp(prefix="gs-dist-quality-")
    os.makedirs(work, exist_ok=True)
    graph = build(os.path.abspath(args.data), work)
    settings = {"one": [], "two_half_batch": ["--num-trainers", "2", "--graph-transport", args.transport,
                                              "--batch-size", "512"]}
    if args.with_same_batch:
        settings["two_same_batch"] = ["--num-trainers", "2", "--graph-transport", args.transport]
    rows, runs = [], {}
    os.makedirs(os.path.join(work, "runs"), exist_ok=True)
    if not args.skip_quality:
        for name, extra in settings.items():
            if args.settings and name not in args.settings:
                continue
            for seed in args.seeds:
                kept = os.path.join(work, "runs", f"{name}-seed{seed}-epochs{args.epochs}.json")
                if os.path.exists(kept):          # a finished run of an earlier invocation
                    with open(kept) as f:
                        run = json.load(f)
                else:
                    r = train(graph, seed, args.epochs, *extra)
                    run = {"seed": seed, "test": r["test"], "val": r["val"], "best_epoch": r["best_epoch"],
                           "time_per_epoch_s": r.get("time_per_epoch_s")}
                    with open(kept, "w") as f:
                        json.dump(run, f)
                runs.setdefault(name, []).append(run)
                print(json.dumps({"setting": name, **run}), flush=True)
            for m in ("full_mrr", "full_hit_at_10"):
                mu, sd = mean_std([x["test"][m] for x in runs[name]])
                rows.append(figure(f"test_{m}", {"mean": mu, "std": sd}, "", setting=name, seeds=args.seeds,
                                   epochs=args.epochs))
    # eval time: the shared full-ranking evaluation (val + test), 1 worker (a world of one) vs 2
    for transport in ([] if args.skip_eval_time else args.eval_transports):
        for world in (1, 2):
            env = None
            extra = ["--graph-transport", transport]
            if world == 1:   # the distributed path with one worker (rendezvous file of its own)
                env = {"RANK": "0", "WORLD_SIZE": "1", "LOCAL_RANK": "0",
                       "GS_RDZV_FILE": os.path.join(tempfile.mkdtemp(prefix="gs-rdzv-"), "rdzv")}
            else:
                extra += ["--num-trainers", "2"]
            r = train(graph, 0, args.eval_epochs, *extra, env=env)
            per_rank = r["distributed"]["per_rank"]
            times = [max(rk["eval_times_s"][i] for rk in per_rank) for i in range(len(per_rank[0]["eval_times_s"]))]
            rows.append(figure("lp_full_ranking_eval_time", round(statistics.median(times), 3), "s",
                               workers=world, transport=r["distributed"]["transport"], evaluations=times))
    with open(os.path.join(work, "summary.json"), "w") as f:
        json.dump({"figures": rows, "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
