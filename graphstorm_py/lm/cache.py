"""The LM-embedding table of one node type: computed once per LM state, shared by everyone.

Training (non-gradient nodes), evaluation and the embeddings written at the end of a run all
read one table instead of re-running the LM for each. :meth:`LMEmbeddingTable.compute` runs the
LM over every node in ``lm_infer_batch_size`` batches under ``torch.inference_mode`` with a
progress bar.

A *frozen* LM's table is also kept on disk (``$GS_LM_CACHE_DIR``, default
``~/.cache/graphstorm_py/lm_embed``) as a ``.npy`` named by a hash of the LM weights, the
pooling and the node tokens, written atomically and memory-mapped; a later run on the same
graph and model reuses it without running the LM.
"""

from __future__ import annotations

import hashlib
import logging
import os
from typing import Callable, Optional, Tuple

import numpy as np
import torch

from graphstorm_py.progress import progress

__all__ = ["LMEmbeddingTable", "cache_dir", "lm_state_key"]

log = logging.getLogger(__name__)

TokenFn = Callable[[torch.Tensor], Tuple[torch.Tensor, torch.Tensor]]


def cache_dir() -> str:
    return os.path.expanduser(os.environ.get("GS_LM_CACHE_DIR", "~/.cache/graphstorm_py/lm_embed"))


def lm_state_key(lm, tokens: TokenFn, num_nodes: int) -> str:
    """Hash of the LM weights, its pooling and (a sample of) the tokens: names a frozen table on disk."""
    h = hashlib.sha1()
    h.update(f"{lm.pooling}|{num_nodes}".encode())
    for name, t in sorted(lm.state_dict().items()):
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    sample = torch.unique(torch.linspace(0, max(num_nodes - 1, 0), min(num_nodes, 4096)).long())
    if num_nodes:
        ids, mask = tokens(sample)
        h.update(ids.numpy().tobytes())
        h.update(mask.numpy().tobytes())
    return h.hexdigest()[:20]


class LMEmbeddingTable:
    """``[num_nodes, dim]`` float32 LM embeddings of one node type (in memory or memory-mapped)."""

    def __init__(self, num_nodes: int, dim: int):
        self.num_nodes, self.dim = int(num_nodes), int(dim)
        self.table = None      # torch.Tensor (in memory) or np.memmap (frozen, on disk)
        self.forward_rows = 0                     # LM rows encoded by compute(), for speed figures

    @property
    def ready(self) -> bool:
        return self.table is not None

    def rows(self, nids: torch.Tensor) -> torch.Tensor:
        assert self.table is not None, "compute() the LM table first"
        if isinstance(self.table, np.ndarray):     # memory-mapped frozen table
            return torch.from_numpy(np.ascontiguousarray(self.table[nids.cpu().long().numpy()]))
        return self.table[nids.cpu().long()]

    def write(self, nids: torch.Tensor, emb: torch.Tensor) -> None:
        """Write-through of freshly computed rows (the gradient nodes of a step)."""
        if isinstance(self.table, torch.Tensor):
            self.table[nids.cpu().long()] = emb.detach().float().cpu()

    def _order(self, tokens: TokenFn, chunk: int = 65536) -> torch.Tensor:
        """Node ids sorted by token count, so each batch pads to similar lengths."""
        lengths = torch.cat([tokens(ids)[1].sum(1) for ids in torch.arange(self.num_nodes).split(chunk)]) \
            if self.num_nodes else torch.zeros(0, dtype=torch.long)
        return torch.argsort(lengths, stable=True)

    @torch.inference_mode()
    def _encode_all(self, lm, tokens: TokenFn, batch_size: int, desc: str, out) -> None:
        was = lm.training
        lm.eval()
        try:
            order = self._order(tokens)
            for ids in progress(order.split(batch_size), total=(self.num_nodes + batch_size - 1) // batch_size,
                                desc=desc, unit="batch", leave=False):
                emb = lm(*tokens(ids)).float().cpu()
                if isinstance(out, np.ndarray):
                    out[ids.numpy()] = emb.numpy()
                else:
                    out[ids] = emb
                self.forward_rows += int(ids.numel())
        finally:
            lm.train(was)

    def compute(self, lm, tokens: TokenFn, batch_size: int, desc: str = "LM embeddings",
                start_from_disk: bool = False) -> None:
        """(Re)compute every row with the LM's current weights, in memory.

        ``start_from_disk``: when a frozen table of exactly this LM state is on disk, copy it
        instead (a co-training run starting from an unchanged pretrained LM)."""
        if start_from_disk:
            path = os.path.join(cache_dir(), f"{lm_state_key(lm, tokens, self.num_nodes)}.npy")
            if os.path.isfile(path):
                arr = np.load(path, mmap_mode="r")
                if arr.shape == (self.num_nodes, self.dim):
                    log.info("LM embeddings: starting from %s", path)
                    self.table = torch.from_numpy(np.array(arr))
                    return
        table = torch.empty(self.num_nodes, self.dim)
        self._encode_all(lm, tokens, batch_size, desc, table)
        self.table = table

    def load_or_compute_frozen(self, lm, tokens: TokenFn, batch_size: int, desc: str = "LM embeddings") -> str:
        """A frozen LM: reuse the on-disk table for this LM state, or compute and store it. Returns its path."""
        key = lm_state_key(lm, tokens, self.num_nodes)
        path = os.path.join(cache_dir(), f"{key}.npy")
        if os.path.isfile(path):
            arr = np.load(path, mmap_mode="r")
            if arr.shape == (self.num_nodes, self.dim):
                log.info("LM embeddings: reusing %s", path)
                self.table = arr
                return path
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.tmp{os.getpid()}"
        arr = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(self.num_nodes, self.dim))
        try:
            self._encode_all(lm, tokens, batch_size, desc, arr)
            arr.flush()
            del arr
            os.replace(tmp, path)                 # whole or not at all
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        log.info("LM embeddings: wrote %s", path)
        self.table = np.load(path, mmap_mode="r")
        return path
