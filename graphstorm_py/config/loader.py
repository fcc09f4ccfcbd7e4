"""Load GraphStorm's training YAML, apply command-line overrides, validate into TrainConfig.

>>> cfg = load_train_config("ml_nc.yaml", ["--num-epochs", "1", "--fanout", "10,5"])
>>> cfg.task.task_type, cfg.task.target_ntype, cfg.hyperparam.num_epochs
('node_classification', 'movie', 1)

Every key GraphStorm accepts is accepted: implemented, or (for GraphStorm's runtime settings
and unused features, see :mod:`~graphstorm_py.config.graphstorm_keys`) logged in one INFO line
saying why it changes nothing. A key of another task (``lp_decoder_type`` in a node
classification config) is logged as unused, as GraphStorm ignores it. Unlike GraphStorm,
nothing else is silently ignored: an unknown key (with a "did you mean"), a key of a GraphStorm
feature graphstorm_py does not support yet, a key given twice, a wrong type or a bad choice is a
:class:`~graphstorm_py.errors.ConfigError` that names the key and where it was given, listing
every problem at once.

gs-infer reads GraphStorm's inference YAMLs, which have no training keys:
``load_train_config(path, inference=True)`` fills ``lr``, ``batch_size`` and ``fanout`` with
values that inference never reads (see :data:`INFERENCE_PLACEHOLDERS`).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Sequence

import yaml
from pydantic import BaseModel, ValidationError

from graphstorm_py.config.graphstorm_keys import ACCEPTED, accepted_note
from graphstorm_py.config.homogeneous import default_targets
from graphstorm_py.config.overrides import parse_overrides
from graphstorm_py.config.schema import (ALL_KEYS, CONCERN_OF, CONCERNS, TASK_KEYS,
                                         UNSUPPORTED_KEYS, tasks_with_key)
from graphstorm_py.config.sections import RawConfig, read_sections
from graphstorm_py.config.suggest import did_you_mean, format_loc
from graphstorm_py.config.tasks import MULTI_TASK_SECTION, TASK_MODELS
from graphstorm_py.config.train import TrainConfig
from graphstorm_py.errors import ConfigError

__all__ = ["load_train_config", "load_train_config_dict", "read_yaml", "INFERENCE_PLACEHOLDERS"]

log = logging.getLogger(__name__)

INFERENCE_PLACEHOLDERS = {"lr": 1e-3, "batch_size": 1}
"""Training-only required keys gs-infer fills when the YAML lacks them (never read by inference).
A missing ``fanout`` becomes ``eval_fanout`` (or all neighbours per layer)."""


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a key repeated in one mapping is an error."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConfigError(f"'{key}' is given twice in one mapping "
                                  f"(line {key_node.start_mark.line + 1})")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: str) -> Any:
    """Parse a local or remote YAML file; a missing file or bad YAML is a ConfigError."""
    from graphstorm_py import io

    try:
        text = io.read_bytes(str(path)).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read training config {path}: {exc}") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None


def load_train_config(path: str, overrides: Sequence[str] = (), *, inference: bool = False) -> TrainConfig:
    """Read a GraphStorm training YAML (local or ``s3://``) and apply ``overrides`` (argv).

    ``inference=True``: training-only keys may be missing (GraphStorm's inference YAMLs).
    """
    return load_train_config_dict(read_yaml(path), overrides, source=str(path), inference=inference)


def load_train_config_dict(data: Any, overrides: Sequence[str] = (), source: str = "<dict>", *,
                           inference: bool = False) -> TrainConfig:
    """:func:`load_train_config` for an already-parsed document."""
    raw = read_sections(data, source)
    for key, (value, flag) in parse_overrides(overrides).items():
        if raw.multi and key in TASK_KEYS:
            raise ConfigError(f"command line {flag}: '{key}' is a task key; with "
                              f"{MULTI_TASK_SECTION} set it inside the task entry")
        raw.keys[key], raw.origin[key] = value, f"command line {flag}"

    if inference:
        _fill_inference_placeholders(raw)
    errors: List[str] = []
    parts: Dict[str, Any] = {name: {} for name in CONCERNS}
    task_keys = _route(raw, parts, errors)
    if raw.lm_model is None:    # no language model: its settings are accepted and logged, as GraphStorm does
        for key in [k for k in parts["lm"] if k in ACCEPTED]:
            raw.notes.append(accepted_note(key, raw.origin[key]))
            del parts["lm"][key]
    models = {name: _build(CONCERNS[name], parts[name], raw.origin, name, errors) for name in CONCERNS}
    if raw.task_name:
        entries = [(raw.task_name, task_keys, raw.origin, raw.task_name)]
    else:
        entries = [(name, keys, {}, where) for name, keys, where in raw.multi]
        for name, keys, where in raw.multi:
            _check_keys(keys, TASK_MODELS[name].model_fields, where, name, errors, raw.notes)
    for name, keys, origin, _ in entries:
        default_targets(TASK_MODELS[name].model_fields, keys, origin)
    tasks = [_build(TASK_MODELS[name], keys, origin, where, errors)
             for name, keys, origin, where in entries]
    lm_model = _build_lm_model(raw.lm_model, errors)
    if raw.lm_model is None and raw.keys.get("lm_model_name") is not None:
        errors.append(f"{raw.origin['lm_model_name']}: lm_model_name replaces the model_name of the "
                      "top-level lm_model block, and this config has none")
    if lm_model is not None and models["lm"] is not None:
        from graphstorm_py.config.lm import with_model_name
        lm_model = with_model_name(lm_model, models["lm"].lm_model_name)
    if errors:
        raise ConfigError(f"invalid training config {source}:\n  " + "\n  ".join(errors))
    for note in raw.notes:
        log.info("%s: %s", source, note)
    try:
        return TrainConfig(**models, tasks=tasks, lm_model=lm_model)
    except ValidationError as exc:
        raise ConfigError(f"invalid training config {source}:\n  "
                          + "\n  ".join(_messages(exc, raw.origin, "config"))) from None


def _route(raw: RawConfig, parts: Dict[str, Dict[str, Any]], errors: List[str]) -> Dict[str, Any]:
    """Send each flat key to its concern or to the task; return the task's keys."""
    task_keys: Dict[str, Any] = {}
    task_fields = TASK_MODELS[raw.task_name].model_fields if raw.task_name else {}
    for key, value in raw.keys.items():
        where = raw.origin[key]
        if key in CONCERN_OF:
            parts[CONCERN_OF[key]][key] = value
        elif key in task_fields:
            task_keys[key] = value
        else:
            _check_keys({key: value}, (), where, None, errors, raw.notes,
                        raw.task_name or f"{MULTI_TASK_SECTION}, whose task keys go in its entries")
    return task_keys


def _fill_inference_placeholders(raw: RawConfig) -> None:
    if raw.multi or raw.task_name:
        for key, value in INFERENCE_PLACEHOLDERS.items():
            if key not in raw.keys:
                raw.keys[key], raw.origin[key] = value, "gs-infer default (not used by inference)"
        if "fanout" not in raw.keys:
            layers = raw.keys.get("num_layers")
            fanout = raw.keys.get("eval_fanout") or (",".join(["-1"] * layers) if isinstance(layers, int)
                                                    and layers > 0 else None)
            if fanout is not None:
                raw.keys["fanout"], raw.origin["fanout"] = fanout, "gs-infer default: eval_fanout"


def _build_lm_model(block: Any, errors: List[str]):
    """The top-level ``lm_model`` block (see :mod:`graphstorm_py.config.lm`), or None."""
    from graphstorm_py.config.lm import LMModelConfig

    if block is None:
        return None
    try:
        return LMModelConfig.model_validate(block)
    except ValidationError as exc:
        errors.extend(_messages(exc, {}, "lm_model"))
        return None


def _check_keys(keys: Dict[str, Any], known, where: str, task: Any, errors: List[str],
                notes: List[str], trains: Any = None) -> None:
    """Sort the keys outside ``known``: accepted GraphStorm keys and other tasks' keys get a
    note, the rest an error. ``task``: the ``multi_task_learning`` entry being checked;
    ``trains``: what the config trains, for the note."""
    for key in keys:
        if key in known:
            continue
        if key in ACCEPTED:
            notes.append(accepted_note(key, where))
        elif task and key in CONCERN_OF:
            errors.append(f"'{key}' ({where}) is not a task key; set it outside {MULTI_TASK_SECTION}")
        elif key in TASK_KEYS:
            owners = ", ".join(tasks_with_key(key))
            notes.append(f"'{key}' ({where}): unused here, because it is a key of {owners} and "
                         f"{'this entry is ' + task if task else 'this config trains ' + str(trains)}")
        elif key in UNSUPPORTED_KEYS:
            errors.append(f"'{key}' ({where}) is {UNSUPPORTED_KEYS[key]}")
        else:
            scope = f"key of {task}" if task else "key"
            errors.append(f"unknown {scope} '{key}' ({where}){did_you_mean(key, ALL_KEYS | set(ACCEPTED))}")


def _build(model: type, keys: Dict[str, Any], origin: Dict[str, str], where: str,
           errors: List[str]) -> BaseModel | None:
    known = {k: v for k, v in keys.items() if k in model.model_fields}
    try:
        return model(**known)
    except ValidationError as exc:
        errors.extend(_messages(exc, origin, where))
        return None


def _messages(exc: ValidationError, origin: Dict[str, str], where: str) -> List[str]:
    """One line per pydantic error, naming the key and where it was (or should be) given.

    ``where`` names the model: a concern, a task section or a multi-task entry.
    """
    lines = []
    for err in exc.errors(include_url=False):
        loc, msg = err["loc"], err["msg"].removeprefix("Value error, ")
        key = loc[0] if loc else None
        if key is None:
            lines.append(f"{where}: {msg}")
        elif err["type"] == "missing":
            anywhere = " (it may go in any gsf section)" if where in CONCERNS else ""
            lines.append(f"'{format_loc(loc)}' is required in {where}{anywhere}")
        else:
            got = "" if err["type"] == "value_error" else f" (got {err.get('input')!r})"
            lines.append(f"'{format_loc(loc)}' ({origin.get(key, where)}): {msg}{got}")
    return lines
