"""``gs-sm construct|train|infer``: the container entry point of SageMaker processing and training jobs.

``gs-sm train`` (a training job) runs ``gs-train --cf CONFIG --part-config GRAPH --save-model-path
/opt/ml/model [flags]``:

- the graph comes from channel ``graph`` (or hyperparameter ``graph-data-s3``), the training YAML from
  channel ``config`` (its one YAML file) or hyperparameter ``train-yaml-s3`` / ``yaml-s3``, a model to
  restore from channel ``model`` (``model-sub-path`` picks a checkpoint) or ``model-checkpoint-to-load``;
- ``model-artifact-s3``: every host copies its model folder there when training succeeded (host 0 the
  dense checkpoint and results, each host the embedding shards its workers own);
- ``task-type`` and ``graph-name`` (GraphStorm's launchers send them) are informational;
- every other hyperparameter is a gs-train flag by name: ``"num-epochs": "1"`` is ``--num-epochs 1``,
  a value with spaces gives several values, an empty value a bare switch.

``gs-sm infer`` runs gs-infer the same way, writing to ``output-emb-s3`` / ``output-prediction-s3``
(default: ``embeddings/`` and ``predictions/`` under the model folder, which SageMaker uploads).

With several hosts, every host runs its command with torchrun's variables: ``MASTER_ADDR`` = the first
host, ``MASTER_PORT`` (hyperparameter ``master-port``, default 29500), ``RANK`` = the host's index,
``WORLD_SIZE`` = the number of hosts, ``LOCAL_RANK=0``; no ssh, no host file.

``gs-sm gs-train ...`` (any of :data:`PASSTHROUGH`) runs that command, so ``docker run IMAGE gs-train ...``
works with ``ENTRYPOINT ["gs-sm"]``.

``gs-sm construct [--graph-config-file F] [--graph-name G] [gs-construct flags]`` (a processing job) runs
``gs-construct --conf-file /opt/ml/processing/input/F --output-dir /opt/ml/processing/output``.

A failure writes its reason (<= 1 KiB) to ``output/failure`` (``output/message`` for processing) and
exits non-zero. ``GS_SM_BASE_DIR`` replaces ``/opt/ml``; ``GS_SM_MASTER_ADDR`` / ``GS_SM_MASTER_PORT``
replace the first host's name and the port (``--instance-type local`` runs hosts on loopback).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from typing import Dict, List, Optional, Sequence

from graphstorm_py import io
from graphstorm_py.deploy.commands import checkpoint_of, exe
from graphstorm_py.deploy.runner import _run_command, emit_to, rebase_construct_config
from graphstorm_py.deploy.sagemaker.contract import Layout, read_training_env, sm_variables, write_failure
from graphstorm_py.errors import ConfigError, GSError

__all__ = ["main", "hyperparameter_flags", "INFORMATIONAL"]

INFORMATIONAL = ("task-type", "graph-name")
#: commands the image also runs as ``docker run IMAGE <command> ...``
PASSTHROUGH = ("gs-construct", "gs-train", "gs-infer", "gs-submit")
_YAML_KEYS = ("train-yaml-s3", "infer-yaml-s3", "yaml-s3")


def hyperparameter_flags(hp: Dict[str, str]) -> List[str]:
    out: List[str] = []
    for key, value in hp.items():
        out.append("--" + key.lstrip("-"))
        out += str(value).split() if str(value).strip() else []
    return out


def _one_yaml(folder: str) -> str:
    found = sorted(os.path.join(r, f) for r, _, fs in os.walk(folder) for f in fs if f.endswith((".yaml", ".yml")))
    if len(found) != 1:
        raise ConfigError(f"channel 'config' ({folder}) must hold exactly one .yaml file, found {len(found)}: "
                          f"{[os.path.basename(f) for f in found]}")
    return found[0]


def _config(env, hp: Dict[str, str], work: str) -> str:
    yaml_s3 = next((hp.pop(k) for k in _YAML_KEYS if k in hp), None)
    if "config" in env.channels and os.path.isdir(env.channels["config"]):
        return _one_yaml(env.channels["config"])
    if yaml_s3:
        local = os.path.join(work, os.path.basename(yaml_s3.rstrip("/")) or "train.yaml")
        with open(local, "wb") as fh:
            fh.write(io.read_bytes(yaml_s3))
        return local
    raise ConfigError("no training YAML: give channel 'config' or hyperparameter 'train-yaml-s3'")


def _graph(env, hp: Dict[str, str]) -> str:
    s3 = hp.pop("graph-data-s3", None)
    if "graph" in env.channels and os.path.isdir(env.channels["graph"]):
        return env.channels["graph"]
    if s3:
        return s3
    raise ConfigError("no graph: give channel 'graph' or hyperparameter 'graph-data-s3'")


def _model(env, hp: Dict[str, str], required: bool) -> Optional[str]:
    sub = hp.pop("model-sub-path", None)
    s3 = hp.pop("model-checkpoint-to-load", None) or (hp.pop("model-artifact-s3", None) if required else None)
    if "model" in env.channels and os.path.isdir(env.channels["model"]):
        root = env.channels["model"]
    elif s3:
        root = s3
    elif required:
        raise ConfigError("no model: give channel 'model' or hyperparameter 'model-artifact-s3'")
    else:
        return None
    return io.join(root, sub) if sub else checkpoint_of(root)


def _distributed_env(env, hp: Dict[str, str]) -> Dict[str, str]:
    port = hp.pop("master-port", None) or os.environ.get("GS_SM_MASTER_PORT") or "29500"
    if len(env.hosts) < 2:
        return {}
    return {"MASTER_ADDR": os.environ.get("GS_SM_MASTER_ADDR") or env.hosts[0], "MASTER_PORT": str(port),
            "RANK": str(env.rank), "WORLD_SIZE": str(len(env.hosts)), "LOCAL_RANK": "0", "LOCAL_WORLD_SIZE": "1",
            "NODE_RANK": str(env.rank)}


def _run(argv: List[str], extra_env: Dict[str, str]) -> int:
    emit = emit_to()
    emit("[gs-sm] " + " ".join(argv))
    code, tail = _run_command(argv, {**os.environ, **extra_env, "PYTHONUNBUFFERED": "1"}, None, emit)
    if code != 0:
        starts = [i for i, t in enumerate(tail) if t.startswith("error:")]
        why = "\n".join(tail[starts[-1]:]) if starts else "\n".join(tail[-5:])
        raise _CommandFailed(code, f"{os.path.basename(argv[0])} exited with {code}: {why}")
    return 0


class _CommandFailed(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


def _train_or_infer(kind: str, layout: Layout) -> int:
    env = read_training_env(layout)
    hp = dict(env.hyperparameters)
    for key in INFORMATIONAL:
        hp.pop(key, None)
    if "custom-script" in hp:
        raise ConfigError("hyperparameter 'custom-script' is not supported: gs-sm runs gs-train / gs-infer")
    os.makedirs(layout.model_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gs-sm-") as work:
        config, graph = _config(env, hp, work), _graph(env, hp)
        extra = {**sm_variables(layout, env), **_distributed_env(env, hp)}
        if kind == "train":
            upload = hp.pop("model-artifact-s3", None)
            restore = _model(env, hp, required=False)
            argv = [exe("gs-train"), "--cf", config, "--part-config", graph, "--save-model-path", layout.model_dir]
            argv += ["--restore-model-path", restore] if restore else []
        else:
            upload = None
            restore = _model(env, hp, required=True)
            emb = hp.pop("output-emb-s3", None) or os.path.join(layout.model_dir, "embeddings")
            pred = hp.pop("output-prediction-s3", None) or os.path.join(layout.model_dir, "predictions")
            argv = [exe("gs-infer"), "--cf", config, "--part-config", graph, "--restore-model-path", restore,
                    "--save-embed-path", emb, "--save-prediction-path", pred]
        _run(argv + hyperparameter_flags(hp), extra)
    if upload:          # each host holds different files: host 0's checkpoint, every owner's shards
        fs, path = io.get_fs(upload)
        fs.put(layout.model_dir.rstrip("/") + "/", path.rstrip("/") + "/", recursive=True)
    return 0


def _construct(argv: Sequence[str], layout: Layout) -> int:
    p = argparse.ArgumentParser(prog="gs-sm construct", allow_abbrev=False)
    p.add_argument("--graph-config-file", default=None, help="config file, relative to the processing input")
    p.add_argument("--graph-config-path", default=None, help="(GraphStorm's entry) config path")
    p.add_argument("--input-path", default=None)
    p.add_argument("--output-path", default=None)
    p.add_argument("--graph-name", default="graph")
    args, rest = p.parse_known_args(argv)
    inp = layout.map(args.input_path) if args.input_path else layout.processing_input
    out = layout.map(args.output_path) if args.output_path else layout.processing_output
    config = layout.map(args.graph_config_path) if args.graph_config_path else (
        os.path.join(inp, args.graph_config_file) if args.graph_config_file else None)
    if config is None:
        found = sorted(f for f in os.listdir(inp) if f.endswith((".json", ".yaml", ".yml"))) if os.path.isdir(inp) \
            else []
        if len(found) != 1:
            raise ConfigError(f"give --graph-config-file: the processing input {inp} holds {len(found)} configs "
                              f"{found}")
        config = os.path.join(inp, found[0])
    os.makedirs(out, exist_ok=True)
    if not os.path.abspath(config).startswith(os.path.abspath(inp) + os.sep):   # its files are in the input
        config = rebase_construct_config(config, inp, tempfile.mkdtemp(prefix="gs-sm-"))
    return _run([exe("gs-construct"), "--conf-file", config, "--output-dir", out, "--graph-name", args.graph_name]
                + list(rest), {})


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    kinds = ("construct", "train", "infer")
    if argv and argv[0] in PASSTHROUGH:   # `docker run IMAGE gs-train ...` with ENTRYPOINT ["gs-sm"]
        os.execv(exe(argv[0]), [argv[0]] + argv[1:])
    if argv[:1] in (["-h"], ["--help"]):
        print(f"usage: gs-sm {{{','.join(kinds)}}} [args] | gs-sm COMMAND [args] (COMMAND: {', '.join(PASSTHROUGH)})"
              f"\n\n{__doc__}")
        raise SystemExit(0)
    if not argv or argv[0] not in kinds:
        print(f"usage: gs-sm {{{','.join(kinds)}}} [args]; got {argv[:1]}", file=sys.stderr)
        raise SystemExit(2)
    kind, rest = argv[0], argv[1:]
    layout = Layout.from_env()
    failure = "message" if kind == "construct" else "failure"
    try:
        code = _construct(rest, layout) if kind == "construct" else _train_or_infer(kind, layout)
    except _CommandFailed as exc:
        write_failure(layout, failure, str(exc))
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(exc.code)
    except GSError as exc:
        write_failure(layout, failure, str(exc))
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001  (SageMaker shows the reason; the traceback goes to the log)
        import traceback

        traceback.print_exc()
        write_failure(layout, failure, f"{type(exc).__name__}: {exc}")
        raise SystemExit(1)
    raise SystemExit(code)


if __name__ == "__main__":
    main()
