"""Graph dataset format v1: the on-disk contract between gs-construct, gs-train and gs-infer."""

from graphstorm_py.graph.metadata import FORMAT, GraphMetadata
from graphstorm_py.graph.dataset import GraphDataset
from graphstorm_py.graph.writer import EdgeTypeData, NodeTypeData, write_graph

__all__ = ["FORMAT", "GraphMetadata", "GraphDataset", "NodeTypeData", "EdgeTypeData", "write_graph"]
