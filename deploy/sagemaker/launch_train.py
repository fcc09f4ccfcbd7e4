"""``python -m graphstorm_py.deploy.sagemaker.launch_train``: training as a SageMaker training job.

GraphStorm's flags (``sagemaker/launch/launch_train.py``): the common ones, ``--graph-name``,
``--task-type``, ``--yaml-s3``, ``--model-artifact-s3``, ``--model-checkpoint-to-load``, ``--entry-point``
(accepted; the image runs ``gs-sm train``), ``--custom-script`` (refused). Other flags become
hyperparameters, i.e. gs-train flags (``--num-epochs 1`` -> ``"num-epochs": "1"``).
Channels: ``graph`` (``--graph-data-s3``), ``config`` (``--yaml-s3``), ``model`` (``--model-checkpoint-to-load``).
"""

from __future__ import annotations

from typing import List, Optional, Sequence

from graphstorm_py.cli import run_cli
from graphstorm_py.deploy.sagemaker.launch_common import (common_parser, job_name, launcher_main,
                                                          parse_estimator_parameters, unknown_to_hyperparameters)
from graphstorm_py.deploy.sagemaker.requests import training_request, validate_training
from graphstorm_py.errors import ConfigError

__all__ = ["build", "main"]


def build(argv: List[str]):
    p = common_parser("launch_train")
    g = p.add_argument_group("Training arguments")
    g.add_argument("--graph-name", required=True)
    g.add_argument("--task-type", default=None, help="informational: the YAML defines the task")
    g.add_argument("--yaml-s3", required=True, help="S3 location of the training YAML")
    g.add_argument("--model-artifact-s3", required=True, help="S3 folder the model is saved to")
    g.add_argument("--model-checkpoint-to-load", default=None, help="S3 model folder or checkpoint to restore")
    g.add_argument("--entry-point", default=None, help="accepted for GraphStorm compatibility; unused")
    g.add_argument("--custom-script", default=None)
    args, unknown = p.parse_known_args(argv)
    if args.custom_script:
        raise ConfigError("--custom-script is not supported: the image runs gs-train (give its flags instead)")
    args.instance_type = args.instance_type or "ml.m5.4xlarge"
    hp = {"graph-name": args.graph_name, "model-artifact-s3": args.model_artifact_s3}
    if args.task_type:
        hp["task-type"] = args.task_type
    hp.update(unknown_to_hyperparameters(unknown))
    channels = {"graph": args.graph_data_s3, "config": args.yaml_s3}
    if args.model_checkpoint_to_load:
        channels["model"] = args.model_checkpoint_to_load
    req = training_request(job_name=job_name(args.task_name, f"gs-train-{args.graph_name}"), kind="train",
                           image=args.image_url, role=args.role, instance_type=args.instance_type,
                           instance_count=args.instance_count, hyperparameters=hp, channels=channels,
                           output_path=args.model_artifact_s3, **parse_estimator_parameters(args.sm_estimator_parameters))
    validate_training(req, {"graph": "--graph-data-s3", "config": "--yaml-s3", "model": "--model-checkpoint-to-load",
                            "output": "--model-artifact-s3"})
    return "training", req, args


def main(argv: Optional[Sequence[str]] = None) -> int:
    raise SystemExit(run_cli(lambda a: launcher_main(build, a), argv))


if __name__ == "__main__":
    main()
