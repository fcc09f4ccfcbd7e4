"""Training as one worker of a distributed job: the same loop, in lockstep with the peers.

:func:`train_distributed` is :func:`graphstorm_py.training.run.train` for a worker: it joins
the job, assembles the distributed pieces
(:func:`~graphstorm_py.distributed.assembly.assemble_distributed`) and runs
:class:`DistTrainer`, which differs from the one-process trainer in four places:

* **targets**: node tasks split their training nodes evenly, each rank preferring the nodes
  it owns (:func:`~graphstorm_py.distributed.targets.split_preferring_own`); other tasks take
  every W-th batch of the common shuffled stream. The number of steps of an epoch is the
  all-reduced maximum; a rank out of batches runs *empty* batches (no seeds, weight 0) that
  still take part in every collective;
* **gradients**: one all-reduce of all dense gradients per step (weighted by non-empty
  batches); learnable embedding rows are fetched from their owners before the forward pass and
  their gradient rows sent back to them after it (:mod:`~graphstorm_py.distributed.sparse_embed`;
  with ``--dist-sparse-embed replicated``, gathered so every rank keeps the whole tables);
* **randomness**: loaders and torch's RNG are reseeded per (seed, epoch, rank) at each epoch, so
  a run resumed from a checkpoint continues exactly as the uninterrupted run would have;
* **prefetch**: the next step is sampled and fetched in a background thread on a gloo group of
  its own (:class:`~graphstorm_py.distributed.prefetch.Prefetcher`) while the current one computes;
* **boundaries**: each epoch ends with a monitored barrier that names a missing rank; rank 0
  writes results and the dense part of checkpoints, every owner its shard of the embedding
  tables (before rank 0 writes the manifest, after a barrier).

Evaluation (:mod:`~graphstorm_py.distributed.dist_eval`): node tasks and edge tasks share their
eval batches round-robin and gather the predictions in batch order; link prediction shares its
sampled-negative batches the same way, or for full ranking embeds every node by distributed
layer-wise inference and ranks an even share of the eval edges per rank; the metrics are computed
once over the gathered results, exactly those one worker computes. Other tasks with an evaluation
of their own (feature reconstruction) evaluate replicated, every rank every target.

Testing hooks: ``GS_FAULT_KILL=RANK:STEP`` makes rank RANK kill itself (SIGKILL) before step STEP;
``GS_FAULT_RAISE=RANK:STEP`` makes it raise a DataError there (an error on one rank only).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from typing import Any, Dict, List, Optional, Tuple

import torch
import torch.distributed as dist

from graphstorm_py import io
from graphstorm_py.distributed.assembly import assemble_distributed
from graphstorm_py.distributed.dist_store import fetch_batch
from graphstorm_py.distributed.dist_eval import evaluator_for
from graphstorm_py.distributed.prefetch import Prefetcher
from graphstorm_py.distributed.grads import reduce_dense, reduce_sparse
from graphstorm_py.distributed.targets import round_robin, split_preferring_own
from graphstorm_py.config.homogeneous import resolve_targets
from graphstorm_py.errors import ConfigError, DataError
from graphstorm_py.memory import peak_rss_mb
from graphstorm_py.model import open_graph
from graphstorm_py.sampling.invariant import hash_seed
from graphstorm_py.tasks.node import NodeTask
from graphstorm_py.tasks.node_targets import NodeTargetLoader
from graphstorm_py.training.checkpointing import CheckpointSaver
from graphstorm_py.training.optim import Optimizers
from graphstorm_py.training.trainer import Trainer

__all__ = ["DistTrainer", "train_distributed"]

log = logging.getLogger(__name__)


class DistTrainer(Trainer):
    """The trainer of one worker (see the module docstring); ``ctx`` is its DistContext."""

    def __init__(self, run, optimizers: Optimizers, callbacks, ctx, **kwargs):
        super().__init__(run, optimizers, callbacks, **kwargs)
        self.ctx = ctx
        self._sharded = {}
        for task in self.tasks:
            if isinstance(task, NodeTask):
                nids = task.targets.nids["train"]
                parts = split_preferring_own(nids, ctx.pmap.node_owner(task.ntype, nids), ctx.world_size)
                task.__dict__["loader"] = NodeTargetLoader(parts[ctx.rank], task.config.batch_size, seed=task.seed)
                self._sharded[task.name] = True
        self._prefetcher: Optional[Prefetcher] = None
        self._whole = None                        # (whole-graph CSC, local features) for self-evaluating tasks
        self.sparse = getattr(run, "sparse", None)     # ShardedTables: rows fetched in _step, not in _prepare
        self._features = getattr(run.features, "inner", run.features) if self.sparse else run.features
        if ctx.prefetch:                          # sampling + fetching of the next step run on their own group
            side = ctx.side_exchanger()
            if hasattr(self.sampler, "exchanger"):
                self.sampler.exchanger = side
            if hasattr(self._features, "with_exchanger"):
                self._features = self._features.with_exchanger(side)
        self.first_step_at: Optional[float] = None
        self.eval_times: List[float] = []         # seconds of each evaluation (all tasks, val and test)
        self._kill_at = _fault_step("GS_FAULT_KILL", ctx.rank)
        self._raise_at = _fault_step("GS_FAULT_RAISE", ctx.rank)

    def _epoch_seed(self, epoch: int, salt: int) -> int:
        return hash_seed(self.run.config.hyperparam.seed, epoch, salt) & (2**62 - 1)

    def epoch_steps(self, epoch: int):
        ctx = self.ctx
        torch.manual_seed(self._epoch_seed(epoch, 1000 + ctx.rank))
        lists: List[list] = []
        for i, task in enumerate(self.tasks):
            if self._sharded.get(task.name):
                task.loader.generator.manual_seed(self._epoch_seed(epoch, 2000 + 97 * i + ctx.rank))
                lists.append(list(task.train_batches(epoch)))
            else:
                lists.append(list(round_robin(task.train_batches(epoch), ctx.rank, ctx.world_size)))
        n = torch.tensor([max(len(b) for b in lists)])
        dist.all_reduce(n, op=dist.ReduceOp.MAX, group=ctx.graph_group)
        n = int(n)

        def steps():
            for s in range(n):
                yield [(t, b[s] if s < len(b) else None) for t, b in zip(self.tasks, lists)]
        if not ctx.prefetch:
            return steps(), n
        self._prefetcher = Prefetcher(steps(), self._prepare)
        return iter(self._prefetcher), n

    def _prepare(self, batches) -> list:
        """Blocks and input features of a step's batches (``None`` for an empty batch, after taking part)."""
        out = []
        for _, batch in batches:
            if batch is None:
                mb = self.sampler.sample({})
                self._features(mb.input_nodes)
                out.append(None)
            else:
                mb = self.sampler.sample(batch.seeds, exclude_eids=batch.exclude_eids,
                                         exclude_etypes=batch.exclude_etypes)
                out.append((mb, *fetch_batch(self._features, mb, self.run.edge_features)))
        return out

    def _run_epoch(self, epoch: int) -> bool:
        try:
            stop = super()._run_epoch(epoch)
        except BaseException:
            # the prefetch thread may wait on its peers forever (this rank will not take part again):
            # leave it behind (a daemon) so that the error reaches the worker's exit at once
            self._prefetcher = None
            raise
        finally:
            if self._prefetcher is not None:
                self._prefetcher.close()
                self._prefetcher = None
        self.ctx.barrier(f"end of epoch {epoch}")
        return stop

    def _step(self, batches) -> float:
        if self.first_step_at is None:
            self.first_step_at = time.time()
        if self._kill_at is not None and self.state.step >= self._kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if self._raise_at is not None and self.state.step >= self._raise_at:
            raise DataError(f"GS_FAULT_RAISE: rank {self.ctx.rank} fails at step {self.state.step} (testing hook)")
        batches, prepared = batches if isinstance(batches, tuple) else (batches, self._prepare(batches))
        self.optimizers.zero_grad()
        total: Optional[torch.Tensor] = None
        dev = self.run.device
        if self.sparse is not None:               # collective: this step's embedding rows, from their owners
            self.sparse.fetch(_input_nodes(prepared, self.sparse.ntypes), grad=True)
        for (task, batch), prep in zip(batches, prepared):
            if batch is None:                         # it took part in the collectives; nothing to compute
                continue
            mb, feats, efeats = prep
            mb = mb.to(dev)
            if efeats is not None:
                efeats = [{et: x.to(dev) for et, x in e.items()} for e in efeats]
            emb = self.model(mb.blocks, mb.input_nodes, {t: x.to(dev) for t, x in feats.items()}, edge_feats=efeats)
            loss = task.weight * task.loss(self.model.decoders[task.name], emb, batch)
            total = loss if total is None else total + loss
        if total is not None:
            if self.alpha_l2norm:
                total = total + self.alpha_l2norm * sum(p.square().sum() for p in self.model.dense_parameters())
            total.backward()
        weight = reduce_dense(self.optimizers.dense_params, 1.0 if total is not None else 0.0)
        if self.sparse is not None:               # collective: gradient rows to their owners
            self.sparse.push_grads(weight)
        elif list(self.model.sparse_parameters()):
            reduce_sparse(list(self.model.sparse_parameters()), weight, self.ctx.graph_group)
        if weight > 0:
            self.optimizers.step()
        if self.sparse is not None:
            self.sparse.clear()
        return float(total.detach()) if total is not None else 0.0

    @torch.no_grad()
    def task_metrics(self, task, decoder, embedder, split: str, batch_size: int):
        """Evaluation shared between the ranks (:mod:`~graphstorm_py.distributed.dist_eval`: node and
        edge tasks, link prediction); the metrics are the one-worker numbers. Other tasks that evaluate
        on their own (feature reconstruction) evaluate replicated."""
        shared = evaluator_for(task)
        if shared is not None:
            return shared(self.ctx, task, decoder, embedder, split, batch_size)
        with self.sparse.gathered() if self.sparse is not None else contextlib.nullcontext():
            return task.evaluate(decoder, self._whole_graph(embedder), split, batch_size)

    def evaluate(self):
        tick = time.perf_counter()
        try:
            return super().evaluate()
        finally:
            self.eval_times.append(round(time.perf_counter() - tick, 4))

    def _whole_graph(self, embedder):
        """For tasks that evaluate on their own (and prune the whole graph's CSC): with the collective
        transport, the same kind of embedder over the whole graph read from the shared dataset folder
        (no collectives; every rank evaluates everything). Local transport: ``embedder`` itself."""
        if self.ctx.transport != "collective":
            return embedder
        from graphstorm_py.model.embed import FullGraphEmbedder, MiniBatchEmbedder
        from graphstorm_py.model.features import NodeFeatureSource
        from graphstorm_py.sampling import CSCGraph, NeighborSampler
        from graphstorm_py.store import LocalFeatureStore

        if self._whole is None:
            ds = self.run.dataset
            from graphstorm_py.model.edge_features import EdgeFeatureSource
            store = LocalFeatureStore(ds)
            feats = NodeFeatureSource(store, self.run.features.feat_names)
            enames = getattr(self.run.features, "edge_feat_names", None)
            self._whole = (CSCGraph.from_dataset(ds), feats, EdgeFeatureSource(store, enames) if enames else None)
        graph, feats, efeats = self._whole
        if hasattr(embedder, "sampler"):
            s = embedder.sampler
            return MiniBatchEmbedder(self.model, NeighborSampler(graph, s.fanouts, seed=s.seed, invariant=True),
                                     feats, embedder.device, efeats)
        return FullGraphEmbedder(self.model, graph, feats, embedder.batch_size, embedder.device, efeats)

    def save_checkpoint(self, path: str, record) -> str:
        """Collective: every owner writes its embedding shards, then (after a barrier) rank 0 the rest and
        the manifest, last. Without sharded tables rank 0 writes everything."""
        if self.sparse is not None:
            if self.ctx.is_main:
                io.remove(io.join(path, "checkpoint.json"))     # a re-save never looks complete
            self.ctx.barrier(f"checkpoint {path} cleared")
            self.sparse.write_shards(path, self.optimizers.sparse)
            self.ctx.barrier(f"checkpoint {path} shards written")
        if self.ctx.is_main:
            return super().save_checkpoint(path, record)
        if record is not None:
            record.checkpoint = path
        return path


