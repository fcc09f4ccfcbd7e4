"""The ``gs-submit`` job spec: a YAML file, validated strictly (unknown keys get a "did you mean").

::

    version: 1
    name: ml-nc                      # a Ray submission id and a SageMaker job name: [A-Za-z0-9-], <= 40
    graph_name: movielens
    output_prefix: s3://bucket/jobs  # or a local folder
    env: {OMP_NUM_THREADS: "1"}      # environment of every stage
    stages:
      - name: construct
        kind: construct              # construct | train | infer
        inputs: {config: ml_construct.json, data: s3://bucket/tables}
        args: {num-parts: 2, add-reverse-edges: true}
      - name: train
        kind: train
        inputs: {config: ml_nc.yaml, graph: "${construct.outputs.graph}"}
        args: {num-epochs: 1}
        resources: {cpus: 1}
      - name: infer
        kind: infer
        inputs: {config: ml_nc.yaml, graph: "${construct.outputs.graph}", model: "${train.outputs.model}"}

Inputs and outputs by kind are in :data:`KINDS`. Relative local paths are taken relative to the
spec file's folder. ``--set stages.train.args.num-epochs=2`` overrides one key (stages by name).
"""

from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Literal, Optional, Sequence, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graphstorm_py.config.overrides import parse_value
from graphstorm_py.config.suggest import did_you_mean, validation_error_to_gs
from graphstorm_py.errors import ConfigError

__all__ = ["JobSpec", "Stage", "Resources", "KINDS", "load_spec", "parse_spec", "apply_sets", "NAME_RE"]

#: kind -> (required inputs, optional inputs, outputs)
KINDS: Dict[str, tuple] = {
    "construct": (("config",), ("data",), ("graph",)),
    "train": (("config", "graph"), ("model",), ("model",)),
    "infer": (("config", "graph", "model"), (), ("embeddings", "predictions")),
}

#: a SageMaker job name (and a valid Ray submission id), leaving room for a "-<suffix>"
NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,39}$")
STAGE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Resources(_Strict):
    """What one stage asks the cluster for; checked against the cluster before anything runs."""

    workers: int = Field(1, ge=1)
    cpus: float = Field(1, gt=0)
    gpus: float = Field(0, ge=0)
    memory: Optional[str] = None   # "4GiB", "512MiB"

    @field_validator("memory")
    @classmethod
    def _memory(cls, v):
        if v is not None:
            memory_bytes(v)
        return v


_UNITS = {"": 1, "b": 1, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40, "kb": 10**3, "mb": 10**6,
          "gb": 10**9, "tb": 10**12}


def memory_bytes(text: str) -> int:
    m = re.fullmatch(r"\s*([0-9.]+)\s*([a-zA-Z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _UNITS:
        raise ValueError(f"memory {text!r} is not a size like '4GiB' or '512MB'")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


class Stage(_Strict):
    name: str
    kind: Literal["construct", "train", "infer"]
    inputs: Dict[str, str] = {}
    outputs: Dict[str, str] = {}
    args: Dict[str, Union[str, int, float, bool, List[Union[str, int, float]]]] = {}
    resources: Resources = Resources()
    timeout_s: Optional[float] = Field(None, gt=0)
    retries: int = Field(0, ge=0, le=10)

    @field_validator("name")
    @classmethod
    def _name(cls, v):
        if not STAGE_RE.match(v):
            raise ValueError("a stage name is lower-case letters, digits, '-' or '_', starting with a letter")
        return v


class JobSpec(_Strict):
    version: Literal[1] = 1
    name: str
    graph_name: str = "graph"
    output_prefix: str
    env: Dict[str, str] = {}
    stages: List[Stage] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _name(cls, v):
        if not NAME_RE.match(v):
            raise ValueError("the job name is 1-40 letters, digits or '-', starting and ending with a letter or "
                             "digit (a Ray submission id and a SageMaker job name)")
        return v

    @field_validator("env", mode="before")
    @classmethod
    def _env(cls, v):
        return {str(k): str(x) for k, x in v.items()} if isinstance(v, dict) else v

    def stage(self, name: str) -> Stage:
        for s in self.stages:
            if s.name == name:
                return s
        names = [s.name for s in self.stages]
        raise ConfigError(f"no stage named {name!r}; stages: {names}{did_you_mean(name, names)}")


def _set_path(doc: dict, dotted: str, value: Any, source: str) -> None:
    """``stages.train.args.num-epochs`` -> doc['stages'][<train>]['args']['num-epochs'] = value."""
    parts = dotted.split(".")
    node: Any = doc
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):   # stages are addressed by name
            names = [s.get("name") for s in node if isinstance(s, dict)]
            if part not in names:
                raise ConfigError(f"{source}: no stage named {part!r}; stages: {names}{did_you_mean(part, names)}")
            node = node[names.index(part)]
            continue
        if not isinstance(node, dict):
            raise ConfigError(f"{source}: {'.'.join(parts[:i])} is not a mapping")
        node = node.setdefault(part, {})
    if not isinstance(node, dict):
        raise ConfigError(f"{source}: {'.'.join(parts[:-1])} is not a mapping")
    node[parts[-1]] = value


