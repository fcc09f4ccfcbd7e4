"""Progress bars: on for interactive terminals, off when output is piped or ``--quiet`` is given."""

from __future__ import annotations

import logging
import sys

__all__ = ["progress", "set_quiet", "setup_logging"]

_QUIET = False


def set_quiet(quiet: bool) -> None:
    global _QUIET
    _QUIET = bool(quiet)


def progress(iterable=None, **kwargs):
    """A tqdm bar that disables itself when stderr is not a TTY or output is quiet."""
    from tqdm.auto import tqdm

    kwargs.setdefault("disable", _QUIET or not sys.stderr.isatty())
    kwargs.setdefault("dynamic_ncols", True)
    return tqdm(iterable, **kwargs)


def setup_logging(verbose: bool = False, quiet: bool = False) -> None:
    level = logging.DEBUG if verbose else (logging.WARNING if quiet else logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
