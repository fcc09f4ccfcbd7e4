"""Environment settings: the distributed backend, verbosity, where the graph is."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from graphstorm_py.config.fields import StrictModel

__all__ = ["BasicConfig"]


class BasicConfig(StrictModel):
    """GraphStorm's environment keys (usually in a ``basic:`` section).

    Attributes:
        backend: torch.distributed backend, ``gloo`` (CPU) or ``nccl`` (GPU). Validated even
            when one process runs and nothing is initialised. Default ``gloo``.
        verbose: print more while running. Default ``False``.
        part_config: the graph dataset to train on (GraphStorm's ``--part-config``; for us a
            graph dataset directory or its ``metadata.json``). Usually given on the command line.
        log_report_frequency: report training state every N iterations. Default 1000.
        task_tracker: how metrics are reported; GraphStorm only has ``sagemaker_task_tracker``,
            which prints them. Default ``sagemaker_task_tracker``.
    """

    backend: Literal["gloo", "nccl"] = "gloo"
    verbose: bool = False
    part_config: Optional[str] = None
    log_report_frequency: int = Field(1000, gt=0)
    task_tracker: Literal["sagemaker_task_tracker"] = "sagemaker_task_tracker"
