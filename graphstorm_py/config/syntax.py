"""GraphStorm's compact text syntax for training-config values, parsed and written back.

GraphStorm users write edge types, feature lists and weights as short strings; these
functions turn them into typed values and back, so a resolved config can be saved as a
YAML that GraphStorm's syntax also reads. Every parser raises ``ValueError`` (which the
pydantic models report against the key being validated).

============================  =============================================  ==========================
key                           GraphStorm text                                parsed
============================  =============================================  ==========================
``target_etype`` & co.        ``["user,rating,movie"]`` or ``"user,rating,movie"``   ``[("user","rating","movie")]``
``reverse_edge_types_map``    ``["user,rating,rating-rev,movie"]``           ``{(u,rating,m): (m,rating-rev,u)}``
``node_feat_name``            ``["user:age,gender", "movie:title"]``         ``{"user": ["age","gender"], ...}``
``lp_edge_weight_for_loss``   ``["user,rating,movie:weight"]`` or ``"weight"``  ``{etype or ANY_ETYPE: "weight"}``
``imbalance_class_weights``   ``"1,2,3"`` or ``[1, 2, 3]``                   ``[1.0, 2.0, 3.0]``
``eval_metric``               ``"accuracy"`` or ``["accuracy", "hit_at_10"]``  ``["accuracy", "hit_at_10"]``
``fanout``                    ``"10,5"``, ``"u/r/m:10@m/r-rev/u:5,..."``,   kept as text; layers counted
                              or by relation name ``"r:10@r-rev:5,..."``
============================  =============================================  ==========================

A name without an ``ntype:`` / ``etype:`` prefix applies to every type; it is stored under
:data:`ANY_NTYPE` / :data:`ANY_ETYPE`.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

from graphstorm_py.typing import EdgeType

__all__ = [
    "ANY_NTYPE", "ANY_ETYPE", "as_str_list", "parse_etype_text", "dump_etype", "parse_etypes",
    "parse_reverse_map", "dump_reverse_map", "parse_node_feats", "dump_node_feats",
    "parse_etype_values", "dump_etype_values", "parse_float_list", "parse_name_list",
    "fanout_layers", "lookup",
]

ANY_NTYPE = "*"
ANY_ETYPE: EdgeType = ("*", "*", "*")


def as_str_list(value: Any, what: str = "value") -> List[str]:
    """A string or a list of scalars as a list of stripped strings."""
    if isinstance(value, str):
        return [value.strip()]
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v).strip() for v in value]
    raise ValueError(f"{what} must be a string or a list of strings, got {value!r}")


def parse_etype_text(text: Any) -> EdgeType:
    """``"src,rel,dst"`` (or a 3-item list) as a tuple."""
    parts = [str(p).strip() for p in text] if isinstance(text, (list, tuple)) \
        else [p.strip() for p in str(text).split(",")]
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"edge type {text!r} must have the form 'src_type,relation,dst_type'")
    return tuple(parts)  # type: ignore[return-value]


def dump_etype(etype: EdgeType) -> str:
    return ",".join(etype)


def parse_etypes(value: Any) -> Any:
    """A list of edge types; a single ``"src,rel,dst"`` string is a one-item list."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(f"expected a non-empty list of 'src,rel,dst' edge types, got {value!r}")
    if len(value) == 3 and all(isinstance(v, str) and "," not in v for v in value):
        value = [value]  # a single edge type written as a 3-item list
    return [parse_etype_text(v) for v in value]


def parse_reverse_map(value: Any) -> Any:
    """``["head,rel,rev_rel,tail", ...]`` (GraphStorm) or ``["src,rel,dst:dst,rev,src"]``."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {parse_etype_text(k): parse_etype_text(v) for k, v in value.items()}
    out: Dict[EdgeType, EdgeType] = {}
    for item in as_str_list(value, "reverse_edge_types_map"):
        if ":" in item:
            fwd, rev = (parse_etype_text(p) for p in item.split(":", 1))
        else:
            parts = [p.strip() for p in item.split(",")]
            if len(parts) != 4 or not all(parts):
                raise ValueError(f"reverse edge type {item!r} must have the form "
                                 "'head,relation,reverse_relation,tail'")
            head, rel, rev_rel, tail = parts
            fwd, rev = (head, rel, tail), (tail, rev_rel, head)
        if fwd in out:
            raise ValueError(f"edge type {dump_etype(fwd)!r} has two reverse edge types")
        out[fwd] = rev
    return out


def dump_reverse_map(mapping: Dict[EdgeType, EdgeType]) -> List[str]:
    """Write the map in GraphStorm's ``head,rel,rev_rel,tail`` form (or ``fwd:rev`` if unusual)."""
    out = []
    for fwd, rev in mapping.items():
        if rev[0] == fwd[2] and rev[2] == fwd[0]:
            out.append(f"{fwd[0]},{fwd[1]},{rev[1]},{fwd[2]}")
        else:
            out.append(f"{dump_etype(fwd)}:{dump_etype(rev)}")
    return out


