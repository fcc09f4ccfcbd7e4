"""``rank_gauss``: map numbers to a Gaussian shape through their rank.

The method (from the Porto Seguro Kaggle competition, as GraphStorm documents it), per column:

1. rank the values: ``r`` in ``0 .. n-1``;
2. scale the rank to (-1, 1): ``u = (r / (n - 1) - 0.5) * 2``, clipped to ``[-1 + epsilon, 1 - epsilon]``
   so the next step stays finite;
3. ``erfinv(u)``, which turns the uniform ranks into a bell curve.

``uniquify=True`` ranks the *distinct* values, so every copy of a value gets the same output and
``n`` is the number of distinct values.

**Reuse on new data.** GraphStorm ranks the data it is given, so it cannot map new rows the way
it mapped the training rows. Here the fit keeps a table of sorted values ``x`` with their scaled
rank ``q = r / (n - 1)``; ``apply`` computes ``q`` for any value by linear interpolation in that
table (values past either end get 0 or 1). On the fitted data with distinct values this is exactly
GraphStorm's rank. Where a value repeats we give every copy the *average* rank of its run
(GraphStorm breaks ties in argsort order, so copies of one value get different outputs).

The table keeps at most :data:`MAX_QUANTILES` evenly spaced entries per column; more distinct
values than that are interpolated. While fitting, distinct values are counted exactly up to
:data:`FIT_BUFFER` per column, then merged into weighted groups (an approximation that only large
columns ever see; below it, fitting batch by batch equals fitting at once).

Fitted state: ``{"x": [[float, ...] per dimension], "q": [[float, ...] per dimension]}``.
Output: float32 ``[n, d]`` unless ``out_dtype`` says otherwise.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field
from scipy.special import erfinv

from graphstorm_py.errors import DataError

from .base import FeatureTransform, TransformContext, register
from .columns import numeric_matrix

__all__ = ["RankGauss", "MAX_QUANTILES", "FIT_BUFFER"]

MAX_QUANTILES = 100_000
FIT_BUFFER = 1_000_000


def _merge(x_old, w_old, x_new, w_new, uniquify: bool):
    """Union of two (sorted values, weights) tables; weights add (or take the max if uniquify)."""
    x, inv = np.unique(np.concatenate([x_old, x_new]), return_inverse=True)
    w = np.zeros(len(x))
    (np.maximum if uniquify else np.add).at(w, inv, np.concatenate([w_old, w_new]))
    if len(x) > FIT_BUFFER:  # compress the interior into k groups; the extremes stay exact
        k = FIT_BUFFER // 4
        bounds = np.arange(k + 1) * (len(x) - 2) // k  # group g is interior[bounds[g]:bounds[g+1]]
        interior_x, interior_w = x[1:-1], w[1:-1]
        mids = (bounds[:-1] + bounds[1:]) // 2
        w = np.concatenate([w[:1], np.add.reduceat(interior_w, bounds[:-1]), w[-1:]])
        x = np.concatenate([x[:1], interior_x[mids], x[-1:]])
    return x, w


def _rank_table(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scaled average rank ``q`` in [0, 1] of each value in a weighted sorted table."""
    n = w.sum()
    pos = np.cumsum(w) - w + (w - 1) / 2  # average rank of each run of equal values
    q = pos / (n - 1) if n > 1 else np.full(len(x), 0.5)
    if len(x) > MAX_QUANTILES:
        keep = np.unique(np.round(np.linspace(0, len(x) - 1, MAX_QUANTILES)).astype(np.int64))
        x, q = x[keep], q[keep]
    return x, q


@register
class RankGauss(FeatureTransform):
    name = "rank_gauss"

    class Params(FeatureTransform.Params):
        epsilon: float = Field(1e-6, gt=0, lt=1)
        uniquify: bool = False

    @property
    def needs_fit(self) -> bool:
        return True

    def init_state(self) -> dict:
        return {"values": None, "weights": None}

    def fit_partial(self, state: dict, cols) -> dict:
        mat = numeric_matrix(cols, self.columns)
        old_x, old_w = state["values"], state["weights"]
        if old_x is None:
            old_x = old_w = [np.empty(0)] * mat.shape[1]
        elif len(old_x) != mat.shape[1]:
            raise DataError(f"feature '{self.feature_name}': batches have different numbers of dimensions")
        new_x, new_w = [], []
        for j in range(mat.shape[1]):
            col = mat[:, j][np.isfinite(mat[:, j])]
            vals, counts = np.unique(col, return_counts=True)
            weights = np.ones(len(vals)) if self.params.uniquify else counts.astype(np.float64)
            x, w = _merge(old_x[j], old_w[j], vals, weights, self.params.uniquify)
            new_x.append(x)
            new_w.append(w)
        return {"values": new_x, "weights": new_w}

    def fit_finish(self, state: dict) -> dict:
        if state["values"] is None or any(len(x) == 0 for x in state["values"]):
            raise DataError(f"feature '{self.feature_name}': no finite values to rank in {self.columns}")
        tables = [_rank_table(np.asarray(x), np.asarray(w)) for x, w in zip(state["values"], state["weights"])]
        return {"x": [x.tolist() for x, _ in tables], "q": [q.tolist() for _, q in tables]}

    def _apply(self, state: dict, cols, ctx: TransformContext) -> dict[str, np.ndarray]:
        mat = numeric_matrix(cols, self.columns, validate=ctx.validate)
        if mat.shape[1] != len(state["x"]):
            raise DataError(f"feature '{self.feature_name}': data has {mat.shape[1]} dimensions but the "
                            f"fitted table has {len(state['x'])}")
        eps = self.params.epsilon
        out = np.empty_like(mat)
        for j, (x, q) in enumerate(zip(state["x"], state["q"])):
            u = (np.interp(mat[:, j], x, q) - 0.5) * 2
            out[:, j] = erfinv(np.clip(u, -1 + eps, 1 - eps))
        return {self.feature_name: out}
