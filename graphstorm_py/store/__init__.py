"""Feature stores: node/edge rows gathered by nid.

- :class:`FeatureStore`: the interface (``gather``, ``has``, ``dim``, ``num_nodes``, and the
  ``*_edges`` twins); errors are handled once there.
- :class:`LocalFeatureStore`: memory-mapped arrays of a graph dataset on one machine.
"""

from graphstorm_py.store.base import FeatureStore
from graphstorm_py.store.local import LocalFeatureStore

__all__ = ["FeatureStore", "LocalFeatureStore"]
