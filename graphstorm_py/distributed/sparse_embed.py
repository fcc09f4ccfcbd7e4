"""Learnable node embeddings sharded by owner: each worker holds its nodes' rows and their SparseAdam state.

A featureless node type's table ``[N, D]`` is split like the nodes: rank ``r`` holds the rows of
the nids it owns, ``[lo_r, hi_r)``, as a :class:`ShardedEmbedding` whose ``weight`` is
``[hi_r - lo_r, D]``; SparseAdam (run on every rank) keeps the moments of those rows only.
Memory per worker is ``O(owned rows)``, not ``O(N)``. :class:`ShardedTables` moves rows:

* **forward** (:meth:`ShardedTables.fetch`, a collective): the batch's ids of every sharded type,
  bucketed by owner, go out in one exchange; the owners answer with the rows in a second. In
  training the fetched rows form a leaf tensor that collects the batch's gradient.
* **backward** (:meth:`ShardedTables.push_grads`, a collective): the gradient rows the model used
  go to their owners in **one** exchange (ids and values packed as raw 32-bit words); each owner
  sums them per row, divides by the global batch weight (as :func:`~.grads.reduce_dense` does)
  and sets its shard's sparse gradient; SparseAdam then updates the owned rows. The message
  header also tells every owner how many rows were touched in the whole job, so a shard that
  received nothing still counts the step when another shard got rows, exactly as the replicated
  table does (its step count drives Adam's bias correction).
* **lockstep**: ranks with empty batches take part in both exchanges with nothing to send.

The result equals the replicated path (every rank the whole table, gradients all-gathered,
:func:`~.grads.reduce_sparse`), which ``--dist-sparse-embed replicated`` keeps as the reference.
Initial rows equal those of ``nn.Embedding`` + ``uniform_`` under the same seed
(:func:`initial_rows` replays the generator without materialising the table).

Evaluation and inference fetch rows through :class:`WithEmbeddingRows`, the feature function
wrapped so that each batch's feature call (already a lockstep point) also fetches the rows.
Tasks that evaluate on their own, outside lockstep, use :meth:`ShardedTables.gathered`: the whole
table, all-gathered for the duration (``O(N)`` then; see docs/distributed.md, Limits).
"""

from __future__ import annotations

import contextlib
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

from graphstorm_py.model.sparse_checkpoint import write_shard

__all__ = ["ShardedEmbedding", "ShardedTables", "WithEmbeddingRows", "initial_rows", "sharded_factory"]

_CHUNK = 1 << 22


def _skip(draws: int) -> None:
    """Advance torch's CPU generator by ``draws`` 32-bit draws (what ``uniform_`` takes per float32)."""
    buf = torch.empty(min(draws, _CHUNK))
    while draws > 0:
        m = min(draws, _CHUNK)
        buf[:m].uniform_()
        draws -= m


def initial_rows(num: int, dim: int, lo: int, hi: int) -> torch.Tensor:
    """Rows ``[lo, hi)`` of ``nn.Embedding(num, dim)`` + ``uniform_(-1, 1)``, generator left where it would be.

    ``nn.Embedding`` first fills its table with ``normal_`` (a float32 table of >= 16 values takes
    one draw per value, plus 16 when the size is not a multiple of 16), then ``uniform_`` takes
    one draw per value in row order. Tiny tables are built whole.
    """
    size = num * dim
    if size < 16:
        t = torch.empty(num, dim).normal_()
        return t.uniform_(-1.0, 1.0)[lo:hi].clone()
    _skip(size + (16 if size % 16 else 0))
    _skip(lo * dim)
    rows = torch.empty(hi - lo, dim).uniform_(-1.0, 1.0)
    _skip((num - hi) * dim)
    return rows


