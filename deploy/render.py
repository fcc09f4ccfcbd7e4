"""``gs-submit render JOB.yaml --export kuberay|sagemaker-pipeline``: the same job for another scheduler.

- ``kuberay``: a KubeRay ``RayJob`` manifest whose entry point is ``gs-submit exec`` with the resolved plan
  in its runtime environment (exactly what ``--backend ray`` submits), on a cluster of the image sized for
  the largest stage.
- ``sagemaker-pipeline``: a SageMaker Pipeline definition, one step per stage (construct -> a processing
  step, train and infer -> training steps running ``gs-sm``), each step's ``Arguments`` the request the
  launchers send. Every path must be on S3 there.
"""

from __future__ import annotations

import json
import posixpath
from typing import Dict, List

from graphstorm_py import io
from graphstorm_py.deploy.commands import args_to_flags
from graphstorm_py.deploy.plan import Plan
from graphstorm_py.errors import ConfigError
from graphstorm_py.registry import Registry

__all__ = ["EXPORTS", "render_kuberay", "render_sagemaker_pipeline", "render_cli"]

EXPORTS: Registry = Registry("export format")


@EXPORTS.register("kuberay")
def render_kuberay(plan: Plan, image: str, **_) -> str:
    import yaml

    from graphstorm_py.deploy.ray_backend import ENTRYPOINT, runtime_env

    widest = max((s.resources for s in plan.stages), key=lambda r: (r["workers"], r["cpus"], r["gpus"]))
    cpus, gpus = max(1, int(round(widest["cpus"]))), int(round(widest["gpus"]))
    limits = {"cpu": str(cpus), **({"nvidia.com/gpu": str(gpus)} if gpus else {})}
    if widest.get("memory"):
        limits["memory"] = widest["memory"].replace("iB", "i").replace("GB", "G").replace("MB", "M")

    def group(ray_start: Dict[str, str], res: Dict[str, str]) -> dict:
        return {"rayStartParams": ray_start, "template": {"spec": {"containers": [{
            "name": "ray", "image": image, "resources": {"limits": res, "requests": res}}]}}}

    head = group({"dashboard-host": "0.0.0.0", "num-cpus": "0"}, {"cpu": "1"})
    workers = {"groupName": "workers", "replicas": widest["workers"], "minReplicas": widest["workers"],
               "maxReplicas": widest["workers"], **group({}, limits)}
    doc = {"apiVersion": "ray.io/v1", "kind": "RayJob",
           "metadata": {"name": plan.name.lower(), "labels": {"graphstorm-py/spec-hash": plan.spec_hash}},
           "spec": {"entrypoint": ENTRYPOINT, "runtimeEnvYAML": yaml.safe_dump(runtime_env(plan)),
                    "shutdownAfterJobFinishes": True, "ttlSecondsAfterFinished": 600,
                    "rayClusterSpec": {"headGroupSpec": head, "workerGroupSpecs": [workers]}}}
    return yaml.safe_dump(doc, sort_keys=False)


def _s3(stage, key: str, path: str) -> str:
    if not str(path).startswith("s3://"):
        raise ConfigError(f"stages.{stage.name} {key} {path!r}: a SageMaker pipeline reads and writes S3 only "
                          f"(set output_prefix and inputs to s3:// paths)")
    return path


def _hyperparameters(args: Dict[str, object]) -> Dict[str, str]:
    flags, out, key = args_to_flags(args, switches=False), {}, None
    for token in flags:
        if token.startswith("--"):
            key = token[2:]
            out[key] = ""
        else:
            out[key] = f"{out[key]} {token}".strip()
    return out


def _step(plan: Plan, stage, image: str, role: str, instance_type: str) -> dict:
    from graphstorm_py.deploy.sagemaker import requests as rq

    count = int(stage.resources["workers"])
    inputs = {k: _s3(stage, f"inputs.{k}", v) for k, v in stage.inputs.items()}
    outputs = {k: _s3(stage, f"outputs.{k}", v) for k, v in stage.outputs.items()}
    runtime = int(stage.timeout_s or 86400)
    name = f"{plan.name}-{stage.name}"[:63]
    if stage.kind == "construct":
        config = inputs["config"]
        req = rq.processing_request(job_name=name, image=image, role=role, instance_type=instance_type,
                                    instance_count=count, input_s3=inputs.get("data") or posixpath.dirname(config),
                                    output_s3=outputs["graph"], max_runtime_s=runtime,
                                    arguments=["--graph-config-path", rq.CONFIG_DIR + "/" + posixpath.basename(config),
                                               "--graph-name", plan.graph_name]
                                    + args_to_flags(stage.args, switches=True))
        req["ProcessingInputs"].append({"InputName": "config", "S3Input": {
            "S3Uri": config, "LocalPath": rq.CONFIG_DIR, "S3DataType": "S3Prefix", "S3InputMode": "File",
            "S3DataDistributionType": "FullyReplicated"}})
        rq.validate_processing(req, {})
        step_type, name_key = "Processing", "ProcessingJobName"
    else:
        hp = {"graph-name": plan.graph_name}
        channels = {"graph": inputs["graph"], "config": inputs["config"]}
        if "model" in inputs:
            channels["model"] = inputs["model"]
        if stage.kind == "train":
            hp["model-artifact-s3"] = outputs["model"]
            output = outputs["model"]
        else:
            hp.update({"output-emb-s3": outputs["embeddings"], "output-prediction-s3": outputs["predictions"]})
            output = posixpath.dirname(outputs["embeddings"].rstrip("/")) + "/sagemaker-output"
        hp.update(_hyperparameters(stage.args))
        req = rq.training_request(job_name=name, kind=stage.kind, image=image, role=role, instance_type=instance_type,
                                  instance_count=count, hyperparameters=hp, channels=channels, output_path=output,
                                  max_runtime_s=runtime)
        rq.validate_training(req, {})
        step_type, name_key = "Training", "TrainingJobName"
    req.pop(name_key)
    req.pop("Tags", None)
    step = {"Name": stage.name, "Type": step_type, "Arguments": req}
    if stage.deps:
        step["DependsOn"] = list(stage.deps)
    return step


@EXPORTS.register("sagemaker-pipeline")
def render_sagemaker_pipeline(plan: Plan, image: str, role: str = None, instance_type: str = "ml.m5.xlarge",
                              **_) -> str:
    if not role:
        raise ConfigError("--export sagemaker-pipeline needs --role arn:aws:iam::ACCOUNT:role/NAME")
    steps: List[dict] = [_step(plan, s, image, role, instance_type) for s in plan.stages if s.name in plan.selected]
    return json.dumps({"Version": "2020-12-01", "Metadata": {"graphstorm-py": {"spec_hash": plan.spec_hash}},
                       "Parameters": [], "Steps": steps}, indent=1)


def render_cli(args) -> int:
    from graphstorm_py.deploy.plan import make_plan
    from graphstorm_py.deploy.spec import load_spec

    plan = make_plan(load_spec(args.spec, args.sets))
    text = EXPORTS.get(args.export)(plan, image=args.image, role=args.role, instance_type=args.instance_type)
    if args.output:
        io.write_bytes(args.output, text.encode())
    else:
        print(text)
    return 0
