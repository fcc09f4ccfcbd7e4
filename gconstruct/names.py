"""Names that the training configs can address: checked before any data is read.

A graph built here is trained with GraphStorm-style YAML, whose compact syntax writes node
types, edge types and feature names inside strings (:mod:`graphstorm_py.config.syntax`,
:mod:`graphstorm_py.sampling.fanout`)::

    target_etype: ["user,rates,movie"]                      # ',' separates src, relation, dst
    node_feat_name: ["user:age,gender"]                     # ':' after the type, ',' between names
    fanout: "user/rates/movie:10@movie/rates-rev/user:5,5"  # '/' in an edge type, ':' before the
                                                            # number, '@' between edge types,
                                                            # ',' between layers

So a node type or relation holding one of ``, : @ /`` could never be named in a training
config (and ``/`` would also nest the output folders), and neither could one with leading or
trailing spaces (the parsers strip them) or control characters. ``*`` alone means "every
type" there. Feature names are listed after ``type:`` and separated by ``,``, so they may not
hold ``,`` or ``:``. Types, features, labels and masks also name folders and ``.npy`` files
of the output, so none may hold ``/`` or be empty, ``.`` or ``..``.
"""

from __future__ import annotations

from typing import Iterator, Optional, Tuple

__all__ = ["TYPE_FORBIDDEN", "FEATURE_FORBIDDEN", "FILE_FORBIDDEN", "name_problem", "config_name_problems"]

TYPE_FORBIDDEN = {",": "separates src,relation,dst", ":": "separates a type from its value",
                  "@": "separates edge types in a fanout", "/": "separates src/relation/dst in a fanout"}
FEATURE_FORBIDDEN = {",": "separates feature names", ":": "separates a node type from its features",
                     "/": "would nest the output files"}
FILE_FORBIDDEN = {"/": "would nest the output files"}


def name_problem(name: str, forbidden=TYPE_FORBIDDEN) -> Optional[str]:
    """Why ``name`` cannot be written in a training config, or None when it can."""
    if name in ("", ".", ".."):
        return "is not usable as a name (it names an output folder or file)"
    for ch, why in forbidden.items():
        if ch in name:
            return f"contains {ch!r}, which the training config syntax or the output layout uses ({why})"
    if name != name.strip():
        return "has leading or trailing whitespace, which the training config parsers strip"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "contains a control character"
    if name == "*":
        return "'*' means every type in the training config"
    return None


def config_name_problems(conf) -> Iterator[Tuple[str, str, str]]:
    """``(JSON path, name, problem)`` for every unusable type, relation or feature name."""
    for i, node in enumerate(conf.nodes):
        yield from _one(f"nodes[{i}].node_type", node.node_type, TYPE_FORBIDDEN)
        yield from _features(f"nodes[{i}]", node.features)
        yield from _labels(f"nodes[{i}]", node.labels)
    for i, edge in enumerate(conf.edges):
        for k, name in enumerate(edge.relation):
            yield from _one(f"edges[{i}].relation[{k}]", name, TYPE_FORBIDDEN)
        yield from _features(f"edges[{i}]", edge.features)
        yield from _labels(f"edges[{i}]", edge.labels)


def _one(path: str, name: str, forbidden) -> Iterator[Tuple[str, str, str]]:
    problem = name_problem(name, forbidden)
    if problem:
        yield path, name, problem


def _features(where: str, features) -> Iterator[Tuple[str, str, str]]:
    for j, feat in enumerate(features):
        key = "feature_name" if isinstance(feat.feature_col, list) or feat.feature_name != feat.feature_col \
            else "feature_col"
        yield from _one(f"{where}.features[{j}].{key}", feat.feature_name, FEATURE_FORBIDDEN)


def _labels(where: str, labels) -> Iterator[Tuple[str, str, str]]:
    for j, label in enumerate(labels):
        if label.label_col is not None:
            yield from _one(f"{where}.labels[{j}].label_col", label.label_col, FILE_FORBIDDEN)
        for k, mask in enumerate(label.mask_field_names or []):
            yield from _one(f"{where}.labels[{j}].mask_field_names[{k}]", mask, FILE_FORBIDDEN)
