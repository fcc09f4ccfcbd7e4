"""Shared CLI plumbing: GSErrors become one clean message on stderr and exit code 2."""

from __future__ import annotations

import sys
from typing import Callable, Optional, Sequence

from graphstorm_py.errors import GSError

__all__ = ["run_cli"]


def run_cli(main: Callable[[Optional[Sequence[str]]], int | None], argv: Optional[Sequence[str]] = None) -> int:
    try:
        code = main(argv)
    except GSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return int(code or 0)
