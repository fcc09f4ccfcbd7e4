"""Fanouts: how many in-neighbours to sample per layer and edge type.

Order convention (GraphStorm's and DGL's): ``fanouts[i]`` is the fanout of GNN layer ``i``
counted **from the input side**, i.e. of ``MiniBatch.blocks[i]``. Sampling starts at the
seeds with ``fanouts[-1]`` (the output layer) and walks towards the input. With
``fanout: "10,5"`` the seeds get 5 neighbours each, and each of those nodes 10.

Values: a positive int samples that many in-edges without replacement (all of them when
the degree is smaller), ``-1`` takes every in-edge, ``0`` drops the edge type in that layer.

GraphStorm's text syntax (``fanout`` / ``eval_fanout`` in the training YAML)::

    "10,5"                                       # one int per layer, for every edge type
    "user/rating/movie:10@movie/rating-rev/user:5,user/rating/movie:4@movie/rating-rev/user:2"
    "rating:10@rating-rev:5,rating:4@rating-rev:2"   # by relation name, when it names one edge type

Layers are separated by ``,``; within a layer, ``@`` separates ``src/relation/dst:N``
entries. As in DGL, a per-edge-type layer must name every edge type of the graph.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Sequence, Union

from graphstorm_py.errors import ConfigError
from graphstorm_py.typing import EdgeType

__all__ = ["Fanout", "parse_fanout", "normalize_fanouts"]

Fanout = Union[int, Mapping[EdgeType, int]]


def _fmt(etype: EdgeType) -> str:
    return "/".join(etype)


def _check_value(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < -1:
        raise ConfigError(f"{where}: fanout {value!r} must be an integer >= -1 (-1 takes all neighbours)")
    return value


def normalize_fanouts(fanouts: Sequence[Fanout], etypes: Sequence[EdgeType],
                      key: str = "fanout") -> List[Dict[EdgeType, int]]:
    """One ``{etype: int}`` per layer (input layer first) covering exactly ``etypes``.

    An int applies to every edge type. A dict must name each edge type once, as a tuple.
    Unknown or missing edge types are a :class:`ConfigError` naming them.
    """
    etypes = [tuple(e) for e in etypes]
    known = set(etypes)
    out: List[Dict[EdgeType, int]] = []
    for i, layer in enumerate(fanouts):
        where = f"{key} layer {i}"
        if isinstance(layer, Mapping):
            layer = {tuple(et): v for et, v in layer.items()}
            unknown = [et for et in layer if et not in known]
            if unknown:
                from graphstorm_py.config.suggest import did_you_mean

                name = _fmt(unknown[0])  # type: ignore[arg-type]
                raise ConfigError(f"{where}: unknown edge type {name!r}; "
                                  f"edge types: {', '.join(_fmt(e) for e in etypes)}"
                                  f"{did_you_mean(name, [_fmt(e) for e in etypes])}")
            missing = [et for et in etypes if et not in layer]
            if missing:
                raise ConfigError(f"{where}: a per-edge-type fanout must cover every edge type; "
                                  f"missing {', '.join(_fmt(e) for e in missing)} (use 0 to skip one)")
            out.append({et: _check_value(layer[et], f"{where}, {_fmt(et)}") for et in etypes})
        else:
            v = _check_value(layer, where)
            out.append({et: v for et in etypes})
    return out


def _by_relation(rel: str, etypes: Sequence[EdgeType], where: str) -> EdgeType:
    """The one edge type whose relation is ``rel`` (GraphStorm's ``"rating:10"`` fanout key)."""
    found = [tuple(e) for e in etypes if e[1] == rel]
    if len(found) == 1:
        return found[0]  # type: ignore[return-value]
    if not found:
        from graphstorm_py.config.suggest import did_you_mean

        rels = sorted({e[1] for e in etypes})
        raise ConfigError(f"{where}: no edge type has relation {rel!r}; "
                          f"relations: {', '.join(rels)}{did_you_mean(rel, rels)}")
    raise ConfigError(f"{where}: relation {rel!r} names several edge types ({', '.join(_fmt(e) for e in found)}); "
                      "write them as 'src/relation/dst:N'")


def _parse_int(text: str, where: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ConfigError(f"{where}: {text.strip()!r} is not an integer") from None


def parse_fanout(text: Union[str, int, Sequence[int]], etypes: Sequence[EdgeType],
                 key: str = "fanout") -> List[Dict[EdgeType, int]]:
    """Parse GraphStorm's fanout text (see module docstring) into per-layer dicts.

    Also takes a YAML int (``fanout: 10``) or a list of ints/strings. Errors name ``key``.
    """
    if isinstance(text, bool):
        raise ConfigError(f"{key}: {text!r} is not a fanout")
    if isinstance(text, str) and not text.strip():
        return []                       # no GNN layers (model_encoder_type lm / mlp)
    if isinstance(text, int):
        layers: list = [str(text)]
    elif isinstance(text, str):
        layers = text.split(",")
    else:
        layers = [str(t) for t in text]
    if not layers or any(not layer.strip() for layer in layers):
        raise ConfigError(f"{key}: {text!r} has an empty layer; expected e.g. '10,5' or "
                          "'src/rel/dst:10@src2/rel2/dst2:5,...'")
    parsed: List[Fanout] = []
    by_name = {_fmt(tuple(e)): tuple(e) for e in etypes}
    for i, layer in enumerate(layers):
        where = f"{key} layer {i} ({layer.strip()!r})"
        if ":" not in layer:
            parsed.append(_parse_int(layer, where))
            continue
        entries: Dict[EdgeType, int] = {}
        for entry in layer.split("@"):
            name, sep, value = entry.strip().rpartition(":")
            if not sep or name.count("/") not in (0, 2) or not name.strip() or ":" in name:
                raise ConfigError(f"{where}: entry {entry.strip()!r} must look like 'src/relation/dst:N' "
                                  "or 'relation:N'")
            if "/" not in name:
                etype = _by_relation(name.strip(), etypes, where)
            else:
                etype = by_name.get(name.strip(), tuple(p.strip() for p in name.split("/")))
            if etype in entries:
                raise ConfigError(f"{where}: edge type {name!r} is given twice")
            entries[etype] = _parse_int(value, where)  # type: ignore[index]
        parsed.append(entries)
    return normalize_fanouts(parsed, etypes, key)