def _split_prefixed(item: str, what: str) -> Tuple[Optional[str], str]:
    if ":" not in item:
        return None, item
    prefix, _, rest = item.rpartition(":")
    if not prefix.strip() or not rest.strip():
        raise ValueError(f"{what} {item!r} must look like 'TYPE:NAME'")
    return prefix.strip(), rest.strip()


def parse_node_feats(value: Any) -> Any:
    """``["user:age,gender", "movie:title"]`` → ``{"user": ["age", "gender"], ...}``."""
    if value is None or isinstance(value, dict):
        return value
    out: Dict[str, List[str]] = {}
    for item in as_str_list(value, "node_feat_name"):
        ntype, feats = _split_prefixed(item, "node feature")
        ntype = ntype or ANY_NTYPE
        if ntype in out:
            raise ValueError(f"node type {ntype!r} is given twice")
        names = [f.strip() for f in feats.split(",")]
        if not all(names):
            raise ValueError(f"node feature list {item!r} has an empty name")
        out[ntype] = names
    return out


def dump_node_feats(mapping: Dict[str, List[str]]) -> List[str]:
    return [",".join(f) if nt == ANY_NTYPE else f"{nt}:{','.join(f)}" for nt, f in mapping.items()]


def parse_etype_values(value: Any, convert: Callable[[str], Any] = str) -> Any:
    """``["src,rel,dst:x", ...]`` or ``"x"`` → ``{etype or ANY_ETYPE: convert(x)}``."""
    if value is None or isinstance(value, dict):
        return value
    out: Dict[EdgeType, Any] = {}
    for item in as_str_list(value):
        prefix, name = _split_prefixed(item, "per-edge-type value")
        etype = parse_etype_text(prefix) if prefix else ANY_ETYPE
        if etype in out:
            raise ValueError(f"edge type {dump_etype(etype)!r} is given twice")
        out[etype] = convert(name)
    return out


def dump_etype_values(mapping: Dict[EdgeType, Any]) -> List[str]:
    return [str(v) if et == ANY_ETYPE else f"{dump_etype(et)}:{v}" for et, v in mapping.items()]


def parse_float_list(value: Any) -> Any:
    """``"0.1,0.2,0.3"`` or ``[0.1, 0.2, 0.3]`` as floats."""
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items:
        raise ValueError(f"expected comma-separated numbers like '0.1,0.2', got {value!r}")
    try:
        return [float(v) for v in items]
    except (TypeError, ValueError):
        raise ValueError(f"expected comma-separated numbers like '0.1,0.2', got {value!r}") from None


def parse_name_list(value: Any) -> Any:
    """``"a,b"`` or ``["a", "b"]`` as a list of names."""
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    return [str(v).strip() for v in items] if isinstance(items, (list, tuple)) else items


def fanout_layers(text: str) -> int:
    """Check GraphStorm fanout syntax (``"10,5"``, ``"s/r/d:10@s/r2/d:5,..."`` or ``"r:10@r2:5,..."``);
    count layers."""
    layers = text.split(",")
    for layer in layers:
        entries = layer.split("@") if ":" in layer else [layer]
        for entry in entries:
            name, _, num = entry.rpartition(":")
            if ":" in layer and (name.count("/") not in (0, 2) or not name.strip() or ":" in name):
                raise ValueError(f"fanout entry {entry.strip()!r} must look like 'src/relation/dst:N' "
                                 "or 'relation:N'")
            try:
                n = int(num)
            except ValueError:
                raise ValueError(f"fanout {text!r}: {num.strip()!r} is not an integer") from None
            if n < -1:
                raise ValueError(f"fanout {text!r}: {n} must be >= -1 (-1 takes all neighbours)")
    return len(layers)


def lookup(mapping: Optional[Dict[Any, Any]], key: Any, default: Any = None) -> Any:
    """``mapping[key]``, else the entry for every type (ANY_NTYPE / ANY_ETYPE), else default."""
    if not mapping:
        return default
    if key in mapping:
        return mapping[key]
    return mapping.get(ANY_ETYPE if isinstance(key, tuple) else ANY_NTYPE, default)
