"""Neural-network building blocks: input encoder -> GNN encoder -> decoder, and the losses.

* :mod:`graphstorm_py.nn.input_encoder`: :class:`NodeInputEncoder` (features / sparse embeddings).
* :mod:`graphstorm_py.nn.encoders`: ``GNN_ENCODERS`` (rgcn, rgat, hgt, sage, gat) and layer-wise inference.
* :mod:`graphstorm_py.nn.decoders`: node/edge heads and link-prediction score functions.
* :mod:`graphstorm_py.nn.losses`: classification, regression and link-prediction losses.
"""
