"""The feature-store interface: rows of node and edge arrays, gathered by id.

An array is addressed by ``(ntype, name)`` for nodes or ``(etype, name)`` for edges, where
``name`` is a feature, a label or a mask (``train_mask`` ...). Row ``i`` belongs to nid
(or eid) ``i``; a row may itself be a vector or a tensor (its *row shape*).

``gather(ntype, name, nids)`` returns a CPU tensor of shape ``[len(nids), *row_shape]``:

- floating arrays (float16/32/64) come back as ``float32``;
- integer and bool arrays keep their dtype (labels, masks, node-id arrays).

Implementations (the local memory-mapped store, a distributed store) subclass
:class:`FeatureStore` and fill in the ``_private`` methods, which take a *kind*
(``"node"`` or ``"edge"``) and a type (an ntype string or an etype tuple). Those methods may
assume valid arguments: the public methods check types, names and id ranges once, here,
and raise a :class:`~graphstorm_py.errors.DataError` that lists what exists.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from math import prod
from typing import List, Sequence, Tuple, Union

import numpy as np
import torch

from graphstorm_py.errors import DataError
from graphstorm_py.typing import EdgeType

__all__ = ["FeatureStore"]

TypeKey = Union[str, EdgeType]


def _show(t: TypeKey) -> str:
    return t if isinstance(t, str) else ",".join(t)


class FeatureStore(ABC):
    """Rows by id for node and edge arrays. See the module docstring for the conventions."""

    # ---- nodes --------------------------------------------------------------------------
    def gather(self, ntype: str, name: str, nids) -> torch.Tensor:
        """``[len(nids), *row_shape]`` rows of node array ``name`` (floats as float32)."""
        return self._checked_gather("node", ntype, name, nids)

    def has(self, ntype: str, name: str) -> bool:
        return ntype in self._types("node") and name in self._names("node", ntype)

    def dim(self, ntype: str, name: str) -> int:
        """Number of values per row (the product of the row shape; 1 for a scalar per node)."""
        return prod(self.row_shape(ntype, name))

    def row_shape(self, ntype: str, name: str) -> Tuple[int, ...]:
        self._check_name("node", ntype, name)
        return tuple(self._row_shape("node", ntype, name))

    def num_nodes(self, ntype: str) -> int:
        self._check_type("node", ntype)
        return self._count("node", ntype)

    def names(self, ntype: str) -> List[str]:
        """Every array of the node type: features, labels and masks."""
        self._check_type("node", ntype)
        return sorted(self._names("node", ntype))

    # ---- edges --------------------------------------------------------------------------
    def gather_edges(self, etype: EdgeType, name: str, eids) -> torch.Tensor:
        """``[len(eids), *row_shape]`` rows of edge array ``name`` (floats as float32)."""
        return self._checked_gather("edge", tuple(etype), name, eids)

    def has_edges(self, etype: EdgeType, name: str) -> bool:
        etype = tuple(etype)  # type: ignore[assignment]
        return etype in self._types("edge") and name in self._names("edge", etype)

    def edge_dim(self, etype: EdgeType, name: str) -> int:
        return prod(self.edge_row_shape(etype, name))

    def edge_row_shape(self, etype: EdgeType, name: str) -> Tuple[int, ...]:
        self._check_name("edge", tuple(etype), name)
        return tuple(self._row_shape("edge", tuple(etype), name))

    def num_edges(self, etype: EdgeType) -> int:
        self._check_type("edge", tuple(etype))
        return self._count("edge", tuple(etype))

    def edge_names(self, etype: EdgeType) -> List[str]:
        self._check_type("edge", tuple(etype))
        return sorted(self._names("edge", tuple(etype)))

    # ---- checks, once -------------------------------------------------------------------
    def _check_type(self, kind: str, t: TypeKey) -> None:
        types = self._types(kind)
        if t not in types:
            raise DataError(f"the feature store has no {kind} type {_show(t)!r}; "
                            f"it has {'; '.join(_show(x) for x in types) or 'none'}")

    def _check_name(self, kind: str, t: TypeKey, name: str) -> None:
        self._check_type(kind, t)
        names = self._names(kind, t)
        if name not in names:
            from graphstorm_py.config.suggest import did_you_mean

            raise DataError(f"{kind} type {_show(t)!r} has no array {name!r}; "
                            f"it has {', '.join(sorted(names)) or 'none'}{did_you_mean(name, names)}")

    def _checked_gather(self, kind: str, t: TypeKey, name: str, ids) -> torch.Tensor:
        self._check_name(kind, t, name)
        ids = torch.as_tensor(ids).flatten()
        if ids.dtype.is_floating_point or ids.dtype == torch.bool:
            raise TypeError(f"ids must be integers, got {ids.dtype}")
        ids = ids.to("cpu", torch.long)
        if ids.numel():
            lo, hi, n = int(ids.min()), int(ids.max()), self._count(kind, t)
            if lo < 0 or hi >= n:
                raise DataError(f"{kind} ids for {_show(t)!r}/{name} must be in [0, {n}), got [{lo}, {hi}]")
        rows = self._gather(kind, t, name, ids)
        if isinstance(rows, np.ndarray):
            rows = torch.from_numpy(np.ascontiguousarray(rows))
        return rows.float() if rows.is_floating_point() else rows

    # ---- what an implementation provides ------------------------------------------------
    @abstractmethod
    def _types(self, kind: str) -> Sequence[TypeKey]:
        """The node types (``kind == "node"``) or edge types (``"edge"``)."""

    @abstractmethod
    def _count(self, kind: str, t: TypeKey) -> int:
        """Number of rows (nodes or edges) of a type."""

    @abstractmethod
    def _names(self, kind: str, t: TypeKey) -> Sequence[str]:
        """Names of the arrays a type has."""

    @abstractmethod
    def _row_shape(self, kind: str, t: TypeKey, name: str) -> Sequence[int]:
        """Shape of one row of an array."""

    @abstractmethod
    def _gather(self, kind: str, t: TypeKey, name: str, ids: torch.Tensor) -> Union[np.ndarray, torch.Tensor]:
        """Rows ``ids`` (a CPU int64 tensor, all in range) of an array, in that order."""
