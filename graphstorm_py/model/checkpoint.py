"""Model checkpoints: save a :class:`GNNModel` by layer, restore any subset of its layers.

Layout of one checkpoint (GraphStorm keeps them as ``save_model_path/epoch-N/``)::

    CKPT/
      model.pt               dense state dict: input projections, GNN, decoders (torch.save)
      sparse_embed/<ntype>.npy   learnable node embeddings, row i = nid i (absent without any);
                             a distributed run writes one shard per owner instead (see .sparse_checkpoint)
      optimizer.pt           {"dense": Adam state, "sparse": SparseAdam state} (training only)
      trainer_state.pt       epoch, step, random states, for exact resumption (training only)
      config.yaml            the resolved training config (TrainConfig.resolved_dict())
      checkpoint.json        written last, so its presence marks a complete checkpoint:
                             {"format", "epoch", "step", "val", "sparse_embed": [ntypes],
                              "decoders": [names], "decoder_etypes": {name: [[src, rel, dst], ...]}, ...}

Every path may be local or ``s3://``. Restoring is by GraphStorm's ``restore_model_layers``
(``embed`` = ``dense_embed`` + ``sparse_embed``, ``gnn``, ``decoder``): see :func:`restore_model`.
A decoder the checkpoint does not have (a new task, warm-started from a pre-trained encoder)
keeps its fresh weights; any other mismatch is a :class:`~graphstorm_py.errors.CheckpointError`.
"""

from __future__ import annotations

import io as _pyio
import logging
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence

import torch
import yaml

from graphstorm_py import io
from graphstorm_py.errors import CheckpointError
from graphstorm_py.model.gnn_model import SPARSE_EMBED_PREFIX, GNNModel
from graphstorm_py.model.sparse_checkpoint import SHARDS_KEY, check_shards, read_rows, shard_manifest, table_shape

__all__ = ["CHECKPOINT_FORMAT", "save_checkpoint", "is_checkpoint", "read_checkpoint_info", "decoder_etypes",
           "encoder_etypes",
           "load_checkpoint_config", "restore_model", "load_checkpoint_file"]

log = logging.getLogger(__name__)

CHECKPOINT_FORMAT = "graphstorm_py/checkpoint-v1"
_MANIFEST = "checkpoint.json"


def _torch_bytes(obj: Any) -> bytes:
    buf = _pyio.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def save_checkpoint(path: str, model: GNNModel, *, config: Optional[Mapping[str, Any]] = None,
                    optimizer_state: Optional[Mapping[str, Any]] = None,
                    trainer_state: Optional[Mapping[str, Any]] = None,
                    info: Optional[Mapping[str, Any]] = None) -> str:
    """Write a checkpoint of ``model`` to ``path`` (replacing one already there); returns ``path``.

    Args:
        config: the resolved config dict, saved as ``config.yaml``.
        optimizer_state / trainer_state: saved when given (what a resumed run needs).
        info: extra fields of ``checkpoint.json`` (epoch, step, validation metrics, ...).
    """
    io.remove(io.join(path, _MANIFEST))            # an interrupted re-save never looks complete
    io.makedirs(path)
    state = model.state_dict()
    sparse = {k[len(SPARSE_EMBED_PREFIX):].rsplit(".weight", 1)[0]: v for k, v in state.items()
              if k.startswith(SPARSE_EMBED_PREFIX)}
    dense = {k: v for k, v in state.items() if not k.startswith(SPARSE_EMBED_PREFIX)}
    io.write_bytes(io.join(path, "model.pt"), _torch_bytes(dense))
    # sharded tables (distributed runs): every owner has written its shard already; list them
    shards = {t: shard_manifest(e.num_embeddings, e.embedding_dim, e.shard_ranges)
              for t, e in model.input_encoder.embeds.items() if getattr(e, "shard_ranges", None)}
    for ntype, table in sparse.items():
        if ntype not in shards:
            io.save_npy(io.join(path, "sparse_embed", f"{ntype}.npy"), table.detach().cpu().numpy())
    if optimizer_state is not None:
        io.write_bytes(io.join(path, "optimizer.pt"), _torch_bytes(dict(optimizer_state)))
    if trainer_state is not None:
        io.write_bytes(io.join(path, "trainer_state.pt"), _torch_bytes(dict(trainer_state)))
    if config is not None:
        io.write_bytes(io.join(path, "config.yaml"), yaml.safe_dump(dict(config), sort_keys=False).encode())
    # the edge types a decoder has parameters for (link prediction): gs-infer rebuilds it from these
    # when a new graph has no train mask to tell them
    etypes = {name: [list(e) for e in dec.etypes] for name, dec in model.decoders.items()
              if getattr(dec, "etypes", None)}
    # the encoder's edge types in its parameter order: a new graph may list them in another order
    gnn_etypes = [list(e) for e in getattr(model.gnn, "etypes", None) or []]
    manifest = {"format": CHECKPOINT_FORMAT, "sparse_embed": sorted(sparse), "gnn_etypes": gnn_etypes,
                "decoders": sorted(model.decoders.keys()), "decoder_etypes": etypes, **dict(info or {})}
    if shards:
        manifest[SHARDS_KEY] = shards
    io.write_json(io.join(path, _MANIFEST), manifest)
    return path


def is_checkpoint(path: str) -> bool:
    return io.exists(io.join(str(path), _MANIFEST))


def read_checkpoint_info(path: str) -> Dict[str, Any]:
    """The ``checkpoint.json`` of a complete checkpoint (a :class:`CheckpointError` otherwise)."""
    if not is_checkpoint(path):
        raise CheckpointError(f"{path} is not a complete graphstorm_py checkpoint ({_MANIFEST} is missing)")
    info = io.read_json(io.join(path, _MANIFEST))
    if info.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path}: unknown checkpoint format {info.get('format')!r}")
    return info


