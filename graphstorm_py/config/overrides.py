"""Command-line overrides: ``--num-epochs 3 --fanout 10,5 --eval-metric accuracy f1_score``.

Every config key is a flag, in kebab-case or snake_case, derived from the models (see
:mod:`~graphstorm_py.config.schema`); nothing is declared twice. Values are read as YAML
scalars (``true``, ``3``, ``0.1``, ``null``, ``[a, b]``); several values after one flag make a
list, as GraphStorm's multi-value flags do. A later flag wins over an earlier one.
"""

from __future__ import annotations

from typing import Any, Dict, Sequence, Tuple

import yaml

from graphstorm_py.config.schema import ALL_KEYS, UNSUPPORTED_KEYS
from graphstorm_py.config.suggest import closest
from graphstorm_py.errors import ConfigError

__all__ = ["parse_overrides", "flag_name", "parse_value"]


def flag_name(key: str) -> str:
    """``num_epochs`` → ``--num-epochs``."""
    return "--" + key.replace("_", "-")


def parse_value(text: str) -> Any:
    """A flag value as YAML reads a scalar; text that is not valid YAML stays text."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _key_of(flag: str) -> str:
    key = flag[2:].replace("-", "_")
    if key in ALL_KEYS:
        return key
    if key in UNSUPPORTED_KEYS:
        raise ConfigError(f"command line {flag}: '{key}' is {UNSUPPORTED_KEYS[key]}")
    match = closest(key, ALL_KEYS)
    hint = f"; did you mean '{flag_name(match)}'?" if match else ""
    raise ConfigError(f"command line: unknown flag {flag}{hint}")


def parse_overrides(argv: Sequence[str]) -> Dict[str, Tuple[Any, str]]:
    """``argv`` → ``{key: (value, flag as written)}``; unknown flags are a ConfigError."""
    out: Dict[str, Tuple[Any, str]] = {}
    i, argv = 0, list(argv)
    while i < len(argv):
        token = str(argv[i])
        if not token.startswith("--") or token == "--":
            raise ConfigError(f"command line: expected a --flag, got {token!r}")
        flag, eq, inline = token.partition("=")
        key = _key_of(flag)
        values = [inline] if eq else []
        i += 1
        while not eq and i < len(argv) and not str(argv[i]).startswith("--"):
            values.append(str(argv[i]))
            i += 1
        if not values:
            raise ConfigError(f"command line: {flag} needs a value")
        parsed = [parse_value(v) for v in values]
        out.pop(key, None)  # keep the order of the last occurrence
        out[key] = (parsed[0] if len(parsed) == 1 else parsed, flag)
    return out
