"""``no-op``: pass numbers through as a float matrix. The default when no transform is given.

- A scalar numeric column becomes ``[n, 1]``; a ``list`` or ``fixed_size_list`` column of numbers
  (an embedding, say) becomes ``[n, d]``; several ``feature_col`` are concatenated along dim 1.
- ``separator`` reads a string cell as a vector: ``"1|2|3"`` with ``separator="|"`` is
  ``[1, 2, 3]`` (how CSV files carry vectors).
- ``truncate_dim = k`` keeps the first ``k`` values of each column's vector, e.g. to shorten
  Matryoshka embeddings.

GraphStorm's docs also allow an empty name (``{"name": "", "truncate_dim": 24}``); that means
``no-op`` here too. Nothing is fitted. Output: float32 unless ``out_dtype`` says otherwise
(GraphStorm's default, so integer columns become float32 too). Integer columns are read as
int64, never through float64, so ``out_dtype: int64`` keeps values beyond 2^53 exactly; a
cast that merges distinct integers (to float32, say) logs a warning naming the feature.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from pydantic import Field

from .base import FeatureTransform, TransformContext, register
from .columns import numeric_matrix

__all__ = ["NoOp"]


@register
class NoOp(FeatureTransform):
    name = "no-op"

    class Params(FeatureTransform.Params):
        separator: Optional[str] = Field(None, min_length=1)
        truncate_dim: Optional[int] = Field(None, ge=1)

    def _apply(self, state: dict, cols, ctx: TransformContext) -> dict[str, np.ndarray]:
        p = self.params
        mat = numeric_matrix(cols, self.columns, separator=p.separator, validate=ctx.validate,
                             truncate_dim=p.truncate_dim, exact_int=True)
        return {self.feature_name: mat}
