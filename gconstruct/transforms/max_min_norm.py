"""``max_min_norm``: scale numbers into [0, 1] with ``(x - min) / (max - min)``.

GraphStorm semantics, per output dimension (each scalar column, or each element of a vector
column, has its own ``min`` and ``max``):

- ``max`` is the largest value seen while fitting, capped at ``max_bound``:
  ``max = min(amax(x), max_bound)``; likewise ``min = max(amin(x), min_bound)``.
- ``max_val`` / ``min_val`` (a number, or one number per dimension) fix ``max`` / ``min`` outright;
  they are how a fitted range is reused at inference. With both given nothing is fitted.
- Values outside ``[min, max]`` are clipped first, so the output always lies in [0, 1].

Example: ``x = [0, 5, 10, 20]`` with ``max_bound=10`` gives ``[0, 0.5, 1, 1]``.

Fitted state: ``{"max": [float, ...], "min": [float, ...]}`` (length 1 broadcasts).
``max == min`` in some dimension is a DataError: there is nothing to scale.
Output: float32 ``[n, d]`` unless ``out_dtype`` says otherwise.
"""

from __future__ import annotations

from typing import Optional, Union

import numpy as np
from pydantic import model_validator

from graphstorm_py.errors import DataError

from .base import FeatureTransform, TransformContext, register
from .columns import numeric_matrix

__all__ = ["MaxMinNorm"]

Bound = Optional[Union[float, list[float]]]


@register
class MaxMinNorm(FeatureTransform):
    name = "max_min_norm"

    class Params(FeatureTransform.Params):
        max_bound: Optional[float] = None
        min_bound: Optional[float] = None
        max_val: Bound = None
        min_val: Bound = None

        @model_validator(mode="after")
        def _check(self):
            if self.max_bound is not None and self.min_bound is not None and self.max_bound <= self.min_bound:
                raise ValueError(f"max_bound {self.max_bound} must be greater than min_bound {self.min_bound}")
            if self.max_val is not None and self.min_val is not None:
                hi, lo = np.atleast_1d(self.max_val), np.atleast_1d(self.min_val)
                if hi.shape != lo.shape and 1 not in (hi.size, lo.size):
                    raise ValueError("max_val and min_val must have the same length")
                if (hi <= lo).any():
                    raise ValueError(f"max_val {self.max_val} must be greater than min_val {self.min_val}")
            return self

    @property
    def needs_fit(self) -> bool:
        return self.params.max_val is None or self.params.min_val is None

    def init_state(self) -> dict:
        return {"max": None, "min": None} if self.needs_fit else self.fit_finish({"max": None, "min": None})

    def fit_partial(self, state: dict, cols) -> dict:
        mat = numeric_matrix(cols, self.columns)
        if not len(mat):
            return state
        mat = np.where(np.isfinite(mat), mat, np.nan)  # fmax/fmin skip NaN
        hi, lo = np.fmax.reduce(mat, axis=0), np.fmin.reduce(mat, axis=0)
        if state["max"] is not None:
            hi, lo = np.fmax(state["max"], hi), np.fmin(state["min"], lo)
        return {"max": hi, "min": lo}

    def fit_finish(self, state: dict) -> dict:
        p = self.params
        hi = self._side(state["max"], p.max_val, p.max_bound, np.minimum, "max")
        lo = self._side(state["min"], p.min_val, p.min_bound, np.maximum, "min")
        dims = np.flatnonzero(np.less_equal(*np.broadcast_arrays(hi, lo)))
        if dims.size:
            raise DataError(f"feature '{self.feature_name}': max <= min in dimension(s) {dims.tolist()} "
                            f"(max={hi.tolist()}, min={lo.tolist()}); set max_val/min_val to scale it")
        return {"max": hi.tolist(), "min": lo.tolist()}

    def _side(self, fitted, given, bound, clamp, what: str) -> np.ndarray:
        if given is not None:
            return np.atleast_1d(np.asarray(given, dtype=np.float64))
        if fitted is None or not np.isfinite(fitted).all():
            raise DataError(f"feature '{self.feature_name}': no finite values to fit the {what} from "
                            f"(columns {self.columns})")
        out = np.asarray(fitted, dtype=np.float64)
        return clamp(out, bound) if bound is not None else out

    def _apply(self, state: dict, cols, ctx: TransformContext) -> dict[str, np.ndarray]:
        mat = numeric_matrix(cols, self.columns, validate=ctx.validate)
        hi, lo = np.asarray(state["max"]), np.asarray(state["min"])
        if hi.size not in (1, mat.shape[1]) or lo.size not in (1, mat.shape[1]):
            raise DataError(f"feature '{self.feature_name}': data has {mat.shape[1]} dimensions but the "
                            f"fitted range has {max(hi.size, lo.size)}")
        return {self.feature_name: np.clip((mat - lo) / (hi - lo), 0.0, 1.0)}
