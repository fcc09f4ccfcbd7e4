"""LM+GNN modes on the CiteSeer-M10 titles graph: test accuracy, time per epoch, LM rows/s, peak RSS.

Prints one JSON line per mode: ``{"figure": "lm_mode", "mode", "test_acc", "val_acc",
"time_per_epoch_s", "epochs", "lm_fwd_rows_per_s", "lm_train_rows_per_s", "peak_rss_mb", "config"}``.
Each mode runs in a fresh child process (so peak RSS is its own), on CPU with ``--threads`` threads.

    python examples/citeseer/prepare.py --output /tmp/citeseer_graph
    python benchmarks/lm_citeseer.py --graph /tmp/citeseer_graph --modes lr,frozen,lm,cotrain,recompute_steps

Modes: ``lr`` (logistic regression on the frozen mean-pooled MiniLM embeddings, no graph),
``frozen`` (mode 1: frozen LM + 2-layer GraphSAGE-mean; also the GNN-on-frozen-embeddings
baseline), ``lm`` (mode 2: fine-tune the LM alone), ``cotrain`` (mode 3, cached),
``recompute_steps`` / ``cached_steps`` (time of ``--steps`` co-training steps with
``lm_cache: recompute`` (GraphStorm) and ``cached``, same process order, for the ratio),
``glem`` (mode 4), ``galm`` (mode 5: LP pre-training, export, then co-training from the export).
LM rows/s counts the rows the LM encoded over the seconds spent in its forward.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

GNN = {"model_encoder_type": "sage", "sage_aggregator": "mean", "num_layers": 2, "hidden_size": 128,
       "fanout": "10,10", "eval_fanout": "-1,-1", "use_mini_batch_infer": False, "dropout": 0.3}
TASK = {"node_classification": {"target_ntype": "paper", "label_field": "label", "num_classes": 10}}


def lm_block(**extra):
    return {"node_lm_models": [{"lm_type": "bert", "model_name": "all-MiniLM-L6-v2", "node_types": ["paper"],
                                **extra}]}


def mode_config(mode: str, epochs: int, freeze: int = 1):
    gnn, lm, hp = dict(GNN), {"lm_infer_batch_size": 128}, {"lr": 0.005, "batch_size": 256, "seed": 0,
                                                            "num_epochs": epochs}
    if mode == "frozen":
        lm["lm_train_nodes"] = 0
        hp.update(num_epochs=max(epochs, 20), lr=0.005)
    elif mode == "lm":
        gnn = {"model_encoder_type": "lm", "hidden_size": 128, "dropout": 0.1}
        lm.update(lm_train_nodes=-1, lm_tune_lr=5e-5)
        hp.update(batch_size=32, lr=0.001)
    elif mode in ("cotrain", "recompute_steps", "cached_steps"):
        lm.update(lm_train_nodes=64, lm_tune_lr=5e-5, freeze_lm_encoder_epochs=freeze if mode == "cotrain" else 0)
        hp.update(batch_size=64, lr=0.005, num_epochs=epochs + freeze if mode == "cotrain" else 1)
        if mode == "recompute_steps":
            lm["lm_cache"] = "recompute"
    return {"version": 1.0, "lm_model": lm_block(),
            "gsf": {"gnn": gnn, "lm": lm, "hyperparam": hp, "output": {}, **TASK}}


class LMCounter:
    """Wraps LMEncoder.forward: rows and seconds, with and without gradients."""

    def __init__(self):
        from graphstorm_py.lm.encoder import LMEncoder
        import torch

        self.rows = {True: 0, False: 0}
        self.secs = {True: 0.0, False: 0.0}
        orig = LMEncoder.forward
        counter = self

        def forward(mod, input_ids, attention_mask):
            t = time.perf_counter()
            out = orig(mod, input_ids, attention_mask)
            grad = torch.is_grad_enabled() and out.requires_grad
            counter.rows[grad] += int(input_ids.shape[0])
            counter.secs[grad] += time.perf_counter() - t
            return out

        LMEncoder.forward = forward

    def figures(self):
        rate = lambda g: round(self.rows[g] / self.secs[g], 1) if self.secs[g] else None  # noqa: E731
        return {"lm_fwd_rows_per_s": rate(False), "lm_train_rows_per_s": rate(True),
                "lm_rows": dict(nograd=self.rows[False], grad=self.rows[True])}


def child(args) -> dict:
    import torch

    torch.set_num_threads(args.threads)
    sys.path.insert(0, ROOT)
    from graphstorm_py.config import load_train_config_dict

    counter = LMCounter()
    out = {"figure": "lm_mode", "mode": args.mode}
    t0 = time.perf_counter()
    if args.mode == "lr":
        out.update(run_lr(args.graph))
    elif args.mode in ("recompute_steps", "cached_steps"):
        out["config"] = {"lm_train_nodes": 64, "batch_size": 64, "fanout": GNN["fanout"]}
        out.update(run_steps(load_train_config_dict(mode_config(args.mode, 1)), args.graph, args.steps))
    elif args.mode == "glem":
        from graphstorm_py.training.run import train
        cfg = mode_config("cotrain", args.epochs)
        cfg["gsf"]["lm"]["freeze_lm_encoder_epochs"] = 0
        cfg["gsf"]["hyperparam"].update(num_epochs=args.epochs, batch_size=256)      # = citeseer_glem.yaml
        cfg["gsf"]["lm"]["training_method"] = {"name": "glem", "kwargs": {"num_pretrain_epochs": 1,
                                                                         "pl_weight": 0.5, "num_gnn_epochs": 10}}
        res = train(load_train_config_dict(cfg), args.graph)
        out.update(_res(res), config=cfg["gsf"]["lm"])
    elif args.mode == "galm":
        out.update(run_galm(args))
    else:
        from graphstorm_py.training.run import train
        cfg = mode_config(args.mode, args.epochs, args.freeze)
        res = train(load_train_config_dict(cfg), args.graph)
        out.update(_res(res), config={**cfg["gsf"]["lm"], **cfg["gsf"]["hyperparam"],
                                      "encoder": cfg["gsf"]["gnn"]["model_encoder_type"]})
    out["wall_s"] = round(time.perf_counter() - t0, 1)
    out.update(counter.figures())
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["threads"] = args.threads
    return out


def _res(res) -> dict:
    return {"test_acc": res["test"]["accuracy"], "val_acc": res["val"]["accuracy"],
            "time_per_epoch_s": res["time_per_epoch_s"], "epoch_times_s": res["epoch_times_s"],
            "epochs": res["epochs_run"], "best_epoch": res["best_epoch"]}


def run_lr(graph: str) -> dict:
    """Logistic regression on the frozen mean-pooled MiniLM table (the disk cache mode 1 also uses)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from graphstorm_py.graph import GraphDataset
    from graphstorm_py.lm.cache import LMEmbeddingTable
    from graphstorm_py.lm.encoder import LMEncoder
    from graphstorm_py.lm.tokens import TokenSource
    from graphstorm_py.store import LocalFeatureStore

    ds = GraphDataset.open(graph)
    store = LocalFeatureStore(ds)
    lm = LMEncoder.load("all-MiniLM-L6-v2")
    n = store.num_nodes("paper")
    table = LMEmbeddingTable(n, lm.out_dims)
    t = time.perf_counter()
    table.load_or_compute_frozen(lm, TokenSource(store, "paper"), 128)
    secs = time.perf_counter() - t
    import torch
    x = table.rows(torch.arange(n)).numpy()
    y = store.gather("paper", "label", torch.arange(n)).numpy()
    m = {k: store.gather("paper", f"{k}_mask", torch.arange(n)).numpy().astype(bool) for k in ("train", "val", "test")}
    best = None
    for c in (0.5, 1.0, 4.0, 16.0):
        clf = LogisticRegression(C=c, max_iter=2000).fit(x[m["train"]], y[m["train"]])
        val = clf.score(x[m["val"]], y[m["val"]])
        if best is None or val > best[0]:
            best = (val, clf.score(x[m["test"]], y[m["test"]]), c)
    return {"val_acc": best[0], "test_acc": best[1], "config": {"C": best[2], "pooling": lm.pooling},
            "table_s": round(secs, 1), "table_rows_per_s": round(table.forward_rows / secs, 1) if table.forward_rows else None}


