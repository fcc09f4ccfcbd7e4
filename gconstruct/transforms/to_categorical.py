"""``to_categorical``: one-hot (or multi-hot) encode categories.

Each distinct value of the column is a category with an index; a row becomes a 0/1 vector with a
1 at the index of its category. GraphStorm semantics:

- Values are compared as strings (numbers are cast to their text form by Arrow).
- The fitted mapping numbers the distinct values in sorted order: ``{"a": 0, "b": 1, ...}``.
- ``separator`` splits a string into several categories, giving a multi-hot row
  (``"a|c"`` with ``separator="|"`` sets the bits of ``a`` and ``c``). A list column is multi-hot
  without a separator.
- ``mapping`` given in the config fixes the categories (keys are read as strings); nothing is
  fitted. GraphStorm writes the fitted mapping back into the config for reuse; here the fitted
  state holds it.
- A value not in the mapping, and a null row, give an all-zero row (no error): new categories at
  inference time are ignored, as in GraphStorm.

Example: ``["b", "a", None, "c"]`` fits ``{"a": 0, "b": 1, "c": 2}`` and gives rows
``[0,1,0], [1,0,0], [0,0,0], [0,0,1]``.

Fitted state: ``{"mapping": {category: index}}``. The width is ``max(index) + 1``.
Output: int8 ``[n, width]`` unless ``out_dtype`` says otherwise. One column only.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field, field_validator

from .base import FeatureTransform, TransformContext, register
from .columns import row_values

__all__ = ["ToCategorical"]


def _as_strings(values: pa.Array) -> pa.Array:
    return values if pa.types.is_string(values.type) else values.cast(pa.string())


@register
class ToCategorical(FeatureTransform):
    name = "to_categorical"
    default_dtype = "int8"
    single_column = True

    class Params(FeatureTransform.Params):
        separator: Optional[str] = Field(None, min_length=1)
        mapping: Optional[dict[str, int]] = None

        @field_validator("mapping", mode="before")
        @classmethod
        def _keys_as_str(cls, v):
            return {str(k): i for k, i in v.items()} if isinstance(v, dict) else v

        @field_validator("mapping")
        @classmethod
        def _indices(cls, v):
            if v is not None and any(i < 0 for i in v.values()):
                raise ValueError("mapping indices must be >= 0")
            return v

    @property
    def needs_fit(self) -> bool:
        return self.params.mapping is None

    def init_state(self) -> dict:
        return {"values": []} if self.needs_fit else {"mapping": dict(self.params.mapping)}

    def fit_partial(self, state: dict, cols) -> dict:
        _, values = row_values(cols[0], self.columns[0], self.params.separator)
        seen = pc.unique(_as_strings(values)).to_pylist()
        return {"values": sorted(set(state["values"]).union(seen))}

    def fit_finish(self, state: dict) -> dict:
        if "mapping" in state:
            return state
        return {"mapping": {v: i for i, v in enumerate(sorted(state["values"]))}}

    def _apply(self, state: dict, cols, ctx: TransformContext) -> dict[str, np.ndarray]:
        mapping = state["mapping"]
        width = max(mapping.values(), default=-1) + 1
        n = len(cols[0])
        out = np.zeros((n, width), dtype=np.int8)
        rows, values = row_values(cols[0], self.columns[0], self.params.separator)
        keys = pa.array(list(mapping), type=pa.string())
        pos = pc.index_in(_as_strings(values), value_set=keys).to_numpy(zero_copy_only=False)
        known = ~np.isnan(pos.astype(np.float64))
        index = np.asarray(list(mapping.values()), dtype=np.int64)
        out[rows[known], index[pos[known].astype(np.int64)]] = 1
        return {self.feature_name: out}
