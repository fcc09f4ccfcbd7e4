"""A validated spec becomes a plan: stages in run order, references resolved, outputs and hashes fixed.

Everything that can be wrong with a job is found here, before anything runs: an input a kind does not
take or lacks, a reference ``${stage.outputs.key}`` to no stage or no output, a cycle.

Outputs default to ``{output_prefix}/{name}/{spec hash}/{stage}/{output}``. A stage's hash covers its
kind, resolved inputs (and the content of its config file), outputs, args and the hashes of the stages
it reads from, so a stage is re-run exactly when something it depends on changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Sequence

from graphstorm_py.config.suggest import did_you_mean
from graphstorm_py.errors import ConfigError
from graphstorm_py.deploy.spec import KINDS, JobSpec

__all__ = ["PlannedStage", "Plan", "make_plan", "spec_hash", "REF_RE"]

REF_RE = re.compile(r"\$\{([^}]*)\}")


@dataclass
class PlannedStage:
    name: str
    kind: str
    inputs: Dict[str, str]
    outputs: Dict[str, str]
    args: Dict[str, object]
    resources: Dict[str, object]
    timeout_s: Optional[float]
    retries: int
    hash: str
    deps: List[str] = field(default_factory=list)


@dataclass
class Plan:
    name: str
    graph_name: str
    spec_hash: str
    env: Dict[str, str]
    stages: List[PlannedStage]
    selected: List[str]
    backend: str = "local"          # where the stages run: decides how ``resources.workers`` is spread

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Plan":
        doc = json.loads(text)
        doc["stages"] = [PlannedStage(**s) for s in doc["stages"]]
        return cls(**doc)

    def stage(self, name: str) -> PlannedStage:
        return next(s for s in self.stages if s.name == name)


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def spec_hash(spec: JobSpec) -> str:
    return _digest(spec.model_dump(mode="json"))[:12]


def _refs(value) -> List[str]:
    if isinstance(value, str):
        return REF_RE.findall(value)
    if isinstance(value, list):
        return [r for v in value for r in _refs(v)]
    return []


def _check_keys(spec: JobSpec) -> None:
    for s in spec.stages:
        required, optional, outputs = KINDS[s.kind]
        where = f"stages.{s.name}"
        for key in s.inputs:
            if key not in required + optional:
                allowed = list(required + optional)
                raise ConfigError(f"{where}.inputs: a {s.kind} stage takes no input {key!r}; inputs: {allowed}"
                                  f"{did_you_mean(key, allowed)}")
        for key in required:
            if key not in s.inputs:
                raise ConfigError(f"{where}.inputs: a {s.kind} stage needs input {key!r} (required: {list(required)})")
        for key in s.outputs:
            if key not in outputs:
                raise ConfigError(f"{where}.outputs: a {s.kind} stage gives no output {key!r}; outputs: "
                                  f"{list(outputs)}{did_you_mean(key, outputs)}")


def _dependencies(spec: JobSpec) -> Dict[str, List[str]]:
    names = [s.name for s in spec.stages]
    deps: Dict[str, List[str]] = {}
    for s in spec.stages:
        found = []
        values = list(s.inputs.items()) + list(s.outputs.items()) + list(s.args.items())
        for key, value in values:
            for ref in _refs(value):
                parts = ref.split(".")
                where = f"stages.{s.name} {key}: ${{{ref}}}"
                if len(parts) != 3 or parts[1] != "outputs":
                    raise ConfigError(f"{where}: a reference is ${{STAGE.outputs.KEY}}")
                stage, _, out = parts
                if stage not in names:
                    raise ConfigError(f"{where}: no stage named {stage!r}; stages: {names}{did_you_mean(stage, names)}")
                kind = spec.stage(stage).kind
                outs = KINDS[kind][2]
                if out not in outs:
                    raise ConfigError(f"{where}: a {kind} stage gives no output {out!r}; outputs: {list(outs)}"
                                      f"{did_you_mean(out, outs)}")
                if stage not in found:
                    found.append(stage)
        deps[s.name] = found
    return deps


def _order(spec: JobSpec, deps: Dict[str, List[str]]) -> List[str]:
    """Topological order, stable in spec order; a cycle is an error that names it."""
    done: List[str] = []
    pending = [s.name for s in spec.stages]
    while pending:
        ready = [n for n in pending if all(d in done for d in deps[n])]
        if not ready:
            raise ConfigError(f"stages form a cycle: {' -> '.join(_cycle(pending, deps))}")
        done.append(ready[0])
        pending.remove(ready[0])
    return done


def _cycle(pending: List[str], deps: Dict[str, List[str]]) -> List[str]:
    path, node = [], pending[0]
    while node not in path:
        path.append(node)
        node = next(d for d in deps[node] if d in pending)
    return path[path.index(node):] + [node]


def _sub(value, outputs: Dict[str, Dict[str, str]]):
    if isinstance(value, list):
        return [_sub(v, outputs) for v in value]
    if not isinstance(value, str):
        return value
    return REF_RE.sub(lambda m: outputs[m.group(1).split(".")[0]][m.group(1).split(".")[2]], value)


def _content(path: str) -> str:
    from graphstorm_py import io

    try:
        return hashlib.sha256(io.read_bytes(path)).hexdigest()
    except Exception:  # noqa: BLE001  (checked when the stage runs; the hash just covers what exists)
        return "absent"


def make_plan(spec: JobSpec, stages: Optional[Sequence[str]] = None) -> Plan:
    """Resolve ``spec``; ``stages`` (names) selects what runs, the rest must already be complete."""
    from graphstorm_py import io

    _check_keys(spec)
    deps = _dependencies(spec)
    order = _order(spec, deps)
    shash = spec_hash(spec)
    outputs: Dict[str, Dict[str, str]] = {}
    hashes: Dict[str, str] = {}
    planned = []
    for name in order:
        s = spec.stage(name)
        outs = {k: io.join(spec.output_prefix, spec.name, shash, name, k) for k in KINDS[s.kind][2]}
        outs.update({k: _sub(v, outputs) for k, v in s.outputs.items()})
        outputs[name] = outs
        inputs = {k: _sub(v, outputs) for k, v in s.inputs.items()}
        args = {k: _sub(v, outputs) for k, v in s.args.items()}
        h = _digest({"kind": s.kind, "inputs": inputs, "outputs": outs, "args": args, "graph": spec.graph_name,
                     "config": _content(inputs["config"]), "deps": [hashes[d] for d in deps[name]]})[:16]
        hashes[name] = h
        planned.append(PlannedStage(name=name, kind=s.kind, inputs=inputs, outputs=outs, args=args,
                                    resources=s.resources.model_dump(), timeout_s=s.timeout_s, retries=s.retries,
                                    hash=h, deps=deps[name]))
    names = [s.name for s in spec.stages]
    selected = list(order)
    if stages:
        for n in stages:
            if n not in names:
                raise ConfigError(f"--stages: no stage named {n!r}; stages: {names}{did_you_mean(n, names)}")
        selected = [n for n in order if n in stages]
    return Plan(name=spec.name, graph_name=spec.graph_name, spec_hash=shash, env=dict(spec.env), stages=planned,
                selected=selected)
