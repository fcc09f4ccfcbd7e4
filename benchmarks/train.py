"""Epoch time and peak RSS of gs-train's loop, on MovieLens and on a synthetic 1M-node graph.

Prints one JSON line per figure: ``{"figure", "value", "unit", "config"}``.

- ``--movielens GRAPH_DIR``: examples/movielens/ml_nc.yaml (rgcn, 1 layer, fanout 4, hidden 128,
  batch 128, 3 epochs) on a graph built with examples/movielens/ml_construct.json; also the wall
  time of the whole run (start-up, graph loading, training, evaluation).
- ``--graph GRAPH_DIR``: a graph built by gs-construct, e.g. ``benchmarks/construct.py --labels
  --add-reverse-edges --workdir W`` (``W/out``): node classification of ``--target-ntype``
  (``item``) with its ``label``, every node type's ``feat`` as input, rgcn, 2 layers, fanout
  10,10, hidden 128, batch 1024, one epoch (``--max-steps N``: only the first ``N`` steps, and
  the epoch time is scaled, ``config.scaled``). Also the time to the first step, from the
  command's start (the parent's clock just before it starts the training process) and from
  the end of the imports, the peak RSS of the training process, and the epoch's process CPU
  time (all threads; a shared busy machine inflates it less than the wall time).
- ``--synthetic``: a seeded random graph (``--nodes``, ``--edges``; one node and one edge type,
  ``--feat-dim`` random features, 10 random classes), node classification with rgcn, 2 layers,
  fanout 10,10, hidden 128, batch 1024, one epoch.

**Slices.** ``--train-frac F`` makes only a fraction ``F`` of the synthetic nodes training nodes,
so one epoch runs ``measured_steps`` of the ``full_steps = ceil(nodes / 1024)`` steps of a full
epoch. ``synthetic_epoch_time`` is then *scaled*: ``slice time x full_steps / measured_steps``
(``config.scaled`` says so, with ``slice_time_s``); ``synthetic_step_time`` is the median step.

**Variants.** ``--agg csr|scatter|both`` picks the rgcn path (``csr``, the default: sparse-matmul
mean aggregation, and the first layer aggregates raw features before the input projection;
``scatter``: the previous path, gather + PyG scatter mean after projecting every input node). With ``both`` the
variants run back to back in this same invocation on the same graph, in fresh child processes,
so each one's peak RSS is its own. On a busy machine ``--agg alternate`` is fairer: one process
switches the aggregation every step (``scatter`` on even steps, ``csr`` on odd ones) and reports
each variant's median step and phases (the training trajectory is then a mix of both, which are
equal to 1e-5; the epoch-time and RSS figures are of the mix).

**Phases.** Every step is split into sampling, feature gathering, forward (model + loss),
backward and optimiser step (``*_phase_ms``: medians per step), to see what dominates.

Epoch times exclude evaluation and checkpointing. Peak RSS is the training process's high-water
mark (``ru_maxrss``: graph loading + training; the synthetic graph is written by the parent);
torch uses ``--threads``. ``--device cuda`` runs the model on the GPU (sampling and feature
gathering stay on the CPU).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

import numpy as np
import pyarrow as pa
import torch

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BATCH = 1024


def _emit(figure, value, unit, config):
    print(json.dumps({"figure": figure, "value": value, "unit": unit, "config": config}), flush=True)


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


class _PhaseTimer:
    """Wraps the trainer's step and the sampler / feature / model calls to time each phase per step."""

    def __init__(self, alternate: bool = False):
        self.alternate = alternate
        self.variant = []                      # the aggregation of each step
        self.steps = []                        # seconds per step (sampling .. optimiser step)
        self.first_step_at = None              # wall clock (time.time()) when the first step began
        self.phases = defaultdict(list)        # phase -> seconds per step
        self._cur = defaultdict(float)

    def _wrap(self, owner, name, phase):
        orig = getattr(owner, name)

        def timed(*a, **k):
            t = time.perf_counter()
            try:
                return orig(*a, **k)
            finally:
                self._cur[phase] += time.perf_counter() - t
        setattr(owner, name, timed)

    def install(self):
        from graphstorm_py.model.embed import MiniBatchEmbedder
        from graphstorm_py.training.trainer import Trainer

        timer = self

        def step(trainer, batches):
            timer._cur.clear()
            if timer.alternate:
                _set_agg(("scatter", "csr")[len(timer.steps) % 2])
            timer.variant.append(_get_agg())
            if timer.first_step_at is None:
                timer.first_step_at, timer.first_step_cpu = time.time(), time.process_time()
            t0 = time.perf_counter()
            trainer.optimizers.zero_grad()
            total = None
            for task, batch in batches:
                emb = trainer.embedder(batch.seeds, batch.exclude_eids, batch.exclude_etypes)
                loss = task.weight * task.loss(trainer.model.decoders[task.name], emb, batch)
                total = loss if total is None else total + loss
            if trainer.alpha_l2norm:
                total = total + trainer.alpha_l2norm * sum(p.square().sum() for p in trainer.model.dense_parameters())
            t1 = time.perf_counter()
            total.backward()
            t2 = time.perf_counter()
            trainer.optimizers.step()
            t3 = time.perf_counter()
            sample, feats = timer._cur["sample"], timer._cur["features"]
            timer.phases["sample"].append(sample)
            timer.phases["features"].append(feats)
            timer.phases["forward"].append(t1 - t0 - sample - feats)
            timer.phases["backward"].append(t2 - t1)
            timer.phases["optim"].append(t3 - t2)
            timer.steps.append(t3 - t0)
            return float(total.detach())

        Trainer._step = step
        orig_call = MiniBatchEmbedder.__call__

        def call(emb, *a, **k):
            if not getattr(emb, "_timed", False):
                self._wrap(emb.sampler, "sample", "sample")
                self._wrap(emb, "features", "features")
                emb._timed = True
            return orig_call(emb, *a, **k)
        MiniBatchEmbedder.__call__ = call

    def emit(self, prefix, conf):
        skip = 2 if len(self.steps) > 6 else 0       # the first steps warm up allocators and caches
        for agg in sorted(set(self.variant[skip:])):
            idx = [i for i in range(skip, len(self.steps)) if self.variant[i] == agg]
            c = {**conf, "agg": agg}
            _emit(f"{prefix}_step_time", round(1e3 * statistics.median(self.steps[i] for i in idx), 2), "ms",
                  {**c, "steps_timed": len(idx), "stat": "median",
                   "mean_ms": round(1e3 * statistics.fmean(self.steps[i] for i in idx), 2),
                   "p90_ms": round(1e3 * sorted(self.steps[i] for i in idx)[int(0.9 * (len(idx) - 1))], 2),
                   "first_steps_ms": [round(1e3 * t, 1) for t in self.steps[:skip]]})
            for ph, v in self.phases.items():
                _emit(f"{prefix}_{ph}_phase_ms", round(1e3 * statistics.median(v[i] for i in idx), 2), "ms", c)


