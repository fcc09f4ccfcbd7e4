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
``multi_target``   user ``label`` (11 random classes, split 0.8/0.1/0.1) in place of ``age``
                   (``movielen_100k_multi_target_ntypes_train_val_1p_4t``: GraphStorm's
                   ``movielens_multi_target_ntypes.json`` reads ``users_with_synthetic_labels``)
``multi_target_``  ``multi_target`` with movie and user ``label`` as random multi-labels
``multilabel``     (``gen_multilabel.py --node_class 1 --field label`` on it); 6 labels, the
                   ``num_classes`` of ``ml_nc_multi_target_ntypes_multilabel.yaml`` (GraphStorm's
                   script writes 5)
=================  ======================================================================
"""

from __future__ import annotations

import json
import os
import shutil

import numpy as np

VARIANTS = ("main", "no_test", "no_edata", "multilabel_nc", "multilabel_ec", "multi_feat", "homogeneous",
            "multi_target", "multi_target_multilabel")
RATING = "user__rating__movie"


def _meta(graph):
    with open(os.path.join(graph, "metadata.json")) as fh:
        return json.load(fh)


def _save_meta(graph, meta):
    with open(os.path.join(graph, "metadata.json"), "w") as fh:
        json.dump(meta, fh, indent=1)


def _etype(meta, name):
    return next(e for e in meta["edge_types"] if "__".join(e["type"]) == name)


def _multilabel(path, n, rng, width=5):
    labels = (rng.random((n, width)) < 0.3).astype(np.float32)
    labels[np.arange(n), rng.integers(0, width, n)] = 1.0          # at least one label each
    np.save(path, labels)


def _user_label(part, meta, rng):
    """user ``label``: 11 random classes, masks split 0.8/0.1/0.1, in place of the ``age`` label."""
    user, n = os.path.join(part, "nodes/user"), meta["node_types"]["user"]["count"]
    np.save(os.path.join(user, "label.npy"), rng.integers(0, 11, n).astype(np.int64))
    order, masks = rng.permutation(n), {}
    for name, lo, hi in (("train_mask", 0, 0.8), ("val_mask", 0.8, 0.9), ("test_mask", 0.9, 1.0)):
        mask = np.zeros(n, np.uint8)
        mask[order[int(lo * n):int(hi * n)]] = 1
        np.save(os.path.join(user, f"{name}.npy"), mask)
    if os.path.exists(os.path.join(user, "age.npy")):
        os.remove(os.path.join(user, "age.npy"))
    movie_label = meta["node_types"]["movie"]["labels"]["label"]
    meta["node_types"]["user"]["labels"] = {"label": {
        k: v for k, v in movie_label.items() if k != "label_stats"} | {"num_classes": 11}}


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
    elif name.startswith("multi_target"):
        _user_label(part, meta, rng)
        if name == "multi_target_multilabel":
            for ntype in ("movie", "user"):
                _multilabel(os.path.join(part, f"nodes/{ntype}/label.npy"), meta["node_types"][ntype]["count"],
                            rng, width=6)
                meta["node_types"][ntype]["labels"]["label"].update(num_classes=6, multilabel=True)
    else:
        raise ValueError(f"unknown graph variant {name!r}; one of {VARIANTS}")
    _save_meta(out, meta)
    return out
