"""``python -m graphstorm_py.deploy.sagemaker.launch_infer``: inference as a SageMaker training job.

GraphStorm's flags (``sagemaker/launch/launch_infer.py``): the common ones, ``--graph-name``,
``--task-type``, ``--yaml-s3``, ``--model-artifact-s3`` (the trained model folder), ``--model-sub-path``,
``--output-emb-s3``, ``--output-prediction-s3``, ``--entry-point`` (accepted; the image runs
``gs-sm infer``). Other flags become hyperparameters, i.e. gs-infer flags.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

from graphstorm_py.cli import run_cli
from graphstorm_py.deploy.sagemaker.launch_common import (common_parser, job_name, launcher_main,
                                                          parse_estimator_parameters, unknown_to_hyperparameters)
from graphstorm_py.deploy.sagemaker.requests import training_request, validate_training

__all__ = ["build", "main"]


def _sibling(uri: str, name: str) -> str:
    """``s3://b/x/emb`` -> ``s3://b/x/sagemaker-output``: SageMaker's own output stays out of the embeddings."""
    head, _, tail = uri.rstrip("/").rpartition("/")
    return f"{head}/{name}" if tail and "://" not in tail and head.count("/") >= 2 else f"{uri.rstrip('/')}/{name}"


def build(argv: List[str]):
    p = common_parser("launch_infer")
    g = p.add_argument_group("Inference arguments")
    g.add_argument("--graph-name", required=True)
    g.add_argument("--task-type", default=None, help="informational: the YAML defines the task")
    g.add_argument("--yaml-s3", required=True)
    g.add_argument("--model-artifact-s3", required=True, help="S3 folder of the trained model")
    g.add_argument("--model-sub-path", default=None, help="the checkpoint under --model-artifact-s3 (default: best)")
    g.add_argument("--output-emb-s3", required=True)
    g.add_argument("--output-prediction-s3", default=None)
    g.add_argument("--entry-point", default=None, help="accepted for GraphStorm compatibility; unused")
    args, unknown = p.parse_known_args(argv)
    args.instance_type = args.instance_type or "ml.m5.4xlarge"
    hp = {"graph-name": args.graph_name, "output-emb-s3": args.output_emb_s3}
    for key, value in (("task-type", args.task_type), ("output-prediction-s3", args.output_prediction_s3),
                       ("model-sub-path", args.model_sub_path)):
        if value:
            hp[key] = value
    hp.update(unknown_to_hyperparameters(unknown))
    channels = {"graph": args.graph_data_s3, "config": args.yaml_s3, "model": args.model_artifact_s3}
    req = training_request(job_name=job_name(args.task_name, f"gs-infer-{args.graph_name}"), kind="infer",
                           image=args.image_url, role=args.role, instance_type=args.instance_type,
                           instance_count=args.instance_count, hyperparameters=hp, channels=channels,
                           output_path=_sibling(args.output_emb_s3, "sagemaker-output"),
                           **parse_estimator_parameters(args.sm_estimator_parameters))
    validate_training(req, {"graph": "--graph-data-s3", "config": "--yaml-s3", "model": "--model-artifact-s3",
                            "output": "--output-emb-s3"})
    return "training", req, args


def main(argv: Optional[Sequence[str]] = None) -> int:
    raise SystemExit(run_cli(lambda a: launcher_main(build, a), argv))


if __name__ == "__main__":
    main()
