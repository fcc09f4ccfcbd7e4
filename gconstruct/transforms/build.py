"""Turn one GraphStorm feature entry into a :class:`~.base.FeatureTransform`.

A gconstruct node or edge entry lists its features like this::

    "features": [
        {"feature_col": "title", "transform": {"name": "bert_hf", "bert_model": "bert-base-uncased",
                                               "max_seq_length": 64}},
        {"feature_col": ["x", "y"], "feature_name": "xy", "out_dtype": "float16"},
    ]

:func:`build_transform` reads one such entry:

- ``feature_col``: a column name or a non-empty list of names (required).
- ``feature_name``: defaults to the column name; required when there are several columns.
- ``out_dtype``: one of :data:`~.base.OUT_DTYPES`, or absent.
- ``transform``: ``{"name": ..., <params>}``; absent, or without a name, means ``no-op``.

Every mistake is a :class:`~graphstorm_py.errors.ConfigError` that starts with ``where`` (the
entry's JSON path, e.g. ``nodes[0].features[1]``): an unknown key gets a "did you mean" hint, an
unknown transform name lists the valid ones. GraphStorm ignores unknown keys; we do not.
"""

from __future__ import annotations

from pydantic import ValidationError

from graphstorm_py.config.suggest import did_you_mean, validation_error_to_gs
from graphstorm_py.errors import ConfigError
from graphstorm_py.typing import EdgeType

from .base import OUT_DTYPES, TRANSFORMS, FeatureTransform

__all__ = ["build_transform", "ENTRY_KEYS"]

ENTRY_KEYS = ("feature_col", "feature_name", "out_dtype", "transform")


def _columns(conf: dict, where: str) -> list[str]:
    cols = conf.get("feature_col")
    if isinstance(cols, str):
        cols = [cols]
    if not isinstance(cols, list) or not cols or not all(isinstance(c, str) and c for c in cols):
        raise ConfigError(f"{where}.feature_col: required; give a column name or a non-empty list of names "
                          f"(got {conf.get('feature_col')!r})")
    return cols


def build_transform(conf: dict, where: str, *, etype: EdgeType | None = None) -> FeatureTransform:
    """The transform for one feature entry ``conf`` found at ``where``; ``etype`` for edge entries."""
    if not isinstance(conf, dict):
        raise ConfigError(f"{where}: a feature entry must be an object, got {type(conf).__name__}")
    for key in conf:
        if key not in ENTRY_KEYS:
            raise ConfigError(f"{where}: unknown key '{key}'; "
                              f"valid keys: {', '.join(ENTRY_KEYS)}{did_you_mean(key, ENTRY_KEYS)}")
    cols = _columns(conf, where)
    name = conf.get("feature_name")
    if name is None:
        if len(cols) > 1:
            raise ConfigError(f"{where}.feature_name: required when feature_col lists several columns {cols}")
        name = cols[0]
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}.feature_name: must be a non-empty string, got {name!r}")
    out_dtype = conf.get("out_dtype")
    if out_dtype is not None and out_dtype not in OUT_DTYPES:
        raise ConfigError(f"{where}.out_dtype: {out_dtype!r} is not one of {', '.join(OUT_DTYPES)}"
                          f"{did_you_mean(str(out_dtype), OUT_DTYPES)}")
    tconf = conf.get("transform") or {}
    if not isinstance(tconf, dict):
        raise ConfigError(f"{where}.transform: must be an object with a 'name', got {tconf!r}")
    tname = tconf.get("name") or "no-op"
    cls = TRANSFORMS.get(tname, key=f"{where}.transform.name")
    try:
        params = cls.Params.model_validate({k: v for k, v in tconf.items() if k != "name"})
    except ValidationError as exc:
        raise validation_error_to_gs(exc, cls.Params, f"{where}.transform ({tname})") from None
    try:
        return cls(name, cols, out_dtype, params, etype=etype)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
