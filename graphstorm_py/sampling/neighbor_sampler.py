"""Layer-wise heterogeneous neighbour sampling: seeds in, a :class:`MiniBatch` of blocks out.

Starting from the seeds, each layer samples in-edges of the current destination nodes for
every edge type (:func:`sample_csc`), relabels the reached source nodes (:func:`relabel`),
and makes the block's source nodes the next layer's destination nodes. Layers are walked
from the output towards the input, so ``fanouts[-1]`` applies to the seeds and the
returned ``blocks[0]`` is the input layer (see :mod:`graphstorm_py.sampling.fanout`).

Example::

    graph = CSCGraph.from_dataset(GraphDataset.open(path))
    sampler = NeighborSampler(graph, parse_fanout("10,5", graph.etypes), seed=0)
    batch = sampler.sample({"movie": torch.tensor([3, 14, 15])})
    batch.blocks[-1].dst_nodes["movie"]          # tensor([3, 14, 15])

Conventions:

- Seeds of a type must be unique (use :func:`dedupe_seeds` and index the output with the
  inverse when a task has repeats, e.g. link prediction). ``MiniBatch.seeds`` is the given
  seeds, in order, and equals ``blocks[-1].dst_nodes``.
- A block lists ``edge_index[etype]`` (possibly ``[2, 0]``) for every edge type whose
  destination type has destination nodes and which is not dropped (fanout 0 or
  ``exclude_etypes``); its source type then has an entry in ``src_nodes``. So the keys of a
  batch depend only on the seed types, never on the random draw.
- Randomness comes from one ``torch.Generator`` on the graph's device: the same seed on
  the same device and torch version gives the same batches.
- ``invariant=True`` draws instead from per-edge hashed keys of ``(seed, epoch, layer, dst,
  eid)`` (:mod:`graphstorm_py.sampling.invariant`; :meth:`NeighborSampler.set_epoch`): the
  blocks of given seeds then do not depend on the batch or on how the graph is partitioned,
  which is what distributed runs use.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, Iterable, Mapping, Optional, Sequence, Tuple

import torch

from graphstorm_py.sampling.block import Block, MiniBatch
from graphstorm_py.sampling.csc_graph import CSCGraph
from graphstorm_py.sampling.fanout import Fanout, normalize_fanouts
from graphstorm_py.sampling.invariant import sample_csc_invariant
from graphstorm_py.sampling.relabel import new_relabel_buffer, relabel
from graphstorm_py.sampling.uniform import sample_csc
from graphstorm_py.typing import EdgeType

__all__ = ["NeighborSampler", "dedupe_seeds", "ExcludeEids"]


class ExcludeEids(dict):
    """``exclude_eids`` for :meth:`NeighborSampler.sample` with a second, approximate set.

    The dict's own ``{etype: eids}`` are never sampled (exact: the fanout is drawn from the
    remaining edges). ``after`` holds ``{etype: eids}`` that are sampled like any edge and then
    dropped from the block, so a node may get fewer than ``fanout`` neighbours: GraphStorm's
    ``fast_*`` link-prediction samplers, which trim held-out edges from the sampled graph
    instead of masking them in the sampler.
    """

    def __init__(self, exact=None, after=None):
        super().__init__(exact or {})
        self.after = dict(after or {})


def dedupe_seeds(seeds: Mapping[str, torch.Tensor]) -> Tuple[Dict[str, torch.Tensor], Dict[str, torch.Tensor]]:
    """``(unique, inverse)`` per node type, with ``unique[nt][inverse[nt]] == seeds[nt]``."""
    out, inv = {}, {}
    for nt, s in seeds.items():
        out[nt], inv[nt] = torch.unique(s, return_inverse=True)
    return out, inv


class NeighborSampler:
    """Uniform neighbour sampler without replacement over a :class:`CSCGraph`.

    Args:
        graph: the graph; sampling runs on its device.
        fanouts: one entry per GNN layer, **input layer first** (GraphStorm/DGL order): an int
            for every edge type, or ``{etype: int}`` naming every edge type. ``-1`` = all
            neighbours, ``0`` = skip. :func:`parse_fanout` turns GraphStorm's text into this.
        seed: seeds the generator; ``None`` draws one from torch's global RNG, so
            ``torch.manual_seed`` still makes runs reproduce.
        invariant: hashed per-edge keys instead of the generator stream (see module docstring).
    """

    def __init__(self, graph: CSCGraph, fanouts: Sequence[Fanout], seed: Optional[int] = None,
                 invariant: bool = False):
        self.graph = graph
        self.fanouts = normalize_fanouts(fanouts, graph.etypes)
        self.generator = torch.Generator(device=graph.device)
        self.invariant, self.epoch = invariant, 0
        self.reseed(seed)
        self._relabel_buf: Dict[str, torch.Tensor] = {}   # ntype -> lookup table, see relabel()

    @property
    def num_layers(self) -> int:
        return len(self.fanouts)

    def reseed(self, seed: Optional[int] = None) -> None:
        """Restart the random stream (e.g. per data-loader worker: ``seed + worker_id``)."""
        if seed is None:
            seed = int(torch.randint(0, 2**62, (1,)).item())
        self.seed = int(seed)
        self.generator.manual_seed(int(seed))

    def set_epoch(self, epoch: int) -> None:
        """The epoch that invariant keys hash (the generator stream ignores it)."""
        self.epoch = int(epoch)

    def sample(self, seeds: Mapping[str, torch.Tensor],
               exclude_eids: Optional[Mapping[EdgeType, torch.Tensor]] = None,
               exclude_etypes: Optional[Iterable[EdgeType]] = None) -> MiniBatch:
        """Sample one mini-batch.

        Args:
            seeds: ``{ntype: [n] nids}``, unique per type; moved to the graph's device.
            exclude_eids: ``{etype: eids}`` never used for message passing in any layer
                (a link-prediction batch's target edges and their reverses). Repeats are fine.
            exclude_etypes: edge types dropped from every layer.
        """
        checked = self._check_seeds(seeds)
        dst = checked
        excl = {}
        for et, eids in (exclude_eids or {}).items():
            et = tuple(et)
            if et not in self.graph.csc:
                raise ValueError(f"exclude_eids names {et}, which is not an edge type of the graph")
            excl[et] = torch.unique(torch.as_tensor(eids, device=self.graph.device).long().flatten())
        dropped = {tuple(et) for et in (exclude_etypes or ())}
        after = {tuple(et): torch.as_tensor(e, device=self.graph.device).long().flatten()
                 for et, e in getattr(exclude_eids, "after", {}).items()}
        blocks = []
        for layer in reversed(range(self.num_layers)):
            block = self._sample_layer(dst, self.fanouts[layer], excl, dropped, layer, after)
            blocks.append(block)
            dst = block.src_nodes
        blocks.reverse()
        return MiniBatch(seeds=checked, blocks=blocks)

    # ---- internals ----------------------------------------------------------------------
    def _check_seeds(self, seeds: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        out = {}
        for nt, s in seeds.items():
            if nt not in self.graph.num_nodes:
                raise ValueError(f"seed node type {nt!r} is not in the graph; it has {self.graph.ntypes}")
            s = torch.as_tensor(s, device=self.graph.device).long().flatten()
            if s.numel():
                lo, hi = int(s.min()), int(s.max())
                if lo < 0 or hi >= self.graph.num_nodes[nt]:
                    raise ValueError(f"seed nids of {nt!r} must be in [0, {self.graph.num_nodes[nt]}), "
                                     f"got range [{lo}, {hi}]")
                if torch.unique(s).numel() != s.numel():
                    raise ValueError(f"seeds of {nt!r} repeat; deduplicate them with dedupe_seeds()")
            out[nt] = s
        return out

    def _buffer(self, ntype: str) -> torch.Tensor:
        buf = self._relabel_buf.get(ntype)
        if buf is None:
            buf = self._relabel_buf[ntype] = new_relabel_buffer(self.graph.num_nodes[ntype], self.graph.device)
        return buf

    def _active_etypes(self, dst: Dict[str, torch.Tensor], fanout: Dict[EdgeType, int], dropped: set):
        return [et for et in self.graph.csc if et[2] in dst and fanout[et] != 0 and et not in dropped]

    def _sample_edges(self, dst: Dict[str, torch.Tensor], fanout: Dict[EdgeType, int],
                      excl: Dict[EdgeType, torch.Tensor], dropped: set, layer: int):
        """``[(etype, src nids, dst rows, eids)]`` for every active edge type, in graph order."""
        out = []
        for etype in self._active_etypes(dst, fanout, dropped):
            indptr, indices = self.graph.csc[etype]
            if self.invariant:
                src, row, eid = sample_csc_invariant(indptr, indices, dst[etype[2]], fanout[etype],
                                                     (self.seed, self.epoch, layer), excl.get(etype))
            else:
                src, row, eid = sample_csc(indptr, indices, dst[etype[2]], fanout[etype],
                                           self.generator, excl.get(etype))
            out.append((etype, src, row, eid))
        return out

    def _sample_layer(self, dst: Dict[str, torch.Tensor], fanout: Dict[EdgeType, int],
                      excl: Dict[EdgeType, torch.Tensor], dropped: set, layer: int = 0,
                      after: Optional[Dict[EdgeType, torch.Tensor]] = None) -> Block:
        by_src = defaultdict(list)     # src ntype -> [(etype, src nids, dst rows, eids)]
        for etype, src, row, eid in self._sample_edges(dst, fanout, excl, dropped, layer):
            if after and etype in after and after[etype].numel():   # sampled, then trimmed (ExcludeEids)
                keep = ~torch.isin(eid, after[etype])
                src, row, eid = src[keep], row[keep], eid[keep]
            by_src[etype[0]].append((etype, src, row, eid))
        src_nodes = dict(dst)
        edge_index, eids = {}, {}
        for nt, items in by_src.items():
            prefix = dst.get(nt, torch.empty(0, dtype=torch.long, device=self.graph.device))
            srcs = items[0][1] if len(items) == 1 else torch.cat([it[1] for it in items])
            src_nodes[nt], local = relabel(prefix, srcs, self._buffer(nt))
            locs = (local,) if len(items) == 1 else local.split([it[1].numel() for it in items])
            for (etype, _, row, eid), loc in zip(items, locs):
                edge_index[etype] = torch.stack([loc, row])
                eids[etype] = eid
        return Block(src_nodes=src_nodes, dst_nodes=dict(dst), edge_index=edge_index, eids=eids)
