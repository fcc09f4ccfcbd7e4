"""``python -m graphstorm_py.deploy.sagemaker.launch_gconstruct``: graph construction as a processing job.

GraphStorm's flags (``sagemaker/launch/launch_gconstruct.py``): the common ones, ``--output-graph-s3``
(``--output-data-s3``), ``--graph-name``, ``--graph-config-file`` (relative to ``--graph-data-s3``),
``--entry-point`` (accepted; the image's entry point is ``gs-sm construct``). Other flags go to gs-construct.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

from graphstorm_py.cli import run_cli
from graphstorm_py.deploy.sagemaker.launch_common import (common_parser, job_name, launcher_main,
                                                          parse_estimator_parameters)
from graphstorm_py.deploy.sagemaker.requests import processing_request, validate_processing

__all__ = ["build", "main"]


def build(argv: List[str]):
    p = common_parser("launch_gconstruct")
    g = p.add_argument_group("GConstruct arguments")
    g.add_argument("--output-graph-s3", "--output-data-s3", dest="output_graph_s3", required=True)
    g.add_argument("--graph-name", required=True)
    g.add_argument("--graph-config-file", required=True, help="config file, relative to --graph-data-s3")
    g.add_argument("--entry-point", default=None, help="accepted for GraphStorm compatibility; unused")
    args, unknown = p.parse_known_args(argv)
    args.instance_type = args.instance_type or "ml.m5.4xlarge"
    req = processing_request(
        job_name=job_name(args.task_name, f"gs-gconstruct-{args.graph_name}"), image=args.image_url,
        role=args.role, instance_type=args.instance_type, instance_count=args.instance_count,
        input_s3=args.graph_data_s3, output_s3=args.output_graph_s3,
        arguments=["--graph-config-file", args.graph_config_file, "--graph-name", args.graph_name] + unknown,
        **parse_estimator_parameters(args.sm_estimator_parameters))
    validate_processing(req, {"input": "--graph-data-s3", "output": "--output-graph-s3"})
    return "processing", req, args


def main(argv: Optional[Sequence[str]] = None) -> int:
    raise SystemExit(run_cli(lambda a: launcher_main(build, a), argv))


if __name__ == "__main__":
    main()
