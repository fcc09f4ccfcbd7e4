"""Shared CLI plumbing: GSErrors become one clean message on stderr and exit code 2.

gs-train and gs-infer share their runtime options (:func:`add_runtime_args`) and GraphStorm's
launcher options that mean something for one process (``--workspace``, ``--cf`` aliases), and
set up logging from the command line and the config (:func:`configure_logging`).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Callable, Optional, Sequence

from graphstorm_py.errors import ConfigError, GSError

__all__ = ["run_cli", "add_runtime_args", "add_config_args", "start_runtime", "configure_logging", "parse_bool",
           "load_config_logged"]


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


def parse_bool(text) -> bool:
    """GraphStorm's boolean flag values: ``true``/``1`` (any case) → True, ``false``/``0`` → False."""
    value = str(text).strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise ConfigError(f"expected true or false, got {text!r}")


def add_config_args(parser) -> None:
    """``--cf`` (alias ``--conf-file``, GraphStorm's ``--yaml-config-file``), ``--part-config``, ``--workspace``."""
    parser.add_argument("--cf", "--conf-file", "--yaml-config-file", "--yaml_config_file", dest="cf", required=True,
                        help="training YAML (GraphStorm format)")
    parser.add_argument("--part-config", "--part_config", dest="part_config", default=None,
                        help="graph dataset folder (or a JSON file inside it); default: part_config of the YAML")
    parser.add_argument("--workspace", default=None,
                        help="change to this folder first, so relative paths are read from it (GraphStorm's launcher)")


def add_runtime_args(parser) -> None:
    """``--device``, ``--quiet`` and ``--verbose [true|false]``, shared by gs-train and gs-infer."""
    parser.add_argument("--device", default=None, help="torch device (default: cuda when available, else cpu)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars, warnings only")
    parser.add_argument("--verbose", nargs="?", const="true", default="false", metavar="BOOL",
                        help="debug logging (GraphStorm's --verbose true)")


def start_runtime(args) -> str:
    """Apply ``--workspace``, ``--quiet``/``--verbose`` and return the torch device to use."""
    import torch

    from graphstorm_py.progress import set_quiet

    if getattr(args, "workspace", None):
        if not os.path.isdir(args.workspace):
            raise ConfigError(f"--workspace {args.workspace} is not a folder")
        os.chdir(args.workspace)
    args.verbose = parse_bool(args.verbose)
    configure_logging(args)
    set_quiet(args.quiet)
    return args.device or ("cuda" if torch.cuda.is_available() else "cpu")


def configure_logging(args, basic=None) -> None:
    """Log level and file from the flags and, once loaded, the config's ``basic`` keys.

    ``--verbose`` (or ``verbose: true``) means debug, else ``logging_level`` (default info).
    ``--quiet`` keeps the console to warnings; ``logging_file`` also writes the log, at the
    logging level, to that file.
    """
    verbose = args.verbose or bool(basic is not None and basic.verbose)
    level = logging.DEBUG if verbose else getattr(logging, (basic.logging_level if basic else "info").upper())
    console = logging.StreamHandler()
    console.setLevel(max(level, logging.WARNING) if args.quiet else level)
    handlers = [console]
    if basic is not None and basic.logging_file:
        folder = os.path.dirname(os.path.abspath(basic.logging_file))
        os.makedirs(folder, exist_ok=True)
        handlers.append(logging.FileHandler(basic.logging_file))
    logging.basicConfig(level=level, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


class _Buffer(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record) -> None:
        self.records.append(record)


def load_config_logged(args, load: Callable[[], object]):
    """``load()`` the training config, then set up logging from it and replay what loading logged
    (the notes on accepted GraphStorm keys), so they too reach ``logging_file`` at ``logging_level``."""
    root = logging.getLogger()
    saved, buffer = list(root.handlers), _Buffer()
    root.handlers[:] = [buffer]
    try:
        cfg = load()
    finally:
        root.handlers[:] = saved
    configure_logging(args, cfg.basic)
    for record in buffer.records:
        if record.levelno >= root.getEffectiveLevel():
            root.handle(record)
    return cfg