def apply_sets(doc: dict, sets: Sequence[str]) -> dict:
    """Apply ``--set KEY=VALUE`` overrides (values read as YAML scalars)."""
    for item in sets:
        key, eq, text = item.partition("=")
        if not eq or not key:
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. stages.train.args.num-epochs=2")
        _set_path(doc, key.strip(), parse_value(text), f"--set {key}")
    return doc


def parse_spec(doc: Any, source: str = "<spec>") -> JobSpec:
    if not isinstance(doc, dict):
        raise ConfigError(f"{source}: a job spec is a mapping with 'name', 'output_prefix' and 'stages'")
    try:
        spec = JobSpec.model_validate(doc)
    except ValidationError as exc:
        raise _stage_names(validation_error_to_gs(exc, JobSpec, source), doc) from None
    seen = set()
    for s in spec.stages:
        if s.name in seen:
            raise ConfigError(f"{source}: stage name {s.name!r} is used twice")
        seen.add(s.name)
    return spec


def _stage_names(err: ConfigError, doc: dict) -> ConfigError:
    """``stages[1].inputs`` -> ``stages[1] (train).inputs``: name the stage the user wrote."""
    names = [s.get("name") if isinstance(s, dict) else None for s in doc.get("stages") or []]
    text = re.sub(r"stages\[(\d+)\]", lambda m: f"stages[{m.group(1)}] ({names[int(m.group(1))]})"
                  if int(m.group(1)) < len(names) and names[int(m.group(1))] else m.group(0), str(err))
    return ConfigError(text)


def load_spec(path: str, sets: Sequence[str] = ()) -> JobSpec:
    """Read, override and validate a job spec; relative local paths become relative to its folder."""
    from graphstorm_py import io

    try:
        text = io.read_bytes(path).decode()
    except FileNotFoundError:
        raise ConfigError(f"job spec {path} does not exist") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: cannot parse YAML: {exc}") from None
    if isinstance(doc, dict):
        apply_sets(doc, sets)
    spec = parse_spec(doc, path)
    base = "" if io.is_remote(path) else os.path.dirname(os.path.abspath(path))
    return absolutize(spec, base)


def _abs(value: str, base: str) -> str:
    from graphstorm_py import io

    if not base or "${" in value or io.is_remote(value) or os.path.isabs(value):
        return value
    return os.path.normpath(os.path.join(base, value))


def absolutize(spec: JobSpec, base: str) -> JobSpec:
    spec = spec.model_copy(deep=True)
    spec.output_prefix = _abs(spec.output_prefix, base)
    for s in spec.stages:
        s.inputs = {k: _abs(v, base) for k, v in s.inputs.items()}
        s.outputs = {k: _abs(v, base) for k, v in s.outputs.items()}
    return spec
