"""Activations and normalisation layers by name, as configs spell them.

GraphStorm's configs name a GNN normalisation ``gnn_norm: batch | layer`` (default: none) and
always use ReLU between layers. We look both up by name so an encoder can be built from a
config without an ``if``/``elif`` chain, and an unknown name is a
:class:`~graphstorm_py.errors.ConfigError` that lists the choices.
"""

from __future__ import annotations

from typing import Callable, Optional

import torch
import torch.nn.functional as F
from torch import nn

from graphstorm_py.errors import ConfigError

__all__ = ["ACTIVATIONS", "NORMS", "get_activation", "make_norm"]

Activation = Callable[[torch.Tensor], torch.Tensor]

ACTIVATIONS: dict[str, Activation] = {
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "gelu": F.gelu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
}

NORMS: dict[str, Callable[[int], nn.Module]] = {
    "batch": nn.BatchNorm1d,
    "layer": nn.LayerNorm,
}


def get_activation(name: Optional[str]) -> Optional[Activation]:
    """The activation function called ``name``; ``None`` or ``"none"`` means no activation."""
    if name is None or name == "none":
        return None
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ConfigError(f"unknown activation {name!r}; valid choices: {', '.join(sorted(ACTIVATIONS))}, none") from None


def make_norm(name: Optional[str], dim: int) -> Optional[nn.Module]:
    """A fresh normalisation layer over ``dim`` features; ``None`` or ``"none"`` means none."""
    if name is None or name == "none":
        return None
    try:
        return NORMS[name](dim)
    except KeyError:
        raise ConfigError(f"unknown normalization {name!r}; valid choices: {', '.join(sorted(NORMS))}, none") from None
