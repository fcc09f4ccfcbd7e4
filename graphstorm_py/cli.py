"""Shared CLI plumbing: GSErrors become one clean message on stderr and exit code 2."""

from __future__ import annotations

import sys
from typing import Callable, Optional, Sequence

from graphstorm_py.errors import GSError

__all__ = ["run_cli", "add_runtime_args", "start_runtime"]


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


def add_runtime_args(parser) -> None:
    """``--device``, ``--quiet`` and ``--verbose``, shared by gs-train and gs-infer."""
    parser.add_argument("--device", default=None, help="torch device (default: cuda when available, else cpu)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars, warnings only")
    parser.add_argument("--verbose", action="store_true")


def start_runtime(args) -> str:
    """Apply ``--quiet``/``--verbose`` and return the torch device to use."""
    import torch

    from graphstorm_py.progress import set_quiet, setup_logging

    setup_logging(args.verbose, args.quiet)
    set_quiet(args.quiet)
    return args.device or ("cuda" if torch.cuda.is_available() else "cpu")
