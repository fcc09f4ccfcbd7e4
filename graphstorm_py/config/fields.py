"""The base model and the reusable field types of the training config.

Each field type reads GraphStorm's text syntax (see :mod:`graphstorm_py.config.syntax`)
and serializes back to it, so ``model_dump()`` of any config model is plain YAML data that
loads again to the same model.
"""

from __future__ import annotations

from typing import Annotated, Any, Dict, List

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer

from graphstorm_py.config import syntax
from graphstorm_py.typing import EdgeType

__all__ = [
    "StrictModel", "EtypeList", "ReverseEtypeMap", "NodeFeatMap", "EtypeStrMap", "EtypeIntMap",
    "FloatList", "NameList", "none_string_to_none",
]


class StrictModel(BaseModel):
    """Unknown keys are an error; defaults are validated too."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


def none_string_to_none(value: Any) -> Any:
    """GraphStorm's CLI takes ``none`` for "no path"; YAML's null is ``null`` or ``~``."""
    return None if isinstance(value, str) and value.strip().lower() == "none" else value


def _dump_etypes(value: List[EdgeType]) -> List[str]:
    return [syntax.dump_etype(e) for e in value]


EtypeList = Annotated[List[EdgeType], BeforeValidator(syntax.parse_etypes),
                      PlainSerializer(_dump_etypes)]
"""``["src,rel,dst", ...]`` ↔ ``[(src, rel, dst), ...]``."""

ReverseEtypeMap = Annotated[Dict[EdgeType, EdgeType], BeforeValidator(syntax.parse_reverse_map),
                            PlainSerializer(syntax.dump_reverse_map)]
"""``["head,rel,rev_rel,tail", ...]`` ↔ ``{(head, rel, tail): (tail, rev_rel, head)}``."""

NodeFeatMap = Annotated[Dict[str, List[str]], BeforeValidator(syntax.parse_node_feats),
                        PlainSerializer(syntax.dump_node_feats)]
"""``["ntype:f1,f2", "f"]`` ↔ ``{ntype: [f1, f2], ANY_NTYPE: [f]}``."""

EtypeStrMap = Annotated[Dict[EdgeType, str], BeforeValidator(syntax.parse_etype_values),
                        PlainSerializer(syntax.dump_etype_values)]
"""``["src,rel,dst:field", "field"]`` ↔ ``{etype: field, ANY_ETYPE: field}``."""

EtypeIntMap = Annotated[Dict[EdgeType, int],
                        BeforeValidator(lambda v: syntax.parse_etype_values(v, int)),
                        PlainSerializer(syntax.dump_etype_values)]
"""``["src,rel,dst:10", "5"]`` ↔ ``{etype: 10, ANY_ETYPE: 5}``."""

FloatList = Annotated[List[float], BeforeValidator(syntax.parse_float_list)]
"""``"0.1,0.2"`` or ``[0.1, 0.2]``."""

NameList = Annotated[List[str], BeforeValidator(syntax.parse_name_list)]
"""``"a,b"`` or ``["a", "b"]``."""
