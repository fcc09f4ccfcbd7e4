"""One transform for a feature that several entries of a node type share.

When a node type is spread over entries that each have ``node_id_col`` and each list the
same feature (for disjoint sets of IDs), the feature is one feature: the entries must
configure it identically, and its transform is fitted once over all of their files, so the
rows of every entry are transformed alike (one min/max, one category map...).
"""

from __future__ import annotations

from typing import Dict, List, Sequence

from graphstorm_py.errors import ConfigError
from graphstorm_py.gconstruct.entry_reader import BoundTransform, fit_transforms

__all__ = ["share_transforms"]


def share_transforms(nodes: Sequence, bound: Dict[int, List[BoundTransform]], files: Dict[int, List[str]]) -> None:
    """Make entries that list the same feature of a node type use one fitted transform (in place)."""
    groups: Dict[str, list] = {}
    for i, node in enumerate(nodes):
        for j, (feat, bt) in enumerate(zip(node.features, bound[i])):
            groups.setdefault(bt.key, []).append((i, j, feat, bt))
    for key, members in groups.items():
        if len(members) < 2:
            continue
        i0, j0, feat0, bt = members[0]
        for i, j, feat, _ in members[1:]:
            if feat.model_dump() != feat0.model_dump():
                raise ConfigError(f"nodes[{i}].features[{j}]: feature {feat.feature_name!r} of node type "
                                  f"{nodes[i].node_type!r} is configured differently in nodes[{i0}].features[{j0}]; "
                                  "entries sharing a feature need the same settings")
            bound[i][j] = bt
        sources = [(files[i], nodes[i].format.name, nodes[i].format.separator) for i, _, _, _ in members]
        fit_transforms([bt], sources, key)
