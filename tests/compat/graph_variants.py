"""The MovieLens graph variants GraphStorm's end-to-end scripts train on, derived from the main graph.

GraphStorm builds them by copying its main graph and rewriting arrays (``remove_test_mask.py``,
``gen_multilabel.py``, ``gen_multi_feat_nc.py``, a config without edge labels); we do the same
on our graph dataset format:

=================  ======================================================================
``main``           ``movielens.json`` as built (``movielen_100k_{train_val,ec,er,lp_train_val}_1p_4t``)
``no_test``        every test mask emptied (``*_no_test_*`` / ``*_notest_*``)
``no_edata``       ``user,rating,movie`` without label or masks (``movielen_no_edata_100k_*``)
``multilabel_nc``  movie ``label`` as 5 random labels per node (``movielen_100k_multi_label_nc``)
``multilabel_ec``  rating ``rate`` as 5 random labels per edge (``movielen_100k_multi_label_ec``)
``multi_feat``     user features ``feat0`` and ``feat1`` besides ``feat`` (``*_multi_(node_)feat_nc``)
``homogeneous``    ``movielens_homogeneous.json``: one node type ``_N``, one edge type ``(_N, _E, _N)``
=================  ======================================================================
"""

from __future__ import annotations

import json
import os
import shutil

import numpy as np

VARIANTS = ("main", "no_test", "no_edata", "multilabel_nc", "multilabel_ec", "multi_feat", "homogeneous")
RATING = "user__rating__movie"


def _meta(graph):
    with open(os.path.join(graph, "metadata.json")) as fh:
        return json.load(fh)


def _save_meta(graph, meta):
    with open(os.path.join(graph, "metadata.json"), "w") as fh:
        json.dump(meta, fh, indent=1)


def _etype(meta, name):
    return next(e for e in meta["edge_types"] if "__".join(e["type"]) == name)


def _multilabel(path, n, rng):
    labels = (rng.random((n, 5)) < 0.3).astype(np.float32)
    labels[np.arange(n), rng.integers(0, 5, n)] = 1.0          # at least one label each
    np.save(path, labels)


def make_variant(main: str, name: str, out: str) -> str:
    """``main`` copied to ``out`` and changed as ``name`` says; ``out``."""
    if name == "main":
        return main
    if name == "homogeneous":
        from ml_tables import build_homogeneous

        return build_homogeneous(os.path.dirname(main))
    shutil.copytree(main, out)
    meta, part, rng = _meta(out), os.path.join(out, "part-0"), np.random.default_rng(0)
    if name == "no_test":
        for sub in ("nodes/movie", "nodes/user", f"edges/{RATING}"):
            path = os.path.join(part, sub, "test_mask.npy")
            np.save(path, np.zeros_like(np.load(path)))
    elif name == "no_edata":
        for f in ("rate.npy", "train_mask.npy", "val_mask.npy", "test_mask.npy"):
            os.remove(os.path.join(part, "edges", RATING, f))
        _etype(meta, RATING)["labels"] = {}
    elif name == "multilabel_nc":
        _multilabel(os.path.join(part, "nodes/movie/label.npy"), meta["node_types"]["movie"]["count"], rng)
        meta["node_types"]["movie"]["labels"]["label"].update(num_classes=5, multilabel=True)
    elif name == "multilabel_ec":
        _multilabel(os.path.join(part, "edges", RATING, "rate.npy"), _etype(meta, RATING)["count"], rng)
        _etype(meta, RATING)["labels"]["rate"].update(num_classes=5, multilabel=True)
    elif name == "multi_feat":
        feats = meta["node_types"]["user"]["features"]
        for new in ("feat0", "feat1"):
            shutil.copy(os.path.join(part, "nodes/user/feat.npy"), os.path.join(part, f"nodes/user/{new}.npy"))
            feats[new] = dict(feats["feat"])
    else:
        raise ValueError(f"unknown graph variant {name!r}; one of {VARIANTS}")
    _save_meta(out, meta)
    return out