def _set_agg(agg: str) -> None:
    """``csr``: the current path (CSR SpMM aggregation, input projection after the first aggregation);
    ``scatter``: the previous one (gather + scatter mean, every input node projected first)."""
    from graphstorm_py.model import gnn_model
    from graphstorm_py.nn.encoders import rgcn
    rgcn._AGG = agg
    gnn_model._FUSE_INPUT = agg == "csr"


def _get_agg() -> str:
    from graphstorm_py.nn.encoders import rgcn
    return rgcn._AGG


def bench_movielens(graph: str, device: str, agg: str) -> None:
    from graphstorm_py.config import load_train_config
    from graphstorm_py.training.run import train

    _set_agg("csr" if agg == "alternate" else agg)
    timer = _PhaseTimer(alternate=agg == "alternate")
    timer.install()
    start = time.perf_counter()
    cfg = load_train_config(os.path.join(REPO, "examples/movielens/ml_nc.yaml"))
    res = train(cfg, graph, device=device)
    wall = time.perf_counter() - start
    conf = {"graph": "movielens-100k", "config": "examples/movielens/ml_nc.yaml", "threads": torch.get_num_threads(),
            "device": device, "agg": agg}
    _emit("ml_nc_epoch_time", round(statistics.median(res["epoch_times_s"]), 4), "s", conf)
    timer.emit("ml_nc", conf)
    _emit("ml_nc_wall_time", round(wall, 2), "s", conf)
    _emit("ml_nc_test_accuracy", round(res["test"]["accuracy"], 4), "", conf)
    _emit("ml_nc_peak_rss", round(_peak_rss_gb(), 3), "GB", conf)


