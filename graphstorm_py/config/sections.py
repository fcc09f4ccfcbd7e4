"""Read the shape of GraphStorm's training YAML: version, ``gsf:`` sections, task section(s).

GraphStorm's layout::

    version: 1.0
    gsf:
      basic: {...}          # section names other than tasks are free-form;
      gnn: {...}            # their keys merge into one flat namespace
      node_classification:  # the task section is named after the task ...
        target_ntype: movie
      multi_task_learning:  # ... or a list of single-key {task_name: keys} entries
        - node_classification: {...}
        - link_prediction: {...}

:func:`read_sections` checks that shape and flattens the keys, remembering where each came
from so errors can say "in section 'gnn'". A key given in two sections is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from graphstorm_py.config.graphstorm_keys import ACCEPTED_TOP_LEVEL, accepted_note
from graphstorm_py.config.schema import UNSUPPORTED_TOP_LEVEL
from graphstorm_py.config.suggest import did_you_mean
from graphstorm_py.config.tasks import MULTI_TASK_SECTION, TASK_MODELS, UNSUPPORTED_TASKS
from graphstorm_py.errors import ConfigError

__all__ = ["RawConfig", "read_sections"]

_VERSIONS = (1, 1.0, "1", "1.0")


@dataclass
class RawConfig:
    """The flattened keys of a training YAML, before validation.

    Attributes:
        keys: every key of every non-multi-task section, flat, as GraphStorm merges them.
        origin: key → where it was given, for messages ("section 'gnn'").
        task_name: the single task section's name, or ``None`` with ``multi_task_learning``.
        multi: ``(task_name, keys, where)`` per ``multi_task_learning`` entry.
        notes: INFO lines for accepted GraphStorm keys that change nothing here.
    """

    keys: Dict[str, Any] = field(default_factory=dict)
    origin: Dict[str, str] = field(default_factory=dict)
    task_name: Optional[str] = None
    multi: List[Tuple[str, Dict[str, Any], str]] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    lm_model: Any = None          # GraphStorm's top-level ``lm_model`` block, validated by the loader


def _task_name(name: Any, where: str, errors: List[str]) -> Optional[str]:
    if name in TASK_MODELS:
        return name
    if name in UNSUPPORTED_TASKS:
        errors.append(f"{where}: task '{name}' is not supported by graphstorm_py yet")
    else:
        errors.append(f"{where}: unknown task '{name}'; "
                      f"tasks: {', '.join(TASK_MODELS)}{did_you_mean(name, TASK_MODELS)}")
    return None


def _read_multi(entries: Any, raw: RawConfig, errors: List[str]) -> None:
    if not isinstance(entries, list) or len(entries) < 2:
        errors.append(f"{MULTI_TASK_SECTION} must be a list of at least two "
                      "'- task_name: {keys}' entries")
        return
    for i, entry in enumerate(entries):
        where = f"{MULTI_TASK_SECTION}[{i}]"
        if not isinstance(entry, dict) or len(entry) != 1:
            errors.append(f"{where} must be one 'task_name: {{keys}}' mapping, got {entry!r}")
            continue
        (name, keys), = entry.items()
        name = _task_name(name, where, errors)
        if not isinstance(keys or {}, dict):
            errors.append(f"{where}.{name}: the task keys must be a mapping, got {keys!r}")
        elif name is not None:
            raw.multi.append((name, dict(keys or {}), f"{where} ({name})"))


def read_sections(doc: Any, source: str) -> RawConfig:
    """Check the document's shape and flatten its sections; ConfigError lists every problem."""
    if not isinstance(doc, dict):
        raise ConfigError(f"{source}: a training config must be a mapping with 'version' and 'gsf'")
    errors: List[str] = []
    raw = RawConfig()
    for key in doc:
        if key in ACCEPTED_TOP_LEVEL:
            raw.notes.append(accepted_note(key, "top level"))
        elif key in UNSUPPORTED_TOP_LEVEL:
            errors.append(f"top-level '{key}' is {UNSUPPORTED_TOP_LEVEL[key]}")
        elif key not in ("version", "gsf", "lm_model"):
            errors.append(f"unknown top-level key '{key}'{did_you_mean(key, ['version', 'gsf'])}")
    if "version" not in doc:
        errors.append("'version: 1.0' is required at the top")
    elif doc["version"] not in _VERSIONS or isinstance(doc["version"], bool):
        errors.append(f"'version' must be 1.0 (GraphStorm's training config), got {doc['version']!r}")
    gsf = doc.get("gsf")
    if not isinstance(gsf, dict):
        errors.append(f"'gsf' must be a mapping of sections, got {gsf!r}")
        gsf = {}

    tasks: List[str] = []
    raw.lm_model = doc.get("lm_model")
    for name, section in gsf.items():
        if name == MULTI_TASK_SECTION:
            tasks.append(name)
            _read_multi(section, raw, errors)
            continue
        if name in UNSUPPORTED_TASKS:
            errors.append(f"task section '{name}' is not supported by graphstorm_py yet")
            continue
        if not isinstance(section or {}, dict):
            errors.append(f"section '{name}' must be a mapping of keys, got {section!r}")
            continue
        if name in TASK_MODELS:
            tasks.append(name)
        for key, value in (section or {}).items():
            where = f"section '{name}'"
            if key in raw.keys:
                errors.append(f"'{key}' is given twice, in {raw.origin[key]} and in {where}")
            raw.keys[key], raw.origin[key] = value, where

    if not tasks:
        near = [f"section '{n}'{did_you_mean(n, TASK_MODELS)}" for n in gsf
                if did_you_mean(n, TASK_MODELS)]
        errors.append("no task section: add one of " + ", ".join(TASK_MODELS)
                      + f" or {MULTI_TASK_SECTION}" + (f" ({'; '.join(near)})" if near else ""))
    elif len(tasks) > 1:
        errors.append(f"one task section expected, got {' and '.join(tasks)}; "
                      f"put several tasks in {MULTI_TASK_SECTION}")
    elif tasks[0] != MULTI_TASK_SECTION:
        raw.task_name = tasks[0]
    if errors:
        raise ConfigError(f"invalid training config {source}:\n  " + "\n  ".join(errors))
    return raw
