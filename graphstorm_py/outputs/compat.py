"""Does a checkpoint fit the graph gs-infer was given? Say what differs before restoring anything.

:func:`check_checkpoint` compares the node types and input feature widths the checkpoint was
trained with (read from its state dict: one input projection per featured node type, one
learnable embedding table per featureless type) with those of the assembled model for this
graph. Anything else that does not fit (edge types, hidden size, classes) is caught by
:func:`graphstorm_py.model.restore_model`, also as a :class:`CheckpointError`.
"""

from __future__ import annotations

from typing import Dict, Set

from graphstorm_py.errors import CheckpointError
from graphstorm_py.model import load_checkpoint_file
from graphstorm_py.model.checkpoint import read_checkpoint_info

__all__ = ["check_checkpoint"]

_PROJ = "input_encoder.input_projs."
_MATRIX = "input_encoder.proj_matrix."


def _signature(state, sparse) -> tuple:
    dims: Dict[str, int] = {}
    ntypes: Set[str] = set(sparse)
    for key, value in state.items():
        if key.startswith(_PROJ):
            t = key[len(_PROJ):]
            dims[t] = int(value.shape[0])
            ntypes.add(t)
        elif key.startswith(_MATRIX):
            ntypes.add(key[len(_MATRIX):])
    return ntypes, dims


def check_checkpoint(path: str, model, graph_path: str = "the graph") -> dict:
    """Raise :class:`CheckpointError` naming each node type or feature width that differs.

    Returns the checkpoint's ``checkpoint.json``.
    """
    info = read_checkpoint_info(path)
    saved = load_checkpoint_file(path, "model.pt") or {}
    ck_types, ck_dims = _signature(saved, info.get("sparse_embed", []))
    own = model.state_dict()
    my_types, my_dims = _signature(own, list(model.input_encoder.embeds.keys()))
    problems = []
    for t in sorted(ck_types - my_types):
        problems.append(f"node type {t!r} is in the checkpoint but not in {graph_path}")
    for t in sorted(my_types - ck_types):
        problems.append(f"node type {t!r} is in {graph_path} but not in the checkpoint")
    for t in sorted(ck_types & my_types):
        a, b = ck_dims.get(t, 0), my_dims.get(t, 0)
        if a != b:
            what = lambda d: f"{d} input feature columns" if d else "no features"  # noqa: E731
            problems.append(f"node type {t!r} has {what(a)} in the checkpoint but {what(b)} in {graph_path} "
                            "(node_feat_name or the feature transforms changed)")
    if problems:
        raise CheckpointError(f"checkpoint {path} does not match {graph_path}: " + "; ".join(problems))
    return info
