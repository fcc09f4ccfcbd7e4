"""Labels and train/validation/test masks for nodes and edges.

- ``classification``: integer labels as given; string labels are mapped to class indices
  (sorted class names, kept in the transform state so new data maps identically); with a
  ``separator`` the label is multi-label and becomes a multi-hot ``float32`` matrix.
- ``regression``: ``float32`` values.
- ``link_prediction``: no label array, only masks over all edges.

Rows whose label is null (NaN for regression) are unlabelled and fall in no split. Splits
follow ``split_pct`` (default 0.8/0.1/0.1) with a seeded permutation, or the rows listed in
``custom_split_filenames``. Masks are ``uint8`` arrays named by ``mask_field_names``.
"""

from __future__ import annotations

import logging
from typing import Dict, Optional, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphstorm_py.errors import DataError
from graphstorm_py.gconstruct.config import LabelConf
from graphstorm_py.gconstruct.transforms.columns import int_cast_loss

log = logging.getLogger(__name__)

__all__ = ["build_label", "split_masks", "DEFAULT_SPLIT", "SPLIT_SEED"]

DEFAULT_SPLIT = (0.8, 0.1, 0.1)
SPLIT_SEED = 42


def _classification(conf: LabelConf, col: pa.Array, state: Optional[dict], where: str):
    labeled = np.asarray(col.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    if conf.separator is not None:
        lists = pc.split_pattern(col.cast(pa.string()), conf.separator)
        flat = pc.utf8_trim_whitespace(lists.flatten())
        classes = state["classes"] if state else sorted(set(pc.unique(flat).to_pylist()) - {""})
        idx = pc.index_in(flat, value_set=pa.array(classes, pa.string())).to_numpy(zero_copy_only=False)
        rows = np.repeat(np.arange(len(col)), pc.list_value_length(lists).fill_null(0).to_numpy())
        out = np.zeros((len(col), len(classes)), dtype=np.float32)
        ok = ~np.isnan(idx.astype(np.float64)) if idx.dtype.kind == "f" else idx >= 0
        out[rows[ok], idx[ok].astype(np.int64)] = 1.0
        return out, labeled, {"classes": classes}, {"num_classes": len(classes), "multilabel": True}
    if pa.types.is_integer(col.type):  # never through float: int64 labels stay exact
        labels = pc.fill_null(col.cast(pa.int64()), -1).to_numpy(zero_copy_only=False).astype(np.int64)
    if pa.types.is_floating(col.type):
        vals = col.to_numpy(zero_copy_only=False)
        labeled &= ~np.isnan(vals)
        if np.any(vals[labeled] != np.round(vals[labeled])):
            raise DataError(f"{where}: classification labels in {conf.label_col!r} must be integers")
        labels = np.where(labeled, np.nan_to_num(vals), -1).astype(np.int64)
    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
        if labeled.any() and labels[labeled].min() < 0:
            raise DataError(f"{where}: classification labels in {conf.label_col!r} must be >= 0")
        ncls = int(labels.max()) + 1 if labeled.any() else 0
        if state and state.get("num_classes"):
            ncls = max(ncls, int(state["num_classes"]))
        return labels, labeled, {"num_classes": ncls}, {"num_classes": ncls, "multilabel": False}
    strings = col.cast(pa.string())
    classes = state["classes"] if state else sorted(pc.unique(strings.drop_null()).to_pylist())
    idx = pc.index_in(strings, value_set=pa.array(classes, pa.string()))
    unknown = pc.and_(idx.is_null(), strings.is_valid())
    if pc.any(unknown).as_py():
        bad = strings.filter(unknown)[:5].to_pylist()
        raise DataError(f"{where}: labels {bad} in {conf.label_col!r} are not among the classes seen at training")
    labels = idx.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return labels, labeled, {"classes": classes}, {"num_classes": len(classes), "multilabel": False,
                                                   "classes": classes}


def build_label(conf: LabelConf, col: Optional[pa.Array], num_rows: int, state: Optional[dict], where: str
                ) -> Tuple[Optional[np.ndarray], np.ndarray, dict, dict]:
    """Return ``(label array or None, labelled row mask, state, metadata info)``."""
    info: dict = {"task_type": conf.task_type, "masks": conf.masks}
    if conf.task_type == "link_prediction":
        return None, np.ones(num_rows, dtype=bool), {}, info
    assert col is not None
    if conf.task_type == "regression":
        try:
            if pa.types.is_integer(col.type) and col.null_count == 0:
                ints = col.to_numpy(zero_copy_only=False)
                loss = int_cast_loss(ints, np.float32)
                if loss:
                    log.warning("%s: regression labels in %r: %s", where, conf.label_col, loss)
            vals = col.cast(pa.float32(), safe=False).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise DataError(f"{where}: regression labels in {conf.label_col!r} must be numeric "
                            f"(column type {col.type})") from None
        vals = np.asarray(vals, dtype=np.float32)
        labeled = np.isfinite(vals)
        return vals, labeled, {}, info
    labels, labeled, new_state, extra = _classification(conf, col, state, where)
    info.update(extra)
    if conf.label_stats_type == "frequency_cnt":
        info["label_stats"] = _frequency(labels, labeled)
    return labels, labeled, new_state, info


def _frequency(labels: np.ndarray, labeled: np.ndarray) -> dict:
    if labels.ndim == 2:
        counts = labels[labeled].sum(axis=0).astype(np.int64)
        return {"frequency_cnt": {str(i): int(c) for i, c in enumerate(counts)}}
    vals, counts = np.unique(labels[labeled], return_counts=True)
    return {"frequency_cnt": {str(int(v)): int(c) for v, c in zip(vals, counts)}}


def split_masks(labeled: np.ndarray, pct=None, custom: Optional[Dict[str, np.ndarray]] = None,
                seed: int = SPLIT_SEED) -> Dict[str, np.ndarray]:
    """uint8 masks ``{"train", "val", "test"}``; ``custom`` gives row indices per split."""
    n = len(labeled)
    masks = {k: np.zeros(n, dtype=np.uint8) for k in ("train", "val", "test")}
    if custom is not None:
        for k, rows in custom.items():
            masks[k][rows] = 1
        masks = {k: (m & labeled).astype(np.uint8) for k, m in masks.items()}
        return masks
    pct = pct or DEFAULT_SPLIT
    rows = np.flatnonzero(labeled)
    rows = rows[np.random.default_rng(seed).permutation(len(rows))]
    n_train = int(len(rows) * pct[0])
    n_val = int(len(rows) * pct[1])
    rest = len(rows) - n_train - n_val
    # fractions that cover every row give the rounding remainder to the test split
    n_test = rest if sum(pct) >= 1 - 1e-6 else min(rest, int(round(len(rows) * pct[2])))
    masks["train"][rows[:n_train]] = 1
    masks["val"][rows[n_train:n_train + n_val]] = 1
    masks["test"][rows[n_train + n_val:n_train + n_val + n_test]] = 1
    return masks
