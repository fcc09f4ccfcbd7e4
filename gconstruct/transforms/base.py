"""The feature-transform interface: pure functions over Arrow columns, with a separate fit step.

A gconstruct feature entry names input columns and a transform::

    {"feature_col": "age", "feature_name": "age_n", "out_dtype": "float16",
     "transform": {"name": "max_min_norm", "max_bound": 100}}

:func:`~graphstorm_py.gconstruct.transforms.build_transform` turns that entry into a
:class:`FeatureTransform`. The object holds only configuration; everything learned from the
data lives in a separate *state* dict that the caller threads through. That keeps every method
pure, so the same code serves a local loop and a distributed engine, and the fitted state can be
saved in ``metadata.json`` and reused on new data (``gs-construct --transform-conf``).

Life cycle (:func:`fit_state` is the reference implementation)::

    state = t.init_state()
    if t.needs_fit:                        # skip the pass over the data otherwise
        for batch in record_batches:
            state = t.fit_partial(state, [batch[c] for c in t.columns])
    state = t.fit_finish(state)            # JSON-serialisable from here on
    for batch in record_batches:
        out = t.apply(state, [batch[c] for c in t.columns], ctx)
        # out: {output name: np.ndarray with one row per input row}

Rules every transform keeps:

- ``fit_partial`` never mutates its input state; it returns a new one. Intermediate states may
  hold numpy arrays (they are picklable); the state returned by ``fit_finish`` holds only JSON
  types and gives identical outputs after ``json.loads(json.dumps(state))``.
- Fitting across several batches gives the same state as fitting on their concatenation.
- Numeric input goes through :mod:`.columns`: nulls read as NaN; NaN/Inf are skipped while
  fitting and are a :class:`~graphstorm_py.errors.DataError` naming the column at apply time,
  unless ``ctx.validate`` is False.
- ``out_dtype`` casts the feature outputs; without it each transform keeps GraphStorm's default
  (float32 for numeric transforms, int8 for one-hot encodings). Casting integers so that
  distinct values merge (int64 beyond 2^24 to float32) or overflow logs a warning naming the
  feature and its columns, once per feature.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Callable, ClassVar, Iterable, Optional

import numpy as np
import pyarrow as pa
from pydantic import BaseModel, ConfigDict

from graphstorm_py.errors import ConfigError
from graphstorm_py.registry import Registry
from graphstorm_py.typing import EdgeType

from .columns import int_cast_loss

__all__ = ["FeatureTransform", "TransformContext", "TRANSFORMS", "OUT_DTYPES", "register", "fit_state"]

logger = logging.getLogger(__name__)

TRANSFORMS: Registry = Registry("feature transform")

#: The values ``out_dtype`` accepts.
OUT_DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64")

Lookup = Callable[[str, pa.Array], np.ndarray]


@dataclasses.dataclass(frozen=True)
class TransformContext:
    """What ``apply`` may need beyond the columns.

    Attributes:
        validate: raise a DataError on NaN/Inf/missing numeric input (default True).
        lookup: ``lookup(ntype, ids) -> int64 nids`` with -1 for unknown IDs; maps original node
            IDs to graph node IDs. Only ``edge_dst_hard_negative`` uses it.
        dst_ntype: the destination node type of the edge type being transformed (used by
            ``edge_dst_hard_negative`` when it was built without ``etype``).

    Any object with these attributes will do.
    """

    validate: bool = True
    lookup: Optional[Lookup] = None
    dst_ntype: Optional[str] = None


DEFAULT_CONTEXT = TransformContext()


def register(cls):
    """Class decorator: add a transform to :data:`TRANSFORMS` under its GraphStorm ``name``."""
    TRANSFORMS.register(cls.name)(cls)
    return cls


class FeatureTransform:
    """Base class of every feature transform.

    Args:
        feature_name: name of the produced feature (or prefix-free names, see ``output_info``).
        columns: input column names, in order; several columns are concatenated along dim 1.
        out_dtype: one of :data:`OUT_DTYPES`, or None for the transform's default.
        params: the validated ``transform`` dict (the subclass's ``Params``).
        etype: the edge type when the entry belongs to an edge, else None.

    Subclasses set ``name``, ``Params``, ``default_dtype`` and implement ``_apply``; those that
    learn from data also set ``needs_fit`` and override ``fit_partial``/``fit_finish``.
    """

    name: ClassVar[str]
    #: the output dtype when ``out_dtype`` is not given; None keeps what ``_apply`` returns
    default_dtype: ClassVar[Optional[str]] = "float32"
    #: transforms that read exactly one column set this to True
    single_column: ClassVar[bool] = False
    #: False for transforms whose outputs are IDs or tokens (``out_dtype`` is then ignored)
    accepts_out_dtype: ClassVar[bool] = True

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")

    def __init__(self, feature_name: str, columns: list[str], out_dtype: str | None,
                 params: "FeatureTransform.Params", *, etype: EdgeType | None = None):
        if out_dtype is not None and out_dtype not in OUT_DTYPES:
            raise ConfigError(f"out_dtype {out_dtype!r} is not one of {', '.join(OUT_DTYPES)}")
        if self.single_column and len(columns) != 1:
            raise ConfigError(f"transform '{self.name}' takes exactly one feature_col, got {columns}")
        if out_dtype is not None and not self.accepts_out_dtype:
            logger.warning("feature %r: transform '%s' ignores out_dtype %r", feature_name, self.name, out_dtype)
            out_dtype = None
        self.feature_name = feature_name
        self.columns = list(columns)
        self.out_dtype = out_dtype
        self.params = params
        self.etype = etype

    # -- fit -------------------------------------------------------------------------------
    @property
    def needs_fit(self) -> bool:
        """Whether ``fit_partial`` must see the data before ``apply``."""
        return False

    def init_state(self) -> dict:
        """The state before any data is seen (complete already when ``needs_fit`` is False)."""
        return {}

    def fit_partial(self, state: dict, cols: list[pa.Array]) -> dict:
        """Fold one record batch into ``state`` and return the new state."""
        return state

    def fit_finish(self, state: dict) -> dict:
        """Turn the accumulated state into the final, JSON-serialisable state."""
        return state

    # -- apply -----------------------------------------------------------------------------
    def apply(self, state: dict, cols: list[pa.Array], ctx: TransformContext | None = None
              ) -> dict[str, np.ndarray]:
        """Transform one batch: ``{output name: array with len(cols[0]) rows}``."""
        if len(cols) != len(self.columns):
            raise ValueError(f"{self.name}: expected {len(self.columns)} columns, got {len(cols)}")
        out = self._apply(state, cols, ctx or DEFAULT_CONTEXT)
        dtype = self.out_dtype or self.default_dtype
        if dtype is not None and self.feature_name in out:
            arr = out[self.feature_name]
            loss = int_cast_loss(arr, dtype)
            if loss and not getattr(self, "_warned_loss", False):
                self._warned_loss = True  # once per feature
                logger.warning("feature %r (column %s): %s; set out_dtype to int64 to keep them exact",
                               self.feature_name, ", ".join(repr(c) for c in self.columns), loss)
            out[self.feature_name] = arr.astype(dtype, copy=False)
        return out

    def _apply(self, state: dict, cols: list[pa.Array], ctx: TransformContext) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def output_info(self, state: dict) -> dict[str, dict]:
        """Per output name, extra metadata for the dataset writer (e.g. ``{"kind": "token_ids"}``)."""
        return {self.feature_name: {}}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.feature_name!r}, columns={self.columns})"


def fit_state(transform: FeatureTransform, batches: Iterable[list[pa.Array]]) -> dict:
    """Run the fit phase over ``batches`` (each a list of columns) and return the final state."""
    state = transform.init_state()
    if transform.needs_fit:
        for cols in batches:
            state = transform.fit_partial(state, cols)
    return transform.fit_finish(state)
