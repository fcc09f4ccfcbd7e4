"""Save a trained LM alone in Hugging Face format (GALM step b; LM-GNN's stage-wise warm start).

A gs-train checkpoint holds the LM inside the model (``input_encoder.lm.<ntype>.model.*``).
:func:`export_lm` loads the LM the checkpoint's config names, puts the trained weights in, and
writes ``save_pretrained`` output plus the tokenizer files and a sentence-transformers
``1_Pooling/config.json`` recording the pooling it was trained with, so the folder can be
``model_name`` of a later run (on this graph or another graph with another schema)::

    python -m graphstorm_py.lm.export --restore-model-path models/epoch-0 --output galm_lm/
    # lm_model.node_lm_models[0].model_name: galm_lm/
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from typing import Optional, Sequence

from graphstorm_py.errors import CheckpointError, ConfigError
from graphstorm_py.lm.encoder import LMEncoder
from graphstorm_py.lm_models import resolve_model_path

__all__ = ["export_lm"]

_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json",
                    "sentencepiece.bpe.model", "spiece.model", "merges.txt", "vocab.json")


def _is_export(folder: str) -> bool:
    try:
        with open(os.path.join(folder, "1_Pooling", "config.json")) as f:
            return "graphstorm_py_pooling" in json.load(f)
    except (OSError, ValueError):
        return False


def _check_output(output: str) -> None:
    """``output`` must be new, empty, or an earlier export (replaced whole): never a user's folder."""
    if os.path.lexists(output) and not os.path.isdir(output):
        raise ConfigError(f"--output {output} is a file; give a folder for the exported model")
    held = sorted(os.listdir(output)) if os.path.isdir(output) else []
    if held and not _is_export(output):
        raise ConfigError(f"--output {output} is a folder that holds other things ({', '.join(held[:5])}"
                          f"{', ...' if len(held) > 5 else ''}) and is not an earlier export; give a new or "
                          "empty folder (an earlier export is replaced, nothing else is)")


def export_lm(checkpoint: str, output: str, ntype: Optional[str] = None) -> str:
    """Write the LM of ``ntype`` (default: the first LM) from ``checkpoint`` to ``output``."""
    from graphstorm_py.model.checkpoint import load_checkpoint_config, load_checkpoint_file

    output = os.path.abspath(output)
    _check_output(output)
    cfg = load_checkpoint_config(checkpoint)
    if cfg.lm_model is None:
        raise ConfigError(f"checkpoint {checkpoint} was trained without an lm_model; there is no LM to export")
    entry = cfg.lm_model.lm_of(ntype) if ntype else cfg.lm_model.node_lm_models[0]
    if entry is None:
        raise ConfigError(f"checkpoint {checkpoint} has no LM for node type {ntype!r}; "
                          f"LM node types: {', '.join(cfg.lm_model.ntypes)}")
    lm = LMEncoder.load(entry.model_name, entry.pooling)
    state = load_checkpoint_file(checkpoint, "model.pt") or {}
    # the input layer stores each LM once, under its first node type
    prefixes = [f"input_encoder.lm.{t}.model." for t in entry.node_types]
    weights = {k[len(p):]: v for k, v in state.items() for p in prefixes if k.startswith(p)}
    if not weights:
        raise CheckpointError(f"checkpoint {checkpoint} holds no LM weights for {entry.node_types}")
    missing, unexpected = lm.model.load_state_dict(weights, strict=False)
    if unexpected or [m for m in missing if "position_ids" not in m]:
        raise CheckpointError(f"LM weights of {checkpoint} do not fit {entry.model_name!r}: "
                              f"missing {missing[:3]}, unexpected {unexpected[:3]}")
    os.makedirs(os.path.dirname(output), exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=os.path.basename(output) + ".tmp-", dir=os.path.dirname(output))
    try:
        lm.model.save_pretrained(tmp)
        src = os.path.expanduser(resolve_model_path(entry.model_name))
        for name in _TOKENIZER_FILES:
            if os.path.isfile(os.path.join(src, name)):
                shutil.copy(os.path.join(src, name), os.path.join(tmp, name))
        os.makedirs(os.path.join(tmp, "1_Pooling"), exist_ok=True)
        with open(os.path.join(tmp, "1_Pooling", "config.json"), "w") as f:
            json.dump({"word_embedding_dimension": lm.out_dims, "pooling_mode_cls_token": lm.pooling == "cls",
                       "pooling_mode_mean_tokens": lm.pooling == "mean", "graphstorm_py_pooling": lm.pooling}, f)
        shutil.rmtree(output, ignore_errors=True)          # new, empty, or an earlier export (_check_output)
        os.replace(tmp, output)                            # whole or not at all
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return output


def main(argv: Optional[Sequence[str]] = None) -> int:
    from graphstorm_py.cli import run_cli

    def _main(args_list):
        ap = argparse.ArgumentParser(prog="python -m graphstorm_py.lm.export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
        ap.add_argument("--restore-model-path", required=True, help="a gs-train checkpoint with an LM")
        ap.add_argument("--output", required=True, help="folder for the Hugging Face model")
        ap.add_argument("--ntype", help="node type whose LM to export (default: the first LM)")
        args = ap.parse_args(args_list)
        print(export_lm(args.restore_model_path, args.output, args.ntype))
        return 0

    return run_cli(_main, argv)


if __name__ == "__main__":
    raise SystemExit(main())