def _input_nodes(prepared, ntypes) -> Dict[str, torch.Tensor]:
    """The input nodes of ``ntypes`` over a step's prepared (non-empty) batches."""
    out: Dict[str, List[torch.Tensor]] = {}
    for prep in prepared:
        if prep is not None:
            for t in ntypes:
                if t in prep[0].input_nodes:
                    out.setdefault(t, []).append(prep[0].input_nodes[t].cpu())
    return {t: torch.cat(v) for t, v in out.items()}


def train_distributed(cfg, graph_path: Optional[str], device, ctx) -> Dict[str, Any]:
    """One worker's part of ``gs-train``; returns the results (written by rank 0 only)."""
    from graphstorm_py.training import run as one

    out = cfg.output
    if (out.save_embed_path or out.save_prediction_path) and not out.save_model_path:
        raise ConfigError("with several workers, 'save_embed_path' / 'save_prediction_path' write the best "
                          "checkpoint's outputs from a shared folder, so they need 'save_model_path' "
                          "(--save-model-path) too")
    graph_path = graph_path or cfg.basic.part_config
    dataset = open_graph(graph_path)
    cfg = resolve_targets(cfg, dataset.ntypes, dataset.etypes)
    one.seed_everything(cfg.hyperparam.seed)
    run = assemble_distributed(cfg, dataset, ctx, device, encoder_of=one.restored_encoder(cfg))
    for task in run.tasks:
        task.num_train_batches()
    optimizers = Optimizers.from_config(run.model, cfg.hyperparam)
    callbacks = one.build_callbacks(cfg, run.tasks)
    for cb in callbacks:               # every rank saves (its shards) at the same steps; rank 0 prunes
        if isinstance(cb, CheckpointSaver):
            cb.delete_files = ctx.is_main
    trainer = DistTrainer(run, optimizers, callbacks, ctx, eval_frequency=cfg.evaluation.eval_frequency,
                          no_validation=cfg.evaluation.no_validation, alpha_l2norm=cfg.hyperparam.alpha_l2norm,
                          log_every=cfg.basic.log_report_frequency)
    one._restore(cfg, run, trainer, optimizers)
    setup_bytes = ctx.exchanger.stats.bytes_sent          # the cache fill
    ctx.exchanger.stats.reset()
    state = trainer.fit(cfg.hyperparam.num_epochs)
    results = one.build_results(state, run.tasks, cfg)
    results["distributed"] = _worker_report(ctx, trainer, run, setup_bytes)
    if ctx.is_main:
        one._log_best(results)
        one.write_results(results, cfg.output.save_model_path, cfg.output.save_perf_results_path)
    ctx.barrier("results written")
    if cfg.output.save_embed_path or cfg.output.save_prediction_path:
        results["outputs"] = _write_outputs(cfg, graph_path, results, device, ctx)
    return results