def run_steps(cfg, graph: str, steps: int) -> dict:
    """Time ``steps`` co-training steps (after one warm-up step)."""
    from graphstorm_py.model.assemble import assemble, open_graph
    from graphstorm_py.training.optim import Optimizers
    from graphstorm_py.training.trainer import Trainer, step_batches

    run = assemble(cfg, open_graph(graph))
    opt = Optimizers.from_config(run.model, cfg.hyperparam)
    trainer = Trainer(run, opt, eval_frequency=10 ** 9)
    run.model.train()
    it = step_batches(run.tasks, 0)
    if run.model.input_encoder.lm_cache == "cached":
        trainer._step(next(it))             # warm-up (loads the frozen table from disk)
    t = time.perf_counter()
    for _ in range(steps):
        trainer._step(next(it))
    per = (time.perf_counter() - t) / steps
    n = max(tk.num_train_batches() for tk in run.tasks)
    return {"step_s": round(per, 3), "steps": steps, "steps_per_epoch": n, "epoch_s_est": round(per * n, 1)}


def run_galm(args) -> dict:
    """(a) LP pre-training with 64 LM nodes per batch on ``--lp-graph``, (b) export the LM,
    (c) mode 1 (frozen LM + GNN) for node classification from the exported LM."""
    import tempfile

    from graphstorm_py.config import load_train_config_dict
    from graphstorm_py.lm.export import export_lm
    from graphstorm_py.training.run import train

    work = tempfile.mkdtemp(prefix="galm_")
    lp = {"version": 1.0, "lm_model": lm_block(),
          "gsf": {"gnn": dict(GNN), "lm": {"lm_train_nodes": 64, "lm_infer_batch_size": 128, "lm_tune_lr": 5e-5},
                  "hyperparam": {"lr": 0.005, "batch_size": 128, "seed": 0, "num_epochs": 1},
                  "evaluation": {"no_validation": True},
                  "output": {"save_model_path": os.path.join(work, "models")},
                  "link_prediction": {"train_etype": ["paper,cites,paper"], "num_negative_edges": 4}}}
    t = time.perf_counter()
    res_a = train(load_train_config_dict(lp), args.lp_graph)
    a_s = time.perf_counter() - t
    ckpt = sorted(p for p in os.listdir(os.path.join(work, "models")) if p.startswith("epoch-"))[-1]
    lm_dir = export_lm(os.path.join(work, "models", ckpt), os.path.join(work, "galm_lm"))
    nc = mode_config("frozen", 1)
    nc["lm_model"] = {"node_lm_models": [{"lm_type": "bert", "model_name": lm_dir, "node_types": ["paper"]}]}
    res = train(load_train_config_dict(nc), args.graph)
    return {**_res(res), "lp_epoch_s": res_a["time_per_epoch_s"], "lp_stage_wall_s": round(a_s, 1),
            "config": {"lp": lp["gsf"]["lm"], "nc": "frozen (mode 1) from the exported LM"}}


