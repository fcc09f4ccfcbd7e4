"""Each stage kind as the command a user would type, and how its outputs show they are complete.

A stage runs ``gs-construct`` / ``gs-train`` / ``gs-infer`` (never their internals). ``args`` become
``--key value``; a list gives several values; for gs-construct a ``true`` is a bare switch and
``false`` drops it, while gs-train/gs-infer read ``--key true|false`` as config overrides (except their
own switches ``quiet``, ``verbose``, ``infer-all-target-nodes``).

``resources.workers > 1`` spreads a stage over that many workers (:func:`scale_flags`): on the local
backend gs-train/gs-infer get ``--num-trainers N`` and gs-construct ``--num-processes N``; on the Ray
backend gs-train/gs-infer run as N Ray Train workers (``--ray-address``, each asking for the stage's
``cpus``/``gpus``) and gs-construct runs on the Ray Data engine. A flag the stage's ``args`` already set wins.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import sys
from typing import Callable, Dict, List

from graphstorm_py import io
from graphstorm_py.registry import Registry

__all__ = ["COMMANDS", "stage_argv", "scale_flags", "exe", "args_to_flags", "complete_marker", "checkpoint_of", "STAGE_RECORD"]

#: written into a stage's first output after the command succeeded: {"hash": ..., "outputs": [...]}
STAGE_RECORD = "_gs_stage.json"

#: output key -> the file its command writes last
_MARKERS = {"graph": "metadata.json", "model": "results.json", "embeddings": "_SUCCESS", "predictions": "_SUCCESS"}

COMMANDS: Registry[Callable] = Registry("stage kind")


def exe(name: str) -> str:
    """A console script of this install (next to the interpreter), else whatever PATH has."""
    local = os.path.join(os.path.dirname(sys.executable), name)
    return local if os.path.exists(local) else (shutil.which(name) or name)


#: argparse switches of gs-train / gs-infer (every other bool there is a config override: --key true|false)
_SWITCHES = {"quiet", "verbose", "infer-all-target-nodes", "infer_all_target_nodes"}


def args_to_flags(args: Dict[str, object], switches: bool) -> List[str]:
    out: List[str] = []
    for key, value in args.items():
        flag = "--" + str(key).lstrip("-")
        if isinstance(value, bool):
            if switches or flag[2:] in _SWITCHES:
                out += [flag] if value else []
            else:
                out += [flag, "true" if value else "false"]
        elif isinstance(value, list):
            out += [flag] + [str(v) for v in value]
        else:
            out += [flag, str(value)]
    return out


def complete_marker(key: str, root: str) -> str:
    return io.join(root, _MARKERS[key])


def checkpoint_of(model: str) -> str:
    """A model folder written by gs-train -> its best checkpoint (``results.json``); else the path itself."""
    results = io.join(model, "results.json")
    if io.exists(results):
        best = io.read_json(results).get("best_checkpoint")
        if best:
            return io.join(model, posixpath.basename(str(best).rstrip("/")))
    return model


@COMMANDS.register("construct")
def _construct(stage, graph_name: str, config: str, model) -> List[str]:
    return [exe("gs-construct"), "--conf-file", config, "--output-dir", stage.outputs["graph"],
            "--graph-name", graph_name] + args_to_flags(stage.args, switches=True)


@COMMANDS.register("train")
def _train(stage, graph_name: str, config: str, model) -> List[str]:
    argv = [exe("gs-train"), "--cf", config, "--part-config", stage.inputs["graph"],
            "--save-model-path", stage.outputs["model"]]
    if "model" in stage.inputs:
        argv += ["--restore-model-path", model(stage.inputs["model"])]
    return argv + args_to_flags(stage.args, switches=False)


@COMMANDS.register("infer")
def _infer(stage, graph_name: str, config: str, model) -> List[str]:
    return [exe("gs-infer"), "--cf", config, "--part-config", stage.inputs["graph"],
            "--restore-model-path", model(stage.inputs["model"]),
            "--save-embed-path", stage.outputs["embeddings"],
            "--save-prediction-path", stage.outputs["predictions"]] + args_to_flags(stage.args, switches=False)


def _given(args: Dict[str, object], *names: str) -> bool:
    keys = {str(k).lstrip("-").replace("_", "-") for k in args}
    return any(n in keys for n in names)


def ray_address() -> str:
    """The cluster a stage of a Ray job joins: the job's own (Ray sets ``RAY_ADDRESS`` for its drivers)."""
    return os.environ.get("RAY_ADDRESS") or "auto"


def scale_flags(stage, backend: str) -> List[str]:
    """The flags that spread ``stage`` over ``resources.workers`` workers on ``backend`` (none for 1 worker)."""
    res = stage.resources
    workers = int(res.get("workers", 1))
    if workers <= 1:
        return []
    args, out = stage.args, []
    if stage.kind == "construct":
        if backend == "ray":
            if not _given(args, "engine"):
                out += ["--engine", "ray"]
            if not _given(args, "ray-address"):
                out += ["--ray-address", ray_address()]
        elif not _given(args, "num-processes"):
            out += ["--num-processes", str(workers)]
        return out
    if not _given(args, "num-trainers", "num-workers"):
        out += ["--num-trainers", str(workers)]
    if backend == "ray" and not _given(args, "ray-address"):
        out += ["--ray-address", ray_address(), "--ray-worker-cpus", f"{float(res.get('cpus', 1)):g}"]
        if float(res.get("gpus", 0) or 0) > 0:
            out += ["--ray-worker-gpus", f"{float(res['gpus']):g}"]
    return out


def stage_argv(stage, graph_name: str, config: str | None = None, resolve: bool = True,
               backend: str = "local") -> List[str]:
    """The command of ``stage``; ``config`` replaces its config input (a construct config rebased on ``data``).

    ``resolve=False`` (a dry run) reads no storage: a model input stays the folder, not its best checkpoint.
    """
    model = checkpoint_of if resolve else (lambda path: path)
    argv = COMMANDS.get(stage.kind)(stage, graph_name, config or stage.inputs["config"], model)
    return argv + scale_flags(stage, backend)
