"""Targets of a node task: the labelled nodes of one type, split by masks, and their loader.

:class:`NodeTargets` reads a node type's label array and its three masks
(``mask_fields``, default ``train_mask``/``val_mask``/``test_mask``) once, and keeps the nids
of each split. A missing train mask is an error; a missing val/test mask leaves that split
empty (evaluation of it is then skipped, with a warning). At inference (``require_labels=False``)
the label and every mask are optional. :class:`NodeTargetLoader` cuts the
train nids into shuffled mini-batches, reproducibly: its ``torch.Generator`` is seeded once,
and its state is saved with checkpoints so that a resumed run draws the same epochs.
"""

from __future__ import annotations

import logging
from typing import Dict, Iterator, Optional, Sequence

import numpy as np
import torch

from graphstorm_py.config.suggest import did_you_mean
from graphstorm_py.errors import ConfigError, DataError

__all__ = ["NodeTargets", "NodeTargetLoader"]

log = logging.getLogger(__name__)


class NodeTargets:
    """Labelled nodes of ``ntype`` per split.

    Args:
        dataset: a :class:`~graphstorm_py.graph.GraphDataset`.
        ntype: the target node type (``target_ntype``).
        label_field: the label array (``label_field``).
        mask_fields: names of the train, val and test masks.
        require_labels: training needs the label and a non-empty train mask; inference does not.
    """

    def __init__(self, dataset, ntype: str, label_field: str, mask_fields: Sequence[str],
                 require_labels: bool = True):
        if ntype not in dataset.ntypes:
            raise ConfigError(f"target_ntype {ntype!r} is not a node type of the graph; "
                              f"node types: {', '.join(dataset.ntypes)}{did_you_mean(ntype, dataset.ntypes)}")
        labels_meta = dataset.meta.node_type(ntype).get("labels", {}) or {}
        self.has_labels = dataset.has_node_array(ntype, label_field)
        if require_labels and not self.has_labels:
            raise ConfigError(f"label_field {label_field!r}: node type {ntype!r} has no such label; "
                              f"its labels: {', '.join(labels_meta) or 'none'}"
                              f"{did_you_mean(label_field, list(labels_meta))}")
        self.ntype, self.label_field = ntype, label_field
        self.label_info = labels_meta.get(label_field, {})
        self._labels = dataset.node_array(ntype, label_field) if self.has_labels else None
        self.nids: Dict[str, torch.Tensor] = {}
        for split, mask in zip(("train", "val", "test"), mask_fields):
            if not dataset.has_node_array(ntype, mask):
                if split == "train" and require_labels:
                    have = sorted({m for lab in labels_meta.values() for m in (lab.get("masks") or {}).values()}
                                  | {"train_mask", "val_mask", "test_mask"})
                    have = [m for m in have if dataset.has_node_array(ntype, m)]
                    raise ConfigError(f"mask_fields: node type {ntype!r} has no train mask {mask!r}; its masks: "
                                      f"{', '.join(have) or 'none'}{did_you_mean(mask, have)}")
                if require_labels:
                    log.warning("node type %r has no %s mask %r: that split is not evaluated", ntype, split, mask)
                self.nids[split] = torch.empty(0, dtype=torch.long)
                continue
            m = np.asarray(dataset.node_array(ntype, mask))
            self.nids[split] = torch.from_numpy(np.flatnonzero(m).astype(np.int64))
        if require_labels and self.nids["train"].numel() == 0:
            raise DataError(f"node type {ntype!r} has no training nodes in mask {mask_fields[0]!r}")

    def labels(self, nids: torch.Tensor) -> torch.Tensor:
        """Label rows of ``nids`` (floats as float32, integers as int64)."""
        if self._labels is None:
            raise ConfigError(f"label_field {self.label_field!r}: node type {self.ntype!r} of this graph has no "
                              "such label, so it can be predicted but not evaluated")
        rows = np.asarray(self._labels[nids.numpy()])
        t = torch.from_numpy(np.ascontiguousarray(rows))
        return t.float() if t.is_floating_point() else t.long()

    def all_labelled(self) -> torch.Tensor:
        """nids of every split, concatenated (for label checks)."""
        return torch.cat([self.nids[s] for s in ("train", "val", "test")])


class NodeTargetLoader:
    """Mini-batches of target nids, reshuffled every epoch (``shuffle=False``: in order).

    ``nids`` is ``[n]``, or ``[n, 2]`` ``(type index, nid)`` rows for several target types.

    Iterating draws one permutation from the loader's generator; ``len()`` is the number of
    batches. The last batch may be smaller (GraphStorm keeps it too).
    """

    def __init__(self, nids: torch.Tensor, batch_size: int, shuffle: bool = True, seed: Optional[int] = 0):
        self.nids, self.batch_size, self.shuffle = nids, int(batch_size), shuffle
        self.generator = torch.Generator()
        self.generator.manual_seed(int(seed or 0))

    def __len__(self) -> int:
        return (self.nids.size(0) + self.batch_size - 1) // self.batch_size

    def __iter__(self) -> Iterator[torch.Tensor]:
        order = torch.randperm(self.nids.size(0), generator=self.generator) if self.shuffle else None
        ids = self.nids[order] if order is not None else self.nids
        return iter(ids.split(self.batch_size))