NAMES = {"lr": "baseline: logistic regression on frozen MiniLM (mean)", "frozen": "1. frozen LM + GNN (= GNN on frozen embeddings)",
         "lm": "2. LM only, fine-tuned", "cotrain": "3. co-training (cached)", "glem": "4. GLEM",
         "galm": "5. GALM: LP pre-train, export, frozen + GNN", "cached_steps": "3. co-training step, cached",
         "recompute_steps": "3. co-training step, lm_cache: recompute (GraphStorm)"}


def table(paths):
    """The README table from JSON lines files."""
    rows = ["| mode | test acc | val acc | epochs | time/epoch (s) | LM rows/s no-grad | LM rows/s train | peak RSS (MB) |",
            "|---|---|---|---|---|---|---|---|"]
    fmt = lambda v, d=3: "-" if v is None else (f"{v:.{d}f}" if isinstance(v, float) else str(v))  # noqa: E731
    for path in paths:
        for line in open(path):
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            if "error" in r:
                rows.append(f"| {NAMES.get(r['mode'], r['mode'])} | failed | | | | | | |")
                continue
            per = r.get("time_per_epoch_s", r.get("step_s"))
            per = f"{per:.1f}" if per is not None and "step_s" not in r else f"{r['step_s']:.2f} per step" if "step_s" in r else "-"
            fwd = r.get("lm_fwd_rows_per_s") or r.get("table_rows_per_s")
            rows.append(f"| {NAMES.get(r['mode'], r['mode'])} | {fmt(r.get('test_acc'))} | {fmt(r.get('val_acc'))} | "
                        f"{fmt(r.get('epochs'))} | {per} | {fmt(fwd, 1)} | {fmt(r.get('lm_train_rows_per_s'), 1)} | "
                        f"{fmt(r.get('peak_rss_mb'), 0)} |")
    return "\n".join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--graph")
    ap.add_argument("--modes", default="lr,frozen,lm,cotrain,cached_steps,recompute_steps")
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--freeze", type=int, default=1, help="cotrain: frozen-LM epochs before co-training")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lp-graph", help="graph built with prepare.py --lp (galm mode)")
    ap.add_argument("--table", nargs="+", help="print the README table from these JSON lines files")
    args = ap.parse_args(argv)
    if args.table:
        print(table(args.table))
        return
    if args.mode:
        print(json.dumps(child(args)), flush=True)
        return
    for mode in args.modes.split(","):
        cmd = [sys.executable, __file__, "--graph", args.graph, "--mode", mode, "--epochs", str(args.epochs),
               "--steps", str(args.steps), "--threads", str(args.threads), "--freeze", str(args.freeze)] + \
            (["--lp-graph", args.lp_graph] if args.lp_graph else [])
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": str(args.threads)})
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if proc.returncode or not lines:
            print(json.dumps({"figure": "lm_mode", "mode": mode, "error": proc.stderr[-2000:]}), flush=True)
        else:
            print(lines[-1], flush=True)


if __name__ == "__main__":
    main()