def _synthetic_graph(root: str, nodes: int, edges: int, feat_dim: int, train_frac: float, seed: int = 0) -> None:
    from graphstorm_py.graph import EdgeTypeData, NodeTypeData, write_graph

    rng = np.random.default_rng(seed)
    feat = rng.standard_normal((nodes, feat_dim), dtype=np.float32)
    label = rng.integers(0, 10, nodes)
    masks = {"train_mask": (rng.random(nodes) < train_frac).astype(np.uint8), "val_mask": np.zeros(nodes, np.uint8),
             "test_mask": np.zeros(nodes, np.uint8)}
    node = NodeTypeData(pa.array(np.arange(nodes)), {"feat": feat, "label": label, **masks}, {"feat": {}},
                        {"label": {"task_type": "classification", "num_classes": 10}})
    src, dst = rng.integers(0, nodes, edges), rng.integers(0, nodes, edges)
    write_graph(root, "synthetic", {"n": node}, {("n", "e", "n"): EdgeTypeData(src, dst)})


SYNTH_YAML = {"version": 1.0, "gsf": {
    "gnn": {"model_encoder_type": "rgcn", "num_layers": 2, "hidden_size": 128, "fanout": "10,10",
            "node_feat_name": ["feat"]},
    "hyperparam": {"lr": 0.001, "num_epochs": 1, "batch_size": BATCH, "seed": 0},
    "evaluation": {"no_validation": True},
    "node_classification": {"target_ntype": "n", "label_field": "label", "num_classes": 10}}}


