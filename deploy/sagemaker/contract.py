"""SageMaker's container contract, as files under a base directory (``/opt/ml``; ``GS_SM_BASE_DIR`` moves it).

Training jobs (gs-sm train|infer)::

    input/config/hyperparameters.json   {"name": "value"}: every value is a string
    input/config/resourceconfig.json    {"current_host": "algo-1", "hosts": ["algo-1", "algo-2"]}
    input/config/inputdataconfig.json   {"graph": {...}, "config": {...}, "model": {...}}
    input/data/<channel>/               the channel's files, downloaded by SageMaker
    model/                              uploaded by SageMaker as model.tar.gz when the job succeeds
    output/failure                      why the job failed (SageMaker shows its first 1 KiB)

Processing jobs (gs-sm construct)::

    config/processingjobconfig.json, config/resourceconfig.json
    processing/input/                   the ProcessingInput
    processing/output/                  uploaded to the ProcessingOutput's S3 URI
    output/message                      why the job failed
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Dict, List

__all__ = ["Layout", "TrainingEnv", "read_training_env", "sm_variables", "write_failure", "DEFAULT_BASE"]

DEFAULT_BASE = "/opt/ml"
FAILURE_LIMIT = 1024


@dataclass
class Layout:
    base: str

    @classmethod
    def from_env(cls) -> "Layout":
        return cls(os.environ.get("GS_SM_BASE_DIR") or DEFAULT_BASE)

    def path(self, *parts: str) -> str:
        return os.path.join(self.base, *parts)

    def map(self, path: str) -> str:
        """A container path (``/opt/ml/...``, as requests name them) inside this layout."""
        if path == DEFAULT_BASE or path.startswith(DEFAULT_BASE + "/"):
            return self.path(path[len(DEFAULT_BASE):].lstrip("/"))
        return path

    @property
    def input_config(self) -> str:
        return self.path("input", "config")

    def channel(self, name: str) -> str:
        return self.path("input", "data", name)

    @property
    def model_dir(self) -> str:
        return self.path("model")

    @property
    def processing_input(self) -> str:
        return self.path("processing", "input")

    @property
    def processing_output(self) -> str:
        return self.path("processing", "output")


@dataclass
class TrainingEnv:
    hyperparameters: Dict[str, str]
    current_host: str
    hosts: List[str]
    channels: Dict[str, str] = field(default_factory=dict)   # name -> local folder

    @property
    def rank(self) -> int:
        return self.hosts.index(self.current_host)


def _read(path: str, default=None):
    if not os.path.exists(path):
        if default is not None:
            return default
        from graphstorm_py.errors import ConfigError

        raise ConfigError(f"{path} is missing: not a SageMaker training container (set GS_SM_BASE_DIR?)")
    with open(path) as fh:
        return json.load(fh)


def read_training_env(layout: Layout) -> TrainingEnv:
    conf = layout.input_config
    hp = {str(k): str(v) for k, v in _read(os.path.join(conf, "hyperparameters.json"), {}).items()}
    res = _read(os.path.join(conf, "resourceconfig.json"), {"current_host": "algo-1", "hosts": ["algo-1"]})
    data = _read(os.path.join(conf, "inputdataconfig.json"), {})
    channels = {name: layout.channel(name) for name in data}
    return TrainingEnv(hp, res["current_host"], list(res["hosts"]), channels)


def sm_variables(layout: Layout, env: TrainingEnv) -> Dict[str, str]:
    """The ``SM_*`` variables AWS's own images set (ours set them themselves)."""
    try:
        import torch

        gpus = torch.cuda.device_count()
    except Exception:  # noqa: BLE001
        gpus = 0
    out = {"SM_HOSTS": json.dumps(env.hosts), "SM_CURRENT_HOST": env.current_host, "SM_MODEL_DIR": layout.model_dir,
           "SM_NUM_GPUS": str(gpus), "SM_NUM_CPUS": str(os.cpu_count() or 1),
           "SM_CHANNELS": json.dumps(sorted(env.channels)), "SM_HPS": json.dumps(env.hyperparameters),
           "SM_INPUT_DIR": layout.path("input"), "SM_INPUT_CONFIG_DIR": layout.input_config,
           "SM_OUTPUT_DATA_DIR": layout.path("output", "data")}
    for name, path in env.channels.items():
        out[f"SM_CHANNEL_{name.upper()}"] = path
    return out


def write_failure(layout: Layout, name: str, reason: str) -> None:
    """``output/failure`` (training) or ``output/message`` (processing): at most 1 KiB, UTF-8 safe."""
    os.makedirs(layout.path("output"), exist_ok=True)
    data = reason.encode()[:FAILURE_LIMIT].decode(errors="ignore")
    with open(layout.path("output", name), "w") as fh:
        fh.write(data)