class ShardedEmbedding(nn.Module):
    """Rows ``[lo, hi)`` of one node type's table (``ranges[rank]``); any row through fetched rows.

    ``forward(ids)`` serves global ids from, in this order: the gathered whole table (inside
    :meth:`ShardedTables.gathered`), the rows fetched for the current batch, or the owned shard.
    """

    def __init__(self, ntype: str, num_embeddings: int, dim: int, ranges: Sequence[Tuple[int, int]], rank: int,
                 weight: Optional[torch.Tensor] = None):
        super().__init__()
        self.ntype, self.num_embeddings, self.embedding_dim = ntype, int(num_embeddings), int(dim)
        self.shard_ranges = [tuple(map(int, r)) for r in ranges]
        self.row_range = self.shard_ranges[rank]
        lo, hi = self.row_range
        self.weight = nn.Parameter(weight if weight is not None else torch.zeros(hi - lo, dim))
        self._ids: Optional[torch.Tensor] = None      # sorted unique global ids fetched for this batch
        self._rows: Optional[torch.Tensor] = None     # their rows (a leaf collecting gradients in training)
        self._used: Optional[torch.Tensor] = None     # which of them the model looked up
        self._full: Optional[torch.Tensor] = None     # the gathered whole table

    def extra_repr(self) -> str:
        return f"{self.ntype}: rows {self.row_range} of {self.num_embeddings}, dim {self.embedding_dim}"

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        ids = ids.long()
        if self._full is not None:
            return self._full[ids.cpu()].to(self.weight.device)
        if self._ids is not None and self._ids.numel():
            cpu = ids.cpu()
            pos = torch.searchsorted(self._ids, cpu).clamp_(max=self._ids.numel() - 1)
            if bool((self._ids[pos] == cpu).all()):
                self._used[pos] = True
                return self._rows[pos.to(self._rows.device)]
        lo, hi = self.row_range
        if ids.numel() == 0 or bool(((ids >= lo) & (ids < hi)).all()):
            return F.embedding(ids.to(self.weight.device) - lo, self.weight, sparse=True)
        raise RuntimeError(f"rows of remote {self.ntype!r} nodes were looked up without being fetched "
                           "(a model call outside the lockstep fetch of ShardedTables)")


def sharded_factory(ctx):
    """``make_embedding`` for :func:`~graphstorm_py.model.build.build_model`: this rank's shards."""
    def make(ntype: str, num: int, dim: int) -> ShardedEmbedding:
        ranges = [ctx.pmap.node_range(r, ntype) for r in range(ctx.world_size)]
        lo, hi = ranges[ctx.rank]
        return ShardedEmbedding(ntype, num, dim, ranges, ctx.rank, initial_rows(num, dim, lo, hi))
    return make


def _words(t: torch.Tensor) -> torch.Tensor:
    return t.contiguous().view(torch.int32).flatten()


