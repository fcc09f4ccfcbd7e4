"""The gconstruct JSON (or YAML) config, validated strictly before any data is read.

This is GraphStorm's ``gconstruct-v0.1`` schema::

    {"version": "gconstruct-v0.1",
     "nodes": [{"node_type": "movie", "files": "movies.parquet", "format": {"name": "parquet"},
                "node_id_col": "id",
                "features": [{"feature_col": "title", "feature_name": "title",
                              "transform": {"name": "bert_hf", "bert_model": "...", "max_seq_length": 64}}],
                "labels": [{"label_col": "genre", "task_type": "classification",
                            "split_pct": [0.8, 0.1, 0.1]}]}],
     "edges": [{"relation": ["user", "rating", "movie"], "source_id_col": "src_id",
                "dest_id_col": "dst_id", "files": "ratings.parquet", "format": {"name": "parquet"},
                "features": [...], "labels": [...]}]}

Unknown keys, wrong types and missing required fields are a :class:`ConfigError` that names
the JSON path (``nodes[0].labels[0].split_pct``) and suggests the closest valid key.
"""

from __future__ import annotations

import os
import posixpath
from typing import Any, Dict, List, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from graphstorm_py.config.suggest import did_you_mean, validation_error_to_gs
from graphstorm_py.errors import ConfigError

_FORMATS = ("parquet", "csv", "json", "hdf5")

