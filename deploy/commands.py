"""Each stage kind as the command a user would type, and how its outputs show they are complete.

A stage runs ``gs-construct`` / ``gs-train`` / ``gs-infer`` (never their internals). ``args`` become
``--key value``; a list gives several values; for gs-construct a ``true`` is a bare switch and
``false`` drops it, while gs-train/gs-infer read ``--key true|false`` as config overrides (except their
own switches ``quiet``, ``verbose``, ``infer-all-target-nodes``).
"""

from __future__ import annotations

import os
import posixpath
import shutil
import sys
from typing import Callable, Dict, List

from graphstorm_py import io
from graphstorm_py.registry import Registry

__all__ = ["COMMANDS", "stage_argv", "exe", "args_to_flags", "complete_marker", "checkpoint_of", "STAGE_RECORD"]

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


def stage_argv(stage, graph_name: str, config: str | None = None, resolve: bool = True) -> List[str]:
    """The command of ``stage``; ``config`` replaces its config input (a construct config rebased on ``data``).

    ``resolve=False`` (a dry run) reads no storage: a model input stays the folder, not its best checkpoint.
    """
    model = checkpoint_of if resolve else (lambda path: path)
    return COMMANDS.get(stage.kind)(stage, graph_name, config or stage.inputs["config"], model)
