"""Shared type vocabulary."""

from __future__ import annotations

from typing import Tuple

__all__ = ["NodeType", "EdgeType", "etype_to_str", "str_to_etype", "parse_etype"]

NodeType = str
EdgeType = Tuple[str, str, str]

_SEP = "__"


def etype_to_str(etype: EdgeType) -> str:
    """Canonical directory-safe name of an edge type: ``src__rel__dst``."""
    return _SEP.join(etype)


def str_to_etype(name: str) -> EdgeType:
    """Inverse of :func:`etype_to_str`."""
    parts = name.split(_SEP)
    if len(parts) != 3:
        raise ValueError(f"not a canonical edge type name: {name!r}")
    return tuple(parts)  # type: ignore[return-value]


def parse_etype(text: str | list | tuple) -> EdgeType:
    """Parse an edge type as GraphStorm users write it: ``"user,rating,movie"`` or a list."""
    from graphstorm_py.errors import ConfigError

    if isinstance(text, (list, tuple)):
        parts = [str(p) for p in text]
    else:
        parts = [p.strip() for p in str(text).split(",")]
        if len(parts) == 1 and _SEP in text:
            parts = text.split(_SEP)
    if len(parts) != 3 or not all(parts):
        raise ConfigError(f"edge type {text!r} must have the form 'src_type,relation,dst_type'")
    return tuple(parts)  # type: ignore[return-value]