def decoder_etypes(info: Mapping[str, Any]) -> Dict[str, list]:
    """``{decoder name: [(src, rel, dst), ...]}`` recorded in a ``checkpoint.json`` (empty for old ones)."""
    return {name: [tuple(e) for e in ets] for name, ets in (info.get("decoder_etypes") or {}).items()}


def encoder_etypes(info: Mapping[str, Any], etypes: Sequence, where: str) -> list:
    """The graph's ``etypes`` in the order of the checkpoint's encoder parameters.

    A graph built from a config that lists its edges in another order must not permute the
    per-relation weights; a graph without an edge type the encoder has (or with one it lacks)
    is a :class:`CheckpointError` naming them. Old checkpoints (no record) keep the graph's order.
    """
    saved = [tuple(e) for e in info.get("gnn_etypes") or []]
    if not saved:
        return list(etypes)
    have = [tuple(e) for e in etypes]
    lacking = [",".join(e) for e in saved if e not in have]
    extra = [",".join(e) for e in have if e not in saved]
    if lacking or extra:
        parts = ([f"edge types {', '.join(lacking)} are in the checkpoint but not in {where}"] if lacking else []) + \
                ([f"edge types {', '.join(extra)} are in {where} but not in the checkpoint"] if extra else [])
        hint = (" (build the new graph with --add-reverse-edges as the training graph was built, or without)"
                if any(e.rsplit(",", 1)[0].endswith("-rev") for e in lacking + extra) else "")
        raise CheckpointError(f"the model's encoder does not match {where}: {'; '.join(parts)}{hint}")
    return saved


def load_checkpoint_config(path: str):
    """The :class:`~graphstorm_py.config.TrainConfig` the checkpoint was trained with."""
    from graphstorm_py.config import TrainConfig

    read_checkpoint_info(path)
    data = yaml.safe_load(io.read_bytes(io.join(path, "config.yaml")))
    return TrainConfig.from_resolved(data, source=io.join(path, "config.yaml"))


def load_checkpoint_file(path: str, name: str) -> Optional[Dict[str, Any]]:
    """A ``torch.save`` d file of the checkpoint (``optimizer.pt``, ``trainer_state.pt``), or None."""
    f = io.join(path, name)
    if not io.exists(f):
        return None
    return torch.load(_pyio.BytesIO(io.read_bytes(f)), map_location="cpu", weights_only=True)


def restore_model(path: str, model: GNNModel, layers: Iterable[str] = ("embed", "gnn", "decoder")) -> Dict[str, list]:
    """Load the ``layers`` of checkpoint ``path`` into ``model``, in place.

    Returns ``{"restored": [state keys / sparse ntypes], "fresh": [decoders not in the checkpoint]}``.
    Raises :class:`CheckpointError` when a requested layer does not fit the model (another
    encoder, hidden size, feature width or graph).
    """
    info = read_checkpoint_info(path)
    wanted = GNNModel.expand_layers(list(layers))
    saved = load_checkpoint_file(path, "model.pt") or {}
    own = model.state_dict()
    update, restored, fresh = {}, [], []
    for key, value in own.items():
        layer = GNNModel.layer_of(key)
        if layer not in wanted or layer == "sparse_embed":
            continue
        if key not in saved:
            if layer == "decoder":
                fresh.append(key)
                continue
            raise CheckpointError(f"{path}: the checkpoint has no {key!r} (layer {layer!r}); was it trained "
                                  "with another model_encoder_type, num_layers or node features?")
        if saved[key].shape != value.shape:
            raise CheckpointError(f"{path}: {key!r} has shape {tuple(saved[key].shape)} in the checkpoint but "
                                  f"{tuple(value.shape)} in this model (hidden_size, features or classes differ)")
        update[key] = saved[key]
        restored.append(key)
    extra = [k for k in saved if k not in own and GNNModel.layer_of(k) in wanted - {"decoder"}]
    if extra:
        raise CheckpointError(f"{path}: the checkpoint has parameters this model lacks, e.g. {extra[0]!r}")
    model.load_state_dict(update, strict=False)
    if "sparse_embed" in wanted:
        restored += _restore_sparse(path, model, info)
    fresh = sorted({k.split(".")[1] for k in fresh})
    if fresh:
        log.info("decoders %s are not in %s: they start from fresh weights", ", ".join(fresh), path)
    return {"restored": restored, "fresh": fresh}


def _restore_sparse(path: str, model: GNNModel, info: Mapping[str, Any]) -> list:
    """Each table reads only the rows it holds (a shard of a distributed run holds its owned nids)."""
    out = []
    saved_ntypes = info.get("sparse_embed", [])
    check_shards(path, info)
    for ntype, emb in model.input_encoder.embeds.items():
        if ntype not in saved_ntypes:
            raise CheckpointError(f"{path}: no learnable embeddings of node type {ntype!r} in the checkpoint")
        shape = table_shape(path, info, ntype)
        if shape != (emb.num_embeddings, emb.embedding_dim):
            raise CheckpointError(f"{path}: embeddings of {ntype!r} have shape {shape} in the checkpoint "
                                  f"but {(emb.num_embeddings, emb.embedding_dim)} here (another graph or hidden_size?)")
        lo, hi = getattr(emb, "row_range", (0, emb.num_embeddings))
        with torch.no_grad():
            emb.weight.copy_(torch.from_numpy(read_rows(path, info, ntype, lo, hi)))
        out.append(f"sparse_embed/{ntype}")
    return out