class ShardedTables:
    """The sharded tables of a model and the collectives that move their rows (module docstring)."""

    def __init__(self, tables: Mapping[str, ShardedEmbedding], ctx):
        self.tables = dict(sorted(tables.items()))
        self.ntypes = list(self.tables)
        self.ctx = ctx

    @classmethod
    def of(cls, model, ctx) -> Optional["ShardedTables"]:
        tables = {t: e for t, e in model.input_encoder.embeds.items() if isinstance(e, ShardedEmbedding)}
        return cls(tables, ctx) if tables else None

    @property
    def is_gathered(self) -> bool:
        return any(m._full is not None for m in self.tables.values())

    def _split(self, t: str, ids: torch.Tensor) -> List[int]:
        """Per-owner counts of sorted ``ids`` (owners' ranges are ascending, so sorted ids group by owner)."""
        return torch.bincount(self.ctx.pmap.node_owner(t, ids), minlength=self.ctx.world_size).tolist()

    def fetch(self, nids: Mapping[str, torch.Tensor], grad: bool = False, exchanger=None) -> None:
        """Collective: the rows of ``nids`` of every sharded type, from their owners, for the next lookups."""
        W, ex, T = self.ctx.world_size, exchanger or self.ctx.exchanger, len(self.ntypes)
        ids = {t: torch.unique(nids[t].cpu().long()) if t in nids else torch.zeros(0, dtype=torch.long)
               for t in self.ntypes}
        counts = torch.tensor([self._split(t, ids[t]) for t in self.ntypes], dtype=torch.long).reshape(T, W)
        pieces = {t: ids[t].split(counts[j].tolist()) for j, t in enumerate(self.ntypes)}
        asked = ex.exchange([torch.cat([counts[:, r]] + [pieces[t][r] for t in self.ntypes]) for r in range(W)])
        replies = []
        for msg in asked:
            chunks = msg[T:].split(msg[:T].tolist())
            replies.append(torch.cat([torch.zeros(0)] + [
                self.tables[t].weight.detach()[c.to(self.tables[t].weight.device) - self.tables[t].row_range[0]]
                .cpu().flatten() for t, c in zip(self.ntypes, chunks)]))
        got = ex.exchange(replies)
        offsets = [0] * W
        for j, t in enumerate(self.ntypes):
            m, d = self.tables[t], self.tables[t].embedding_dim
            parts = []
            for r in range(W):
                n = int(counts[j, r]) * d
                parts.append(got[r][offsets[r]:offsets[r] + n])
                offsets[r] += n
            rows = torch.cat(parts).view(-1, d).to(m.weight.device)
            m._ids, m._rows = ids[t], rows.requires_grad_(grad)
            m._used = torch.zeros(ids[t].numel(), dtype=torch.bool)

    def push_grads(self, total_weight: float, exchanger=None) -> None:
        """Collective: gradient rows to their owners, summed / ``total_weight``, as each shard's sparse grad."""
        W, ex, T = self.ctx.world_size, exchanger or self.ctx.exchanger, len(self.ntypes)
        ids, vals, counts = {}, {}, []
        for t in self.ntypes:
            m = self.tables[t]
            if m._rows is not None and m._rows.grad is not None and m._used.any():
                sel = torch.nonzero(m._used).flatten()
                ids[t], vals[t] = m._ids[sel], m._rows.grad[sel.to(m._rows.device)].detach().cpu().float()
            else:
                ids[t], vals[t] = torch.zeros(0, dtype=torch.long), torch.zeros(0, m.embedding_dim)
            counts.append(self._split(t, ids[t]))
        touched = torch.tensor([ids[t].numel() for t in self.ntypes], dtype=torch.long)
        send = []
        split = {t: (ids[t].split(c), vals[t].split(c)) for t, c in zip(self.ntypes, counts)}
        for r in range(W):
            header = torch.cat([torch.tensor([c[r] for c in counts], dtype=torch.long), touched])
            send.append(torch.cat([_words(header)] + [_words(split[t][0][r]) for t in self.ntypes]
                                  + [_words(split[t][1][r]) for t in self.ntypes]))
        got = ex.exchange(send)
        heads = [g[:4 * T].view(torch.long) for g in got]
        total = sum(h[T:] for h in heads)
        ids_in: Dict[str, list] = {t: [] for t in self.ntypes}
        vals_in: Dict[str, list] = {t: [] for t in self.ntypes}
        for g, h in zip(got, heads):
            k = 4 * T
            for j, t in enumerate(self.ntypes):
                n = int(h[j])
                ids_in[t].append(g[k:k + 2 * n].view(torch.long))
                k += 2 * n
            for j, t in enumerate(self.ntypes):
                n, d = int(h[j]), self.tables[t].embedding_dim
                vals_in[t].append(g[k:k + n * d].view(torch.float32).view(n, d))
                k += n * d
        for j, t in enumerate(self.ntypes):
            p = self.tables[t].weight
            if int(total[j]) == 0:
                p.grad = None
                continue
            idx = torch.cat(ids_in[t]) - self.tables[t].row_range[0]
            v = torch.cat(vals_in[t]) / max(total_weight, 1.0)
            p.grad = torch.sparse_coo_tensor(idx.unsqueeze(0), v, tuple(p.shape),
                                             check_invariants=False).coalesce().to(p.device)

    def clear(self) -> None:
        for m in self.tables.values():
            m._ids = m._rows = m._used = None

    @contextlib.contextmanager
    def gathered(self):
        """Collective: every table whole on every rank while inside (``O(N)`` memory), lookups local."""
        ctx = self.ctx
        try:
            for m in self.tables.values():
                sizes = [hi - lo for lo, hi in m.shard_ranges]
                pad = torch.zeros(max(sizes), m.embedding_dim)
                pad[:sizes[ctx.rank]] = m.weight.detach().cpu()
                bufs = [torch.empty_like(pad) for _ in sizes]
                if ctx.world_size > 1:
                    dist.all_gather(bufs, pad, group=ctx.graph_group)
                else:
                    bufs = [pad]
                m._full = torch.cat([b[:s] for b, s in zip(bufs, sizes)])
            yield self
        finally:
            for m in self.tables.values():
                m._full = None

    def write_shards(self, path: str, optimizer=None) -> None:
        """This rank's shard of every table (and its SparseAdam moments) under checkpoint ``path``."""
        for t, m in self.tables.items():
            state = optimizer.state.get(m.weight, {}) if optimizer is not None else {}
            moments = {k: state[k].detach().cpu().numpy() for k in ("exp_avg", "exp_avg_sq") if k in state}
            lo, hi = m.row_range
            write_shard(path, t, lo, hi, m.weight.detach().cpu().numpy(), moments)


class WithEmbeddingRows:
    """A feature function that also fetches the sharded rows of the nodes it is asked for (eval, inference)."""

    def __init__(self, inner, tables: ShardedTables):
        self.inner, self.tables = inner, tables

    def __getattr__(self, name):
        return getattr(self.__dict__["inner"], name)

    def __call__(self, nids: Mapping[str, torch.Tensor]):
        out = self.inner(nids)
        if not self.tables.is_gathered:
            self.tables.fetch(nids, grad=False)
        return out

    def fetch(self, nids: Mapping[str, torch.Tensor], block_eids):
        """Node and edge rows in the inner source's one exchange (edge features), then the table rows."""
        out = self.inner.fetch(nids, block_eids)
        if not self.tables.is_gathered:
            self.tables.fetch(nids, grad=False)
        return out
