"""GraphStorm's homogeneous graph: one node type ``_N``, one edge type ``(_N, _E, _N)``.

GraphStorm lets a YAML for a homogeneous graph leave out ``target_ntype`` (node tasks) and
``target_etype`` (edge tasks); they default to ``_N`` and ``["_N,_E,_N"]``. The loader fills the
same defaults (:func:`default_targets`). A graph built from GraphStorm's homogeneous gconstruct
configs has exactly those names; :func:`resolve_targets` also lets a graph whose only node type
(or only edge type, reverse edges aside) has another name stand in for them.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from graphstorm_py.typing import EdgeType

__all__ = ["HOMOGENEOUS_NTYPE", "HOMOGENEOUS_ETYPE", "default_targets", "resolve_targets"]

HOMOGENEOUS_NTYPE = "_N"
HOMOGENEOUS_ETYPE: EdgeType = ("_N", "_E", "_N")


def default_targets(fields: Any, keys: Dict[str, Any], origin: Dict[str, str]) -> None:
    """Fill a node or edge task's missing target with GraphStorm's homogeneous default."""
    for key, value in (("target_ntype", HOMOGENEOUS_NTYPE), ("target_etype", [",".join(HOMOGENEOUS_ETYPE)])):
        if key in fields and key not in keys:
            keys[key] = value
            origin.setdefault(key, "default for GraphStorm's homogeneous graph")


def _only(items: Sequence, default) -> Any:
    return items[0] if len(items) == 1 and default not in items else None


def resolve_targets(cfg, ntypes: Sequence[str], etypes: Sequence[EdgeType]):
    """``cfg`` with the homogeneous defaults mapped onto a one-type graph with other names.

    Only the default names are replaced, and only when the graph lacks them and has one node
    type (one edge type, not counting the reverse types of ``reverse_edge_types_map``).
    """
    tasks: List[Any] = []
    for task in cfg.tasks:
        update: Dict[str, Any] = {}
        if getattr(task, "target_ntype", None) == HOMOGENEOUS_NTYPE and _only(list(ntypes), HOMOGENEOUS_NTYPE):
            update["target_ntype"] = ntypes[0]
        if getattr(task, "target_etype", None) == [HOMOGENEOUS_ETYPE]:
            reverse = set(getattr(task, "reverse_edge_types_map", {}).values())
            forward = [e for e in etypes if e not in reverse]
            if _only(forward, HOMOGENEOUS_ETYPE):
                update["target_etype"] = [forward[0]]
        tasks.append(task.model_copy(update=update) if update else task)
    return cfg.model_copy(update={"tasks": tasks}) if tasks != list(cfg.tasks) else cfg
