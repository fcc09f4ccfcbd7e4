"""What the three launchers share: GraphStorm's common flags, submitting a request, waiting for it.

The flags keep the names of GraphStorm's ``sagemaker/launch/common_parser.py``: ``--graph-data-s3``
(``--input-graph-s3``), ``--image-url`` (``--image-uri``), ``--role``, ``--instance-type``,
``--instance-count``, ``--region``, ``--task-name``, ``--sm-estimator-parameters``, ``--async-execution``.
Flags a launcher does not know are handed to the stage (hyperparameters, or processing arguments).
``--instance-type local`` runs the job on this machine (:mod:`.local_mode`) instead of calling AWS.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence

from graphstorm_py.config.overrides import parse_value
from graphstorm_py.config.suggest import did_you_mean
from graphstorm_py.errors import ConfigError

__all__ = ["common_parser", "parse_estimator_parameters", "unknown_to_hyperparameters", "job_name", "submit",
           "launcher_main"]

#: --sm-estimator-parameters keys we map onto the request
ESTIMATOR_KEYS = {"volume_size": "volume_gb", "max_run": "max_runtime_s"}
_DONE = {"Completed", "Failed", "Stopped"}


def common_parser(prog: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, allow_abbrev=False)
    g = p.add_argument_group("Common arguments")
    g.add_argument("--graph-data-s3", "--input-graph-s3", dest="graph_data_s3", required=True,
                   help="S3 location of the input data (tables for gconstruct, the graph for train/infer)")
    g.add_argument("--image-url", "--image-uri", dest="image_url", required=True, help="the graphstorm_py image")
    g.add_argument("--role", required=True, help="SageMaker execution role ARN")
    g.add_argument("--instance-type", default=None, help="e.g. ml.m5.xlarge, or 'local' (no Docker, this machine)")
    g.add_argument("--instance-count", type=int, default=1)
    g.add_argument("--region", default=None)
    g.add_argument("--task-name", default=None, help="the SageMaker job name (default: generated)")
    g.add_argument("--sm-estimator-parameters", default=None,
                   help="'volume_size=100 max_run=3600' (key=value, space-separated)")
    g.add_argument("--async-execution", action="store_true", help="return once the job is created")
    return p


def parse_estimator_parameters(text: Optional[str]) -> Dict[str, int]:
    out: Dict[str, int] = {}
    for item in (text or "").split():
        key, eq, value = item.partition("=")
        if not eq:
            raise ConfigError(f"--sm-estimator-parameters {item!r}: expected key=value")
        if key not in ESTIMATOR_KEYS:
            raise ConfigError(f"--sm-estimator-parameters: {key!r} is not supported; supported: "
                              f"{sorted(ESTIMATOR_KEYS)}{did_you_mean(key, ESTIMATOR_KEYS)}")
        out[ESTIMATOR_KEYS[key]] = int(parse_value(value))
    return out


def unknown_to_hyperparameters(unknown: Sequence[str]) -> Dict[str, str]:
    """``--num-epochs 1 --fanout 10 5 --quiet`` -> ``{"num-epochs": "1", "fanout": "10 5", "quiet": ""}``."""
    out: Dict[str, str] = {}
    key = None
    for token in unknown:
        if token.startswith("--"):
            key, eq, value = token[2:].partition("=")
            out[key] = value if eq else ""
        elif key is None:
            raise ConfigError(f"unexpected argument {token!r}: stage flags are --name value")
        else:
            out[key] = f"{out[key]} {token}".strip()
    return out


def job_name(task_name: Optional[str], prefix: str) -> str:
    return task_name or f"{prefix}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}"[:63].rstrip("-")


def _client(region: Optional[str]):
    import boto3

    return boto3.client("sagemaker", region_name=region)


def submit(kind: str, req: dict, region: Optional[str], local: bool, wait: bool,
           emit: Callable[[str], None] = print) -> dict:
    """Create the job (or run it locally) and, when ``wait``, poll Describe until it ends."""
    from graphstorm_py.deploy.sagemaker import local_mode

    if local:
        run = local_mode.run_processing_locally if kind == "processing" else local_mode.run_training_locally
        return run(req)
    sm = _client(region)
    create, describe, name_key, status_key = (
        (sm.create_processing_job, sm.describe_processing_job, "ProcessingJobName", "ProcessingJobStatus")
        if kind == "processing" else
        (sm.create_training_job, sm.describe_training_job, "TrainingJobName", "TrainingJobStatus"))
    create(**req)
    emit(f"created {kind} job {req[name_key]}")
    while True:
        info = describe(**{name_key: req[name_key]})
        if not wait or info[status_key] in _DONE:
            return info
        time.sleep(10)


def launcher_main(build: Callable[[List[str]], tuple], argv: Optional[Sequence[str]]) -> int:
    """``build(argv) -> (kind, request, args)``; prints the final Describe as JSON, exit 1 unless Completed."""
    kind, req, args = build(list(sys.argv[1:] if argv is None else argv))
    info = submit(kind, req, args.region, args.instance_type == "local", not args.async_execution)
    status = info.get("ProcessingJobStatus") or info.get("TrainingJobStatus")
    print(json.dumps({k: v for k, v in info.items() if k != "ResponseMetadata"}, default=str))
    if status in ("Failed", "Stopped"):
        print(f"error: {status}: {info.get('FailureReason', '')}", file=sys.stderr)
        return 1
    return 0
