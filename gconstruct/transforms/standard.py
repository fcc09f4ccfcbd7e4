"""``standard``: divide every value by the sum of its column, ``x / sum(x)``.

This is GraphStorm's ``standard`` (and GSProcessing's ``standard`` normalizer): despite the name
it is *not* a z-score; the values of a column are divided by the column's total, so a column of
non-negative numbers becomes a distribution that sums to 1.

Each scalar column, and each element of a vector column, has its own sum. The optional ``sum``
(a number, or one per dimension) fixes the divisor instead of fitting it; GraphStorm writes it back
into the config for reuse at inference, and we accept it for the same reason.

Example: ``x = [1, 2, 5]`` gives ``[0.125, 0.25, 0.625]``.

Fitted state: ``{"sum": [float, ...]}``. Sums accumulated over batches equal the sum over the
whole column up to float64 rounding. A zero sum is a DataError.
Output: float32 ``[n, d]`` unless ``out_dtype`` says otherwise.
"""

from __future__ import annotations

from typing import Optional, Union

import numpy as np

from graphstorm_py.errors import DataError

from .base import FeatureTransform, TransformContext, register
from .columns import numeric_matrix

__all__ = ["Standard"]


@register
class Standard(FeatureTransform):
    name = "standard"

    class Params(FeatureTransform.Params):
        sum: Optional[Union[float, list[float]]] = None

    @property
    def needs_fit(self) -> bool:
        return self.params.sum is None

    def init_state(self) -> dict:
        return {"sum": None} if self.needs_fit else self.fit_finish({"sum": None})

    def fit_partial(self, state: dict, cols) -> dict:
        mat = numeric_matrix(cols, self.columns)
        total = np.where(np.isfinite(mat), mat, 0.0).sum(axis=0)
        if state["sum"] is not None:
            total = total + np.asarray(state["sum"])
        return {"sum": total}

    def fit_finish(self, state: dict) -> dict:
        total = self.params.sum if self.params.sum is not None else state["sum"]
        if total is None:
            raise DataError(f"feature '{self.feature_name}': no data to fit the column sums from")
        total = np.atleast_1d(np.asarray(total, dtype=np.float64))
        zero = np.flatnonzero(total == 0)
        if zero.size:
            raise DataError(f"feature '{self.feature_name}': the sum of dimension(s) {zero.tolist()} "
                            "is 0, so 'standard' cannot divide by it")
        return {"sum": total.tolist()}

    def _apply(self, state: dict, cols, ctx: TransformContext) -> dict[str, np.ndarray]:
        mat = numeric_matrix(cols, self.columns, validate=ctx.validate)
        total = np.asarray(state["sum"])
        if total.size not in (1, mat.shape[1]):
            raise DataError(f"feature '{self.feature_name}': data has {mat.shape[1]} dimensions but "
                            f"the fitted sum has {total.size}")
        return {self.feature_name: mat / total}
