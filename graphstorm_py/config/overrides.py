"""Command-line overrides: ``--num-epochs 3 --fanout 10,5 --eval-metric accuracy f1_score``.

Every config key is a flag, in kebab-case or snake_case, derived from the models (see
:mod:`~graphstorm_py.config.schema`); nothing is declared twice. GraphStorm's other keys and
launcher flags (:mod:`~graphstorm_py.config.graphstorm_keys`) are flags too. As with
GraphStorm's argparse:

* values are read as YAML scalars (``true``, ``3``, ``0.1``, ``null``, ``[a, b]``); several
  values after one flag make a list (GraphStorm's multi-value flags);
* a flag may be abbreviated to any unambiguous prefix (``--remove-target-edge``);
  an ambiguous one is an error naming the candidates;
* ``-e N`` is ``--num-epochs N``;
* a boolean flag given without a value means ``true`` (``--infer-all-target-nodes``).

A later flag wins over an earlier one.
"""

from __future__ import annotations

import typing
from typing import Any, Dict, FrozenSet, List, Sequence, Tuple

import yaml

from graphstorm_py.config.graphstorm_keys import ACCEPTED, SHORT_FLAGS
from graphstorm_py.config.schema import ALL_KEYS, CONCERNS, UNSUPPORTED_KEYS
from graphstorm_py.config.suggest import closest
from graphstorm_py.config.tasks import TASK_MODELS
from graphstorm_py.errors import ConfigError

__all__ = ["parse_overrides", "flag_name", "parse_value", "resolve_flag", "BOOL_KEYS"]


def flag_name(key: str) -> str:
    """``num_epochs`` → ``--num-epochs``."""
    return "--" + key.replace("_", "-")


def parse_value(text: str) -> Any:
    """A flag value as YAML reads a scalar; text that is not valid YAML stays text."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _is_bool(annotation: Any) -> bool:
    return annotation is bool or (typing.get_origin(annotation) is typing.Union
                                  and set(typing.get_args(annotation)) == {bool, type(None)})


BOOL_KEYS: FrozenSet[str] = frozenset(
    key for model in [*CONCERNS.values(), *TASK_MODELS.values()]
    for key, f in model.model_fields.items() if _is_bool(f.annotation))
"""Keys whose flag alone (no value) means ``true``."""

_FLAG_KEYS = sorted(ALL_KEYS | set(ACCEPTED) | set(UNSUPPORTED_KEYS))


def resolve_flag(flag: str) -> str:
    """``--remove-target-edge`` → ``remove_target_edge_type``: the key a flag names, exactly or
    by unambiguous prefix (as GraphStorm's argparse resolves it). ConfigError otherwise."""
    if flag in SHORT_FLAGS:
        return SHORT_FLAGS[flag]
    key = flag[2:].replace("-", "_")
    if key in ALL_KEYS or key in ACCEPTED:
        return key
    if key in UNSUPPORTED_KEYS:
        raise ConfigError(f"command line {flag}: '{key}' is {UNSUPPORTED_KEYS[key]}")
    matches: List[str] = [k for k in _FLAG_KEYS if k.startswith(key)] if key else []
    if len(matches) == 1:
        return resolve_flag(flag_name(matches[0]))
    if len(matches) > 1:
        raise ConfigError(f"command line: ambiguous flag {flag} could match "
                          + ", ".join(flag_name(m) for m in matches))
    match = closest(key, _FLAG_KEYS)
    hint = f"; did you mean '{flag_name(match)}'?" if match else ""
    raise ConfigError(f"command line: unknown flag {flag}{hint}")


def _is_flag(token: str) -> bool:
    return token.startswith("--") or token in SHORT_FLAGS


def parse_overrides(argv: Sequence[str]) -> Dict[str, Tuple[Any, str]]:
    """``argv`` → ``{key: (value, flag as written)}``; unknown flags are a ConfigError."""
    out: Dict[str, Tuple[Any, str]] = {}
    i, argv = 0, list(argv)
    while i < len(argv):
        token = str(argv[i])
        if not _is_flag(token) or token == "--":
            raise ConfigError(f"command line: expected a --flag, got {token!r}")
        flag, eq, inline = token.partition("=")
        key = resolve_flag(flag)
        values = [inline] if eq else []
        i += 1
        while not eq and i < len(argv) and not _is_flag(str(argv[i])):
            values.append(str(argv[i]))
            i += 1
        if not values:
            if key not in BOOL_KEYS:
                raise ConfigError(f"command line: {flag} needs a value")
            values = ["true"]
        parsed = [parse_value(v) for v in values]
        out.pop(key, None)  # keep the order of the last occurrence
        out[key] = (parsed[0] if len(parsed) == 1 else parsed, flag)
    return out
