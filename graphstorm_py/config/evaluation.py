"""When to evaluate during training, and when to stop early."""

from __future__ import annotations

import sys
from typing import Literal, Optional

from pydantic import Field

from graphstorm_py.config.fields import StrictModel

__all__ = ["EvalConfig", "EVAL_AT_EPOCH_END"]

EVAL_AT_EPOCH_END = sys.maxsize
"""GraphStorm's default ``eval_frequency``: evaluate only at the end of each epoch."""


class EvalConfig(StrictModel):
    """GraphStorm's evaluation and early-stop keys.

    Attributes:
        eval_frequency: evaluate every N iterations, as well as at each epoch end. Default
            :data:`EVAL_AT_EPOCH_END` (``sys.maxsize``): only at epoch ends.
        no_validation: skip validation (and testing) during training. Default ``False``.
        use_early_stop: stop when the validation score stops improving. Default ``False``.
        early_stop_burnin_rounds: evaluations before early stop is considered. Default 0.
        early_stop_rounds: evaluations the strategy looks back over. Default 3.
        early_stop_strategy: ``average_increase`` stops when the score is below the average of
            the last ``early_stop_rounds`` scores; ``consecutive_increase`` when it has fallen
            ``early_stop_rounds`` times in a row. Default ``average_increase``.
        fixed_test_size: evaluate link prediction on at most this many edges. ``None``: all.
    """

    eval_frequency: int = Field(EVAL_AT_EPOCH_END, gt=0)
    no_validation: bool = False
    use_early_stop: bool = False
    early_stop_burnin_rounds: int = Field(0, ge=0)
    early_stop_rounds: int = Field(3, gt=0)
    early_stop_strategy: Literal["average_increase", "consecutive_increase"] = "average_increase"
    fixed_test_size: Optional[int] = Field(None, gt=0)