def _write_outputs(cfg, graph_path: str, results: Dict[str, Any], device, ctx) -> Dict[str, Any]:
    """``save_embed_path``/``save_prediction_path``: the best checkpoint's outputs, written by every worker."""
    from graphstorm_py.distributed.infer import infer_distributed
    from graphstorm_py.errors import ConfigError

    best = [results.get("best_checkpoint")]
    dist.broadcast_object_list(best, src=0, group=ctx.graph_group)     # only rank 0 saved checkpoints
    if not best[0]:
        raise ConfigError("no checkpoint was kept to write embeddings from (no validation set, or "
                          "save_model_frequency/topk_model_to_save kept none); run gs-infer on a checkpoint instead")
    out = cfg.output
    return infer_distributed(cfg, graph_path, best[0], ctx, embed_path=out.save_embed_path,
                             pred_path=out.save_prediction_path, device=device)


def _worker_report(ctx, trainer: DistTrainer, run, setup_bytes: int) -> Dict[str, Any]:
    """Traffic, cache and memory of every rank (gathered), for results.json and the benchmark."""
    cache = getattr(run.features, "cache", None)
    mine = {"rank": ctx.rank, "graph_bytes_sent": ctx.exchanger.stats.bytes_sent,
            "graph_exchanges": ctx.exchanger.stats.exchanges, "setup_bytes_sent": setup_bytes,
            "steps": trainer.state.step, "eval_times_s": trainer.eval_times, "first_step_unix": trainer.first_step_at, "entry_unix": ctx.started_at,
            "peak_rss_mb": peak_rss_mb()}
    if cache is not None:
        mine.update(cache_bytes=cache.stats["bytes"], cache_remote_rows=cache.stats["remote_rows"],
                    cache_hits=cache.stats["hits"])
    every: List[Any] = [None] * ctx.world_size
    dist.all_gather_object(every, mine, group=ctx.graph_group)
    out = {"world_size": ctx.world_size, "transport": ctx.transport,
           "graph_bytes_sent": sum(r["graph_bytes_sent"] for r in every),
           "graph_exchanges": mine["graph_exchanges"], "per_rank": every}
    if cache is not None:
        out["cache_hit_rate"] = round(sum(r["cache_hits"] for r in every)
                                      / max(sum(r["cache_remote_rows"] for r in every), 1), 4)
    return out


def _fault_step(var: str, rank: int) -> Optional[int]:
    """The step of a ``RANK:STEP`` testing hook aimed at ``rank``, else None."""
    fault = os.environ.get(var, "")
    return int(fault.split(":")[1]) if fault and int(fault.split(":")[0]) == rank else None
