"""Task heads: node, edge, and link-prediction decoders, with registries by GraphStorm's names.

* :data:`EDGE_DECODERS`: GraphStorm's ``decoder_type`` for edge tasks: ``DenseBiDecoder``, ``MLPDecoder``.
* :data:`LP_DECODERS`: GraphStorm's ``lp_decoder_type``: ``dot_product``, ``distmult``, ``rotate``,
  ``transe_l1``, ``transe_l2``; built as ``LP_DECODERS.get(name)(etypes, h_dim, gamma)``.
* Node heads are :class:`EntityClassifier` and :class:`EntityRegression`.
"""

from graphstorm_py.nn.decoders.edge import DenseBiDecoder, MLPEdgeDecoder
from graphstorm_py.nn.decoders.link_predict import (DistMultScorer, DotProductScorer, LinkPredictScorer,
                                                    RotatEScorer, TransEL1Scorer, TransEL2Scorer)
from graphstorm_py.nn.decoders.node import EntityClassifier, EntityRegression
from graphstorm_py.registry import Registry

__all__ = ["EDGE_DECODERS", "LP_DECODERS", "EntityClassifier", "EntityRegression", "DenseBiDecoder",
           "MLPEdgeDecoder", "LinkPredictScorer", "DotProductScorer", "DistMultScorer", "TransEL1Scorer",
           "TransEL2Scorer", "RotatEScorer"]

EDGE_DECODERS: Registry = Registry("edge decoder")
EDGE_DECODERS.register("DenseBiDecoder")(DenseBiDecoder)
EDGE_DECODERS.register("MLPDecoder")(MLPEdgeDecoder)

LP_DECODERS: Registry = Registry("link prediction decoder")
LP_DECODERS.register("dot_product")(DotProductScorer)
LP_DECODERS.register("distmult")(DistMultScorer)
LP_DECODERS.register("transe_l1")(TransEL1Scorer)
LP_DECODERS.register("transe_l2")(TransEL2Scorer)
LP_DECODERS.register("rotate")(RotatEScorer)