__all__ = ["ConstructConfig", "NodeConf", "EdgeConf", "FeatureConf", "LabelConf", "FormatConf",
           "load_construct_config"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FormatConf(_Strict):
    name: str
    separator: Optional[str] = None

    @field_validator("name")
    @classmethod
    def _known(cls, v: str) -> str:
        v = v.lower()
        if v not in _FORMATS:
            # the caller adds "(got ...)"; the hint ends the message
            raise ValueError(f"format must be one of parquet, csv, json, hdf5{did_you_mean(v, _FORMATS)}")
        return v


class FeatureConf(BaseModel):
    """One feature; its ``transform`` dict is validated by the transform's own schema."""

    model_config = ConfigDict(extra="forbid")
    feature_col: Union[str, List[str]]
    feature_name: Optional[str] = None
    out_dtype: Optional[str] = None
    transform: Optional[Dict[str, Any]] = None

    @property
    def columns(self) -> List[str]:
        return [self.feature_col] if isinstance(self.feature_col, str) else list(self.feature_col)

    @model_validator(mode="after")
    def _name(self):
        if self.feature_name is None:
            if not isinstance(self.feature_col, str):
                raise ValueError("feature_name is required when feature_col lists several columns")
            self.feature_name = self.feature_col
        return self


class CustomSplitConf(_Strict):
    train: Union[str, List[str], None] = None
    valid: Union[str, List[str], None] = None
    test: Union[str, List[str], None] = None
    column: Union[str, List[str], None] = None

    @model_validator(mode="after")
    def _some(self):
        if not (self.train or self.valid or self.test):
            raise ValueError("custom_split_filenames needs at least one of train, valid, test")
        return self


class LabelConf(_Strict):
    task_type: Literal["classification", "regression", "link_prediction"]
    label_col: Optional[str] = None
    split_pct: Optional[List[float]] = None
    custom_split_filenames: Optional[CustomSplitConf] = None
    separator: Optional[str] = None
    mask_field_names: Optional[List[str]] = None
    label_stats_type: Optional[Literal["frequency_cnt"]] = None

    @model_validator(mode="after")
    def _check(self):
        if self.task_type != "link_prediction" and not self.label_col:
            raise ValueError(f"label_col is required for task_type {self.task_type!r}")
        if self.split_pct is not None:
            if len(self.split_pct) != 3 or any(p < 0 for p in self.split_pct) or sum(self.split_pct) > 1 + 1e-6:
                raise ValueError("split_pct must be three non-negative fractions summing to at most 1")
        if self.mask_field_names is not None and len(self.mask_field_names) != 3:
            raise ValueError("mask_field_names must name three masks: train, validation, test")
        return self

    @property
    def masks(self) -> Dict[str, str]:
        names = self.mask_field_names or ["train_mask", "val_mask", "test_mask"]
        return dict(zip(("train", "val", "test"), names))


class _EntryBase(_Strict):
    files: Union[str, List[str]]
    format: FormatConf
    features: List[FeatureConf] = Field(default_factory=list)
    labels: List[LabelConf] = Field(default_factory=list)


class NodeConf(_EntryBase):
    node_type: str
    node_id_col: Optional[str] = None


class EdgeConf(_EntryBase):
    relation: List[str]
    source_id_col: Optional[str] = None
    dest_id_col: Optional[str] = None

    @field_validator("relation")
    @classmethod
    def _three(cls, v):
        if len(v) != 3 or not all(v):
            raise ValueError("relation must be [src_type, relation, dst_type]")
        return v

    @model_validator(mode="after")
    def _ids(self):
        if (self.source_id_col is None) != (self.dest_id_col is None):
            raise ValueError("source_id_col and dest_id_col must be given together")
        return self

    @property
    def etype(self):
        return tuple(self.relation)


class ConstructConfig(_Strict):
    version: str = "gconstruct-v0.1"
    nodes: List[NodeConf] = Field(default_factory=list)
    edges: List[EdgeConf]
    # folder of the config file; relative paths in ``files`` are resolved against it
    base_dir: str = Field(default="", exclude=True)

    @field_validator("version")
    @classmethod
    def _version(cls, v):
        if v != "gconstruct-v0.1":
            raise ValueError(f"unsupported version {v!r}; expected 'gconstruct-v0.1'")
        return v


def load_construct_config(path: str) -> ConstructConfig:
    """Read and validate a gconstruct config (JSON, or YAML for .yaml/.yml)."""
    from graphstorm_py import io

    text = io.read_bytes(path) if io.exists(path) else None
    if text is None:
        raise ConfigError(f"config file not found: {path}")
    try:
        if str(path).endswith((".yaml", ".yml")):
            import yaml

            doc = yaml.safe_load(text)
        else:
            import json

            doc = json.loads(text)
    except Exception as exc:  # parse errors carry line numbers
        raise ConfigError(f"{path}: cannot parse config: {exc}") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: the config must be a JSON object with 'nodes' and 'edges'")
    try:
        conf = ConstructConfig.model_validate(doc)
    except ValidationError as exc:
        raise validation_error_to_gs(exc, ConstructConfig, path) from None
    conf.base_dir = posixpath.dirname(path) if io.is_remote(path) else os.path.dirname(os.path.abspath(path))
    _check_consistency(conf, path)
    return conf


def _check_consistency(conf: ConstructConfig, path: str) -> None:
    from graphstorm_py.gconstruct.names import config_name_problems

    problems = [f"  {where}: {name!r} {why}" for where, name, why in config_name_problems(conf)]
    if problems:
        raise ConfigError(f"invalid config {path}: names that no training config could address "
                          "(rename them):\n" + "\n".join(problems))
    seen: Dict[tuple, bool] = {}
    for i, node in enumerate(conf.nodes):
        names = [f.feature_name for f in node.features] + [l.label_col for l in node.labels if l.label_col]
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise ConfigError(f"{path}: nodes[{i}]: feature or label {dup!r} is defined twice in one entry")
        for name in names:
            key = (node.node_type, name)
            # entries that each have node_id_col may share a feature: their rows combine by ID
            if key in seen and not (seen[key] and node.node_id_col):
                raise ConfigError(f"{path}: nodes[{i}]: feature or label {name!r} of node type "
                                  f"{node.node_type!r} is defined twice; only entries that each have "
                                  "node_id_col may share one")
            seen[key] = seen.get(key, True) and bool(node.node_id_col)
        for j, label in enumerate(node.labels):
            if label.task_type == "link_prediction":
                raise ConfigError(f"{path}: nodes[{i}].labels[{j}].task_type: link_prediction is for edges")
    for i, edge in enumerate(conf.edges):
        main = [e for e in conf.edges if e.etype == edge.etype and e.source_id_col]
        if not main:
            raise ConfigError(f"{path}: edges[{i}]: no entry of edge type {','.join(edge.relation)} "
                              "has source_id_col/dest_id_col")
