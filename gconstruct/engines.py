"""Execution engines of gs-construct: where entries are read and transformed, IDs numbered,
edge endpoints mapped, nodes partitioned and partitions written.

An engine offers ``read_entry`` (same signature and result as
:func:`~graphstorm_py.gconstruct.entry_reader.read_entry`), ``unique_in_order`` (as
:func:`~graphstorm_py.gconstruct.id_map.unique_in_order`), ``lookup(idmap, values)`` (as
``NodeIdMap.lookup``, for edge endpoints), ``partition_nodes`` (as
:func:`~graphstorm_py.gconstruct.partition.partition_nodes`) and ``write_graph`` (as
:func:`~graphstorm_py.graph.writer.write_graph`). Labels, splits and reverse edges are shared,
so two engines that agree on these give byte-identical datasets.

- ``local`` (default): a thread pool in this process.
- ``ray``: Ray Data on a cluster (:mod:`.ray_engine`); ``--ray-address`` picks the cluster.
"""

from __future__ import annotations

from typing import Optional

from graphstorm_py.gconstruct.entry_reader import read_entry
from graphstorm_py.gconstruct.id_map import unique_in_order
from graphstorm_py.gconstruct.partition import partition_nodes
from graphstorm_py.graph.writer import write_graph
from graphstorm_py.registry import Registry

__all__ = ["ENGINES", "LocalEngine", "make_engine"]

ENGINES: Registry = Registry("construction engine")


@ENGINES.register("local")
class LocalEngine:
    def __init__(self, address: Optional[str] = None):
        pass

    read_entry = staticmethod(read_entry)
    unique_in_order = staticmethod(unique_in_order)
    partition_nodes = staticmethod(partition_nodes)
    write_graph = staticmethod(write_graph)

    @staticmethod
    def lookup(idmap, values):
        return idmap.lookup(values)

    def close(self) -> None:
        pass


@ENGINES.register("ray")
def _ray(address: Optional[str] = None):
    from graphstorm_py.gconstruct.ray_engine import RayEngine

    return RayEngine(address)


def make_engine(name: str, address: Optional[str] = None):
    return ENGINES.get(name, key="--engine")(address)
