"""The assembled model (input encoder -> GNN encoder -> task decoders) and how to run, save and load it.

* :class:`GNNModel` (:mod:`.gnn_model`), built by :func:`build_model` (:mod:`.build`) from the
  ``gnn`` config, with input features from :class:`NodeFeatureSource` (:mod:`.features`).
* Embedders (:mod:`.embed`): :class:`MiniBatchEmbedder` (sampled neighbourhoods) and
  :class:`FullGraphEmbedder` (layer-wise full-neighbour inference, exact, computed once).
* Checkpoints (:mod:`.checkpoint`): :func:`save_checkpoint`, :func:`restore_model` by layer.
* :func:`assemble` / :func:`load_trained` (:mod:`.assemble`): config + graph (+ checkpoint)
  -> every piece of a run; what gs-train and gs-infer share.
"""

from graphstorm_py.model.assemble import Assembly, assemble, load_trained, open_graph
from graphstorm_py.model.build import build_model
from graphstorm_py.model.checkpoint import (CHECKPOINT_FORMAT, is_checkpoint, load_checkpoint_config,
                                            load_checkpoint_file, read_checkpoint_info, restore_model,
                                            save_checkpoint)
from graphstorm_py.model.embed import Embedder, FullGraphEmbedder, MiniBatchEmbedder
from graphstorm_py.model.features import NodeFeatureSource
from graphstorm_py.model.gnn_model import GNNModel

__all__ = ["GNNModel", "build_model", "NodeFeatureSource", "Embedder", "MiniBatchEmbedder", "FullGraphEmbedder",
           "CHECKPOINT_FORMAT", "save_checkpoint", "restore_model", "is_checkpoint", "read_checkpoint_info",
           "load_checkpoint_config", "load_checkpoint_file", "Assembly", "assemble", "load_trained", "open_graph"]
