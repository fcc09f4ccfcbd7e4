"""Execution engines of gs-construct: where entries are read and transformed, and IDs numbered.

An engine offers ``read_entry`` (same signature and result as
:func:`~graphstorm_py.gconstruct.entry_reader.read_entry`) and ``unique_in_order`` (same as
:func:`~graphstorm_py.gconstruct.id_map.unique_in_order`). Everything after them (labels,
splits, reverse edges, partitioning, writing) is shared, so two engines that agree on these
two give byte-identical datasets.

- ``local`` (default): a thread pool in this process.
- ``ray``: Ray Data on a cluster (:mod:`.ray_engine`); ``--ray-address`` picks the cluster.
"""

from __future__ import annotations

from typing import Optional

from graphstorm_py.gconstruct.entry_reader import read_entry
from graphstorm_py.gconstruct.id_map import unique_in_order
from graphstorm_py.registry import Registry

__all__ = ["ENGINES", "LocalEngine", "make_engine"]

ENGINES: Registry = Registry("construction engine")


@ENGINES.register("local")
class LocalEngine:
    def __init__(self, address: Optional[str] = None):
        pass

    read_entry = staticmethod(read_entry)
    unique_in_order = staticmethod(unique_in_order)

    def close(self) -> None:
        pass


@ENGINES.register("ray")
def _ray(address: Optional[str] = None):
    from graphstorm_py.gconstruct.ray_engine import RayEngine

    return RayEngine(address)


def make_engine(name: str, address: Optional[str] = None):
    return ENGINES.get(name, key="--engine")(address)
