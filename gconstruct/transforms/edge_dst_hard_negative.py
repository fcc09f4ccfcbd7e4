"""``edge_dst_hard_negative``: per edge, the graph node IDs of its hard negative destinations.

For link prediction a user may list, per edge, destination nodes that look plausible but are
wrong ("hard negatives"). The column holds their *original* IDs: a list column, or a string split
on ``separator`` (``"p3;p7"``), or a single ID per row. The output is an int64 matrix
``[n_edges, k]`` of destination node IDs (nids in the graph), padded with -1, where ``k`` is the
largest number of hard negatives any edge has (fitted over all batches, so every batch has the
same width). Nulls and empty strings are skipped.

The negatives are nodes of the edge type's destination type: ``build_transform(..., etype=...)``
tells the transform, or else ``ctx.dst_ntype`` does at apply time. Mapping IDs needs the ID maps,
which ``apply`` reaches through ``ctx.lookup(dst_ntype, ids)`` (see
:class:`~.base.TransformContext`); IDs split from a string reach it as strings. An ID the map does
not know is a DataError that names it.

Fitted state: ``{"max_negatives": k}``. ``out_dtype`` is ignored: the output stays int64.
``output_info`` gives ``{"kind": "hard_negative", "node_type": dst_ntype}``.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import pyarrow as pa
from pydantic import Field

from graphstorm_py.errors import DataError

from .base import FeatureTransform, TransformContext, register
from .columns import row_values

__all__ = ["EdgeDstHardNegative"]


@register
class EdgeDstHardNegative(FeatureTransform):
    name = "edge_dst_hard_negative"
    default_dtype = None
    single_column = True
    accepts_out_dtype = False

    class Params(FeatureTransform.Params):
        separator: Optional[str] = Field(None, min_length=1)

    @property
    def dst_ntype(self) -> str | None:
        """The destination node type, when the transform was built with its edge type."""
        return self.etype[2] if self.etype else None

    @property
    def needs_fit(self) -> bool:
        return True

    def init_state(self) -> dict:
        return {"max_negatives": 0}

    def fit_partial(self, state: dict, cols) -> dict:
        rows, _ = row_values(cols[0], self.columns[0], self.params.separator)
        most = int(np.bincount(rows).max()) if len(rows) else 0
        return {"max_negatives": max(state["max_negatives"], most)}

    def _apply(self, state: dict, cols, ctx: TransformContext) -> dict[str, np.ndarray]:
        n, k = len(cols[0]), state["max_negatives"]
        out = np.full((n, k), -1, dtype=np.int64)
        rows, ids = row_values(cols[0], self.columns[0], self.params.separator)
        if not len(rows):
            return {self.feature_name: out}
        ntype = self.dst_ntype or getattr(ctx, "dst_ntype", None)
        if ctx.lookup is None or ntype is None:
            raise ValueError(f"{self.name}: apply needs ctx.lookup and a destination node type "
                             "(build it with etype=, or set ctx.dst_ntype)")
        counts = np.bincount(rows, minlength=n)
        if counts.max() > k:
            row = int(np.argmax(counts > k))
            raise DataError(f"column '{self.columns[0]}': row {row} has {int(counts[row])} hard negatives, "
                            f"more than the {k} seen while fitting")
        nids = np.asarray(ctx.lookup(ntype, ids), dtype=np.int64)
        unknown = np.flatnonzero(nids < 0)
        if unknown.size:
            shown = ", ".join(repr(v) for v in ids.take(pa.array(unknown[:5])).to_pylist())
            raise DataError(f"column '{self.columns[0]}': {unknown.size} hard-negative ID(s) are not "
                            f"nodes of type '{ntype}', e.g. {shown}")
        # rows are sorted (values come in row order): a value's slot is its rank within its row
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        out[rows, np.arange(len(rows)) - starts[rows]] = nids
        return {self.feature_name: out}

    def output_info(self, state: dict) -> dict[str, dict]:
        return {self.feature_name: {"kind": "hard_negative", "node_type": self.dst_ntype}}
