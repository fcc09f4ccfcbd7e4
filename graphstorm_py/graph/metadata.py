"""``metadata.json`` of a graph dataset (format v1).

Layout of the JSON document::

    {
      "format": "graphstorm_py/v1",
      "graph_name": "ml",
      "num_partitions": 2,
      "node_types": {
        "movie": {
          "count": 1682,
          "id_dtype": "int64",                       # dtype of the original IDs in id_map/
          "features": {"title": {"dim": 384, "shape": [384], "dtype": "float32"}},
          "labels": {"label": {"dtype": "int64", "task_type": "classification",
                               "num_classes": 19, "multilabel": false,
                               "masks": {"train": "train_mask", "val": "val_mask", "test": "test_mask"},
                               "label_stats": {...}}}
        }
      },
      "edge_types": [
        {"type": ["user", "rating", "movie"], "count": 100000,
         "features": {...}, "labels": {...}, "reverse_of": null},
        {"type": ["movie", "rating-rev", "user"], "count": 100000,
         "features": {...}, "labels": {}, "reverse_of": ["user", "rating", "movie"]}
      ],
      "partitions": [
        {"node_ranges": {"movie": [0, 841], "user": [0, 472]},
         "edge_ranges": {"user__rating__movie": [0, 50211]}}
      ],
      "transforms": {...}                            # fitted transform state, see gconstruct
    }

Masks are stored as node/edge arrays named by the label's ``masks`` entry; only the masks a
label declares exist. ``shape`` is the per-row shape (``dim`` is its product).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from graphstorm_py.errors import DataError
from graphstorm_py.typing import EdgeType, etype_to_str

__all__ = ["FORMAT", "GraphMetadata"]

FORMAT = "graphstorm_py/v1"


@dataclass
class GraphMetadata:
    graph_name: str
    num_partitions: int
    node_types: Dict[str, Dict[str, Any]]
    edge_types: List[Dict[str, Any]]
    partitions: List[Dict[str, Any]]
    transforms: Dict[str, Any] = field(default_factory=dict)
    extra: Dict[str, Any] = field(default_factory=dict)

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def from_dict(cls, doc: Dict[str, Any], source: str = "metadata.json") -> "GraphMetadata":
        if doc.get("format") != FORMAT:
            raise DataError(f"{source}: format is {doc.get('format')!r}, expected {FORMAT!r}")
        for key in ("graph_name", "num_partitions", "node_types", "edge_types", "partitions"):
            if key not in doc:
                raise DataError(f"{source}: required key {key!r} is missing")
        known = {"format", "graph_name", "num_partitions", "node_types", "edge_types", "partitions", "transforms"}
        return cls(
            graph_name=doc["graph_name"],
            num_partitions=int(doc["num_partitions"]),
            node_types=doc["node_types"],
            edge_types=doc["edge_types"],
            partitions=doc["partitions"],
            transforms=doc.get("transforms", {}),
            extra={k: v for k, v in doc.items() if k not in known},
        )

    def to_dict(self) -> Dict[str, Any]:
        return {
            "format": FORMAT,
            "graph_name": self.graph_name,
            "num_partitions": self.num_partitions,
            "node_types": self.node_types,
            "edge_types": self.edge_types,
            "partitions": self.partitions,
            "transforms": self.transforms,
            **self.extra,
        }

    # ---- queries ------------------------------------------------------------------------
    @property
    def ntypes(self) -> List[str]:
        return sorted(self.node_types)

    @property
    def etypes(self) -> List[EdgeType]:
        return [tuple(e["type"]) for e in self.edge_types]  # type: ignore[misc]

    def num_nodes(self, ntype: str) -> int:
        return int(self.node_type(ntype)["count"])

    def node_type(self, ntype: str) -> Dict[str, Any]:
        try:
            return self.node_types[ntype]
        except KeyError:
            raise DataError(f"graph {self.graph_name!r} has no node type {ntype!r}; "
                            f"it has {', '.join(self.ntypes)}") from None

    def edge_type(self, etype: EdgeType) -> Dict[str, Any]:
        etype = tuple(etype)
        for entry in self.edge_types:
            if tuple(entry["type"]) == etype:
                return entry
        raise DataError(f"graph {self.graph_name!r} has no edge type {','.join(etype)}; it has "
                        + "; ".join(",".join(e) for e in self.etypes))

    def num_edges(self, etype: EdgeType) -> int:
        return int(self.edge_type(etype)["count"])

    def node_range(self, part: int, ntype: str) -> tuple[int, int]:
        start, end = self.partitions[part]["node_ranges"][ntype]
        return int(start), int(end)

    def edge_range(self, part: int, etype: EdgeType) -> tuple[int, int]:
        start, end = self.partitions[part]["edge_ranges"][etype_to_str(etype)]
        return int(start), int(end)

    def reverse_etype(self, etype: EdgeType) -> Optional[EdgeType]:
        """The edge type that reverses ``etype``, if the graph has one recorded."""
        etype = tuple(etype)
        for entry in self.edge_types:
            rev = entry.get("reverse_of")
            if rev is not None and tuple(rev) == etype:
                return tuple(entry["type"])  # type: ignore[return-value]
        rev = self.edge_type(etype).get("reverse_of")
        return tuple(rev) if rev is not None else None  # type: ignore[return-value]