def run_synthetic(graph: str, conf: dict, device: str, agg: str) -> None:
    """Train one epoch on a graph written by :func:`_synthetic_graph` (the child process's job)."""
    from graphstorm_py.config import load_train_config_dict
    from graphstorm_py.training.run import train

    _set_agg("csr" if agg == "alternate" else agg)
    timer = _PhaseTimer(alternate=agg == "alternate")
    timer.install()
    res = train(load_train_config_dict(SYNTH_YAML), graph, device=device)
    full_steps = -(-conf["nodes"] // BATCH)
    measured = len(timer.steps)
    slice_time = res["epoch_times_s"][0]
    conf = {**conf, "agg": agg, "threads": torch.get_num_threads(), "device": device, "full_steps": full_steps,
            "measured_steps": measured, "slice_time_s": round(slice_time, 2), "scaled": measured != full_steps}
    conf["outside_steps_s"] = round(slice_time - sum(timer.steps), 2)   # batch loading (labels, shuffling)
    _emit("synthetic_epoch_time", round(slice_time * full_steps / measured, 2), "s", conf)
    # the same, with the median step: what the epoch would take without the noisy tail of a shared machine
    _emit("synthetic_epoch_time_from_median_step", round(statistics.median(timer.steps[2:] or timer.steps)
                                                          * full_steps, 2), "s", conf)
    timer.emit("synthetic", conf)
    _emit("synthetic_peak_rss", round(_peak_rss_gb(), 3), "GB", conf)


def _graph_yaml(target: str, ntypes) -> dict:
    conf = json.loads(json.dumps(SYNTH_YAML))
    conf["gsf"]["gnn"]["node_feat_name"] = [f"{nt}:feat" for nt in ntypes]
    conf["gsf"]["node_classification"]["target_ntype"] = target
    return conf


def _limit_steps(max_steps: int) -> None:
    """Cut every epoch after ``max_steps`` steps (the benchmark's bounded epoch)."""
    from itertools import islice

    from graphstorm_py.training.trainer import Trainer

    orig = Trainer.epoch_steps

    def epoch_steps(trainer, epoch):
        steps, n = orig(trainer, epoch)
        return islice(steps, max_steps), min(n, max_steps)
    Trainer.epoch_steps = epoch_steps


def run_graph(graph: str, conf: dict, device: str, max_steps: int) -> None:
    """One epoch (or its first ``max_steps`` steps) on a gs-construct graph (the child process's job)."""
    from graphstorm_py.config import load_train_config_dict
    from graphstorm_py.graph import GraphDataset
    from graphstorm_py.training.run import train

    imported = time.time()
    _set_agg("csr")
    timer = _PhaseTimer()
    timer.install()
    if max_steps:
        _limit_steps(max_steps)
    ds = GraphDataset.open(graph)
    full_steps = -(-int(np.count_nonzero(ds.node_array(conf["target_ntype"], "train_mask"))) // BATCH)
    res = train(load_train_config_dict(_graph_yaml(conf["target_ntype"], ds.ntypes)), graph, device=device)
    measured = len(timer.steps)
    cpu_per_step = (time.process_time() - timer.first_step_cpu) / measured
    slice_time = res["epoch_times_s"][0]
    conf = {**conf, "threads": torch.get_num_threads(), "device": device, "full_steps": full_steps,
            "measured_steps": measured, "slice_time_s": round(slice_time, 2), "scaled": measured != full_steps,
            "num_nodes": sum(ds.num_nodes(t) for t in ds.ntypes),
            "num_edges": sum(ds.num_edges(e) for e in ds.etypes), "num_parts": ds.num_partitions}
    _emit("graph_epoch_time", round(slice_time * full_steps / measured, 2), "s", conf)
    _emit("graph_epoch_time_from_median_step", round(statistics.median(timer.steps[2:] or timer.steps)
                                                      * full_steps, 2), "s", conf)
    # process CPU seconds (all threads) per step: what a busy shared machine inflates least
    _emit("graph_epoch_cpu_time", round(cpu_per_step * full_steps, 2), "s", {**conf, "cpu_s_per_step": round(cpu_per_step, 3)})
    _emit("graph_first_step_from_start", round(timer.first_step_at - conf["command_start"], 2), "s", conf)
    _emit("graph_first_step_after_imports", round(timer.first_step_at - imported, 2), "s", conf)
    timer.emit("graph", conf)
    _emit("graph_peak_rss", round(_peak_rss_gb(), 3), "GB", conf)


def _child(args) -> None:
    subprocess.run([sys.executable, os.path.abspath(__file__), *args], check=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--movielens", metavar="GRAPH_DIR", help="MovieLens graph built by gs-construct")
    ap.add_argument("--graph", metavar="GRAPH_DIR", help="a graph built by gs-construct (--labels)")
    ap.add_argument("--target-ntype", default="item", help="--graph: the node type to classify")
    ap.add_argument("--max-steps", type=int, default=0,
                    help="--graph: stop the epoch after this many steps and scale the epoch time (0: full epoch)")
    ap.add_argument("--synthetic", action="store_true")
    ap.add_argument("--nodes", type=float, default=1e6)
    ap.add_argument("--edges", type=float, default=1e7)
    ap.add_argument("--feat-dim", type=int, default=128)
    ap.add_argument("--train-frac", type=float, default=1.0,
                    help="fraction of nodes that are training nodes (an epoch slice); the epoch time is scaled "
                         "to the full epoch's steps")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="where the model runs (sampling stays on the CPU)")
    ap.add_argument("--agg", choices=["csr", "scatter", "both", "alternate"], default="csr",
                    help="rgcn mean aggregation: csr (sparse matmul), scatter (the previous path), both (back to back), alternate (every other step, one process)")
    ap.add_argument("--_run-graph", nargs=2, metavar=("GRAPH_DIR", "CONF_JSON"), help=argparse.SUPPRESS)
    ap.add_argument("--_run-synthetic", nargs=2, metavar=("GRAPH_DIR", "CONF_JSON"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    logging.disable(logging.INFO)
    torch.set_num_threads(a.threads)
    common = ["--threads", str(a.threads), "--device", a.device]
    aggs = ["scatter", "csr"] if a.agg == "both" else [a.agg]
    if a._run_synthetic:
        run_synthetic(a._run_synthetic[0], json.loads(a._run_synthetic[1]), a.device, a.agg)
        return
    if a._run_graph:
        run_graph(a._run_graph[0], json.loads(a._run_graph[1]), a.device, a.max_steps)
        return
    if not (a.movielens or a.synthetic or a.graph):
        ap.error("give --movielens GRAPH_DIR, --graph GRAPH_DIR and/or --synthetic")
    if a.graph:
        conf = {"graph": a.graph, "target_ntype": a.target_ntype, "encoder": "rgcn", "layers": 2, "fanout": "10,10",
                "hidden": 128, "batch": BATCH, "max_steps": a.max_steps, "command_start": time.time()}
        _child(["--_run-graph", a.graph, json.dumps(conf), "--max-steps", str(a.max_steps), *common])
    if a.movielens:
        for agg in aggs:
            if len(aggs) == 1:
                bench_movielens(a.movielens, a.device, agg)
            else:
                _child(["--movielens", a.movielens, "--agg", agg, *common])
    if a.synthetic:
        nodes, edges = int(a.nodes), int(a.edges)
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            _synthetic_graph(tmp, nodes, edges, a.feat_dim, a.train_frac)
            conf = {"nodes": nodes, "edges": edges, "feat_dim": a.feat_dim, "encoder": "rgcn", "layers": 2,
                    "fanout": "10,10", "hidden": 128, "batch": BATCH, "train_frac": a.train_frac,
                    "graph_build_s": round(time.perf_counter() - t, 1)}
            for agg in aggs:
                _child(["--_run-synthetic", tmp, json.dumps(conf), "--agg", agg, *common])


if __name__ == "__main__":
    sys.exit(main())
