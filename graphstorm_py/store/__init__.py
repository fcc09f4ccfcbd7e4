"""Feature stores: node/edge rows gathered by nid."""
