"""``bucket_numerical``: encode a number by the equal-width buckets it falls into.

GraphStorm semantics. ``range = [a, b]`` is cut into ``bucket_cnt`` buckets of width
``w = (b - a) / bucket_cnt``; bucket ``i`` is ``[a + i*w, a + (i+1)*w)`` (left-inclusive).
A value below ``a`` lands in the first bucket and a value at or above ``b`` in the last one.

``slide_window_size = s`` widens each value ``v`` to the interval ``[v - s/2, v + s/2]`` (cut to
the range) and sets every bucket that interval touches, so nearby values share buckets
(multi-hot). With ``s = 0`` (the default) each value sets exactly one bucket (one-hot).

Example: ``range=[10, 30]``, ``bucket_cnt=2``: ``1 -> [1, 0]``, ``11 -> [1, 0]``, ``21 -> [0, 1]``,
``31 -> [0, 1]``; with ``slide_window_size=10``, ``18 -> [1, 1]`` (the interval [13, 23] touches both).

Nothing is fitted. Several columns (or a vector column) encode each dimension separately and
concatenate the encodings: ``[n, d * bucket_cnt]``. Output: float32 unless ``out_dtype`` says
otherwise (GraphStorm's default).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, field_validator

from .base import FeatureTransform, TransformContext, register
from .columns import numeric_matrix

__all__ = ["BucketNumerical", "bucketize"]


def bucketize(x: np.ndarray, lo: float, hi: float, count: int, window: float = 0.0) -> np.ndarray:
    """Multi-hot bucket membership of a 1-D array: ``[len(x), count]`` of 0/1 (int8)."""
    width = (hi - lo) / count
    low = np.maximum(x - window / 2, lo) - lo
    high = np.minimum(x + window / 2, hi) - lo
    first = np.maximum(np.floor(low / width), 0)
    last = np.minimum(np.floor(high / width) + 1, count)  # exclusive
    idx = np.arange(count)
    out = (idx >= first[:, None]) & (idx < last[:, None])
    out[x >= hi, -1] = True
    out[x <= lo, 0] = True
    return out.astype(np.int8)


@register
class BucketNumerical(FeatureTransform):
    name = "bucket_numerical"

    class Params(FeatureTransform.Params):
        range: list[float] = Field(min_length=2, max_length=2)
        bucket_cnt: int = Field(ge=1)
        slide_window_size: float = Field(0.0, ge=0)

        @field_validator("range")
        @classmethod
        def _distinct(cls, v):
            if v[0] == v[1]:
                raise ValueError(f"range {v} is empty; give [min, max] with min < max")
            return v

    def _apply(self, state: dict, cols, ctx: TransformContext) -> dict[str, np.ndarray]:
        mat = numeric_matrix(cols, self.columns, validate=ctx.validate)
        p = self.params
        lo, hi = min(p.range), max(p.range)
        parts = [bucketize(mat[:, j], lo, hi, p.bucket_cnt, p.slide_window_size) for j in range(mat.shape[1])]
        out = np.hstack(parts) if parts else np.zeros((len(mat), 0), dtype=np.int8)
        return {self.feature_name: out}
