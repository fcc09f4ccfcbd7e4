"""Feature transforms of gconstruct: GraphStorm's ``transform`` names, as pure functions over Arrow.

Start with :mod:`.base` (the interface and its life cycle) and :mod:`.build` (reading a feature
entry). One module per transform family:

======================== ============================ ======================================
name                     module                       what it does
======================== ============================ ======================================
``no-op`` (default)      :mod:`.noop`                 numbers / vectors as a float matrix
``max_min_norm``         :mod:`.max_min_norm`         ``(x - min) / (max - min)``, fitted
``standard``             :mod:`.standard`             ``x / sum(x)``, fitted
``rank_gauss``           :mod:`.rank_gauss`           ``erfinv`` of the scaled rank, fitted
``to_categorical``       :mod:`.to_categorical`       one-hot / multi-hot, fitted mapping
``bucket_numerical``     :mod:`.bucket_numerical`     equal-width buckets, sliding window
``tokenize_hf``          :mod:`.tokenize_hf`          ``input_ids``/``attention_mask``/...
``bert_hf``              :mod:`.bert_hf`              LM pooled embedding
``edge_dst_hard_negative`` :mod:`.edge_dst_hard_negative` hard-negative destination nids
======================== ============================ ======================================

Importing this package does not import torch or transformers; the LM transforms load them on
first use.
"""

from .base import OUT_DTYPES, TRANSFORMS, FeatureTransform, TransformContext, fit_state, register
from .build import build_transform

# Importing a family module registers its transform in TRANSFORMS.
from . import (  # noqa: F401  isort: skip
    noop, max_min_norm, standard, rank_gauss, to_categorical, bucket_numerical,
    tokenize_hf, bert_hf, edge_dst_hard_negative,
)

__all__ = ["TRANSFORMS", "OUT_DTYPES", "FeatureTransform", "TransformContext", "build_transform",
           "fit_state", "register"]
