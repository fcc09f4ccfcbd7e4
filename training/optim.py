"""The optimisers of a run: Adam on dense parameters, SparseAdam on node-embedding tables.

GraphStorm trains the dense parameters (input projections, GNN, decoders) with Adam
(``lr``, weight decay ``wd_l2norm``) and the learnable node embeddings with a sparse optimiser
of their own learning rate (``sparse_optimizer_lr``): a batch touches few rows, and
``torch.optim.SparseAdam`` updates only those. ``max_grad_norm`` clips the dense gradients
(norm type ``grad_norm_type``) before each step.

Tables sharded by owner (distributed runs) keep their SparseAdam moments in the checkpoint's
shard files, not in ``optimizer.pt`` (which then records only the step counts); loading takes
the rows each table holds from either layout (:meth:`Optimizers.load_state_dict`).
"""

from __future__ import annotations

from typing import Any, Dict, Optional

import torch

from graphstorm_py.errors import CheckpointError
from graphstorm_py.model.gnn_model import GNNModel
from graphstorm_py.model.sparse_checkpoint import check_shards, has_moments, read_rows

__all__ = ["Optimizers"]


class Optimizers:
    """``zero_grad`` / ``step`` over both optimisers, one ``state_dict`` for checkpoints.

    Args:
        model: the model; its parameter groups come from ``dense_parameters``/``sparse_parameters``.
        lr, weight_decay: Adam's.
        sparse_lr: SparseAdam's (``None``: ``lr``).
        max_grad_norm, norm_type: gradient clipping of the dense parameters (``None``: off).
    """

    def __init__(self, model: GNNModel, lr: float, weight_decay: float = 0.0, sparse_lr: Optional[float] = None,
                 max_grad_norm: Optional[float] = None, norm_type: float | str = 2.0):
        self.dense_params = list(model.dense_parameters())
        # ntype -> table, in sparse_parameters order
        self.tables = dict(getattr(model.input_encoder, "embeds", {}).items())
        self.sharded = any(getattr(e, "shard_ranges", None) for e in self.tables.values())
        sparse_params = list(model.sparse_parameters())
        lm_params = list(getattr(model.input_encoder, "lm_parameters", lambda: [])())
        lm_ids = {id(q) for q in lm_params}
        groups = [{"params": [p for p in self.dense_params if id(p) not in lm_ids]}]
        self.lm_lr = getattr(model.input_encoder, "lm_tune_lr", None) or lr
        if lm_params:                              # the LM has its own learning rate (lm_tune_lr, default lr)
            groups.append({"params": lm_params, "lr": self.lm_lr})
        self.dense = torch.optim.Adam(groups, lr=lr, weight_decay=weight_decay)
        self.lm_params = lm_params
        self.lm_warmup_steps = int(getattr(model.input_encoder, "lm_warmup_steps", 0) or 0) if lm_params else 0
        self.lm_steps = 0                          # steps that updated the LM (frozen epochs do not count)
        self.sparse = torch.optim.SparseAdam(sparse_params, lr=sparse_lr or lr) if sparse_params else None
        self.max_grad_norm = max_grad_norm
        self.norm_type = float("inf") if norm_type == "inf" else float(norm_type)

    @classmethod
    def from_config(cls, model: GNNModel, hp) -> "Optimizers":
        """From the ``hyperparam`` concern of a TrainConfig."""
        return cls(model, hp.lr, hp.wd_l2norm, hp.sparse_optimizer_lr, hp.max_grad_norm, hp.grad_norm_type)

    def zero_grad(self) -> None:
        self.dense.zero_grad(set_to_none=True)
        if self.sparse is not None:
            self.sparse.zero_grad(set_to_none=True)

    def step(self) -> None:
        if self.max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(self.dense_params, self.max_grad_norm, norm_type=self.norm_type)
        if self.lm_params and any(p.grad is not None for p in self.lm_params):
            self.lm_steps += 1
            if self.lm_warmup_steps:       # lm_warmup_steps: linear from lm_lr / N to lm_lr at step N
                self.dense.param_groups[-1]["lr"] = self.lm_lr * min(1.0, self.lm_steps / self.lm_warmup_steps)
        self.dense.step()
        if self.sparse is not None:
            self.sparse.step()

    def state_dict(self) -> Dict[str, Any]:
        if self.sparse is None:
            sparse = None
        elif self.sharded:      # the moments go to the shard files (ShardedTables.write_shards)
            sparse = {"sharded": True, "step": {t: int(self.sparse.state.get(e.weight, {}).get("step", 0))
                                                for t, e in self.tables.items()}}
        else:
            sparse = self.sparse.state_dict()
        return {"dense": self.dense.state_dict(), "sparse": sparse, "lm_steps": self.lm_steps}

    def load_state_dict(self, state: Dict[str, Any], path: Optional[str] = None,
                        info: Optional[Dict[str, Any]] = None) -> None:
        """Load ``optimizer.pt``'s state; ``path``/``info``: the checkpoint (sharded moments are read there)."""
        self.dense.load_state_dict(state["dense"])
        self.lm_steps = int(state.get("lm_steps", 0))
        sparse = state.get("sparse")
        if self.sparse is None or sparse is None:
            return
        if not self.sharded and not sparse.get("sharded"):
            self.sparse.load_state_dict(sparse)
            return
        if sparse.get("sharded") and path and info and any(sparse["step"].values()):
            check_shards(path, info, ("exp_avg", "exp_avg_sq"))     # every rank fails alike
        for i, (t, emb) in enumerate(self.tables.items()):
            lo, hi = getattr(emb, "row_range", (0, emb.num_embeddings))
            if sparse.get("sharded"):
                step = int(sparse["step"].get(t, 0))
                if step == 0:
                    continue
                if path is None or info is None or not has_moments(info, t):
                    raise CheckpointError(f"checkpoint {path}: SparseAdam moments of {t!r} are not in its shards")
                m = {k: torch.from_numpy(read_rows(path, info, t, lo, hi, k)) for k in ("exp_avg", "exp_avg_sq")}
            else:                 # a whole SparseAdam state dict (one process): take this table's rows
                saved = sparse["state"].get(i)
                if not saved:
                    continue
                step = int(saved["step"])
                m = {k: saved[k][lo:hi].clone() for k in ("exp_avg", "exp_avg_sq")}
            dev = emb.weight.device
            self.sparse.state[emb.weight] = {"step": step, **{k: v.to(dev) for k, v in m.items()}}
