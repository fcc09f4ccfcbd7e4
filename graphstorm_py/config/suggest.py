"""Turn pydantic validation errors into GSErrors that name the key and suggest a fix."""

from __future__ import annotations

import difflib
from typing import Iterable, Optional

from graphstorm_py.errors import ConfigError

__all__ = ["closest", "did_you_mean", "format_loc", "validation_error_to_gs"]


def closest(name: str, choices: Iterable[str]) -> Optional[str]:
    """The choice closest to ``name`` (difflib ratio >= 0.6), or ``None``."""
    match = difflib.get_close_matches(str(name), sorted(str(c) for c in choices), n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or ``""`` when nothing is close.

    It ends the message: first what is wrong (and what the valid choices are), then the hint::

        f"target_etype {name!r} is not an edge type of the graph; edge types: {names}{did_you_mean(name, names)}"

    (``tests/core/test_suggest_last.py`` checks every use in the project.)
    """
    match = closest(name, choices)
    return f"; did you mean '{match}'?" if match else ""


def format_loc(loc: Iterable) -> str:
    """A pydantic error location as a JSON path: ``nodes[0].features[1].transform``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "<root>"


def _model_at(model_cls, loc):
    """Walk a pydantic model class along ``loc`` to find the model that owns the last key."""
    import typing

    current = model_cls
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            # discriminated unions put the tag in the location; skip it
            continue
        ann = fields[part].annotation
        current = _first_model(ann)
        if current is None:
            return None
    return current


def _first_model(ann):
    import typing

    if hasattr(ann, "model_fields"):
        return ann
    for arg in typing.get_args(ann):
        found = _first_model(arg)
        if found is not None:
            return found
    return None


def validation_error_to_gs(exc, model_cls, source: str) -> ConfigError:
    """Convert a ``pydantic.ValidationError`` into one ConfigError listing every problem."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = format_loc(loc)
        if err["type"] == "extra_forbidden":
            owner = _model_at(model_cls, loc)
            hint = did_you_mean(loc[-1], owner.model_fields) if owner is not None else ""
            lines.append(f"{path}: unknown key '{loc[-1]}'{hint}")
        elif err["type"] == "missing":
            lines.append(f"{path}: required key is missing")
        else:
            # "(got ...)" belongs to what is wrong: a validator's "did you mean" hint stays last
            head, sep, hint = err["msg"].partition("; did you mean")
            lines.append(f"{path}: {head} (got {err.get('input')!r}){sep}{hint}")
    return ConfigError(f"invalid config {source}:\n  " + "\n  ".join(lines))
