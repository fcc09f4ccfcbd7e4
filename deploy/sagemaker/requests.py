"""CreateTrainingJob / CreateProcessingJob requests, and the limits SageMaker enforces on them.

Neither boto3 nor moto checks names, ARNs or hyperparameter sizes, so :func:`validate_training` and
:func:`validate_processing` do, before anything is sent: every problem is listed in one ConfigError.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional

from graphstorm_py.errors import ConfigError

__all__ = ["training_request", "processing_request", "validate_training", "validate_processing", "JOB_NAME_RE",
           "PROCESSING_INPUT", "PROCESSING_OUTPUT",
           "CONFIG_DIR"]

JOB_NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
ROLE_RE = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$")
INSTANCE_RE = re.compile(r"^ml\.[a-z0-9]+\.[a-z0-9]+$")
S3_RE = re.compile(r"^(https|s3)://([^/]+)/?(.*)$")
PROCESSING_INPUT = "/opt/ml/processing/input"
PROCESSING_OUTPUT = "/opt/ml/processing/output"
CONFIG_DIR = "/opt/ml/processing/config"
MAX_RUNTIME_S = 28 * 24 * 3600


def _channel(name: str, uri: str) -> dict:
    return {"ChannelName": name, "InputMode": "File", "CompressionType": "None",
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri,
                                            "S3DataDistributionType": "FullyReplicated"}}}


def training_request(*, job_name: str, kind: str, image: str, role: str, instance_type: str, instance_count: int,
                     hyperparameters: Dict[str, str], channels: Dict[str, str], output_path: str,
                     volume_gb: int = 30, max_runtime_s: int = 86400, tags: Optional[List[dict]] = None) -> dict:
    """``kind`` is ``train`` or ``infer`` (GraphStorm runs inference as a training job too)."""
    return {
        "TrainingJobName": job_name,
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File",
                                   "ContainerEntrypoint": ["gs-sm", kind]},
        "RoleArn": role,
        "HyperParameters": {str(k): str(v) for k, v in hyperparameters.items()},
        "InputDataConfig": [_channel(n, u) for n, u in channels.items()],
        "OutputDataConfig": {"S3OutputPath": output_path},
        "ResourceConfig": {"InstanceType": instance_type, "InstanceCount": instance_count,
                           "VolumeSizeInGB": volume_gb},
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime_s},
        "Tags": tags or [{"Key": "GraphStorm", "Value": "graphstorm_py"},
                         {"Key": "GraphStorm_Task", "Value": "Training" if kind == "train" else "Inference"}],
    }


def processing_request(*, job_name: str, image: str, role: str, instance_type: str, instance_count: int,
                       input_s3: str, output_s3: str, arguments: List[str], volume_gb: int = 30,
                       max_runtime_s: int = 86400) -> dict:
    return {
        "ProcessingJobName": job_name,
        "RoleArn": role,
        "AppSpecification": {"ImageUri": image, "ContainerEntrypoint": ["gs-sm", "construct"],
                             "ContainerArguments": list(arguments)},
        "ProcessingInputs": [{"InputName": "input", "S3Input": {
            "S3Uri": input_s3, "LocalPath": PROCESSING_INPUT, "S3DataType": "S3Prefix", "S3InputMode": "File",
            "S3DataDistributionType": "FullyReplicated"}}],
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "graph", "S3Output": {
            "S3Uri": output_s3, "LocalPath": PROCESSING_OUTPUT, "S3UploadMode": "EndOfJob"}}]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": instance_count, "InstanceType": instance_type,
                                                  "VolumeSizeInGB": volume_gb}},
        "StoppingCondition": {"MaxRuntimeInSeconds": max_runtime_s},
        "Tags": [{"Key": "GraphStorm", "Value": "graphstorm_py"}, {"Key": "GraphStorm_Task", "Value": "Processing"}],
    }


def _common(problems: List[str], name: str, role: str, image: str, instance_type: str, count: int,
            max_count: int, runtime: int, volume: int) -> None:
    if not JOB_NAME_RE.match(name or ""):
        problems.append(f"job name {name!r}: 1-63 letters, digits or '-', starting and ending with a letter or digit")
    if not ROLE_RE.match(role or "") or not 20 <= len(role or "") <= 2048:
        problems.append(f"--role {role!r}: an IAM role ARN, arn:aws:iam::<12 digits>:role/NAME")
    if not image or len(image) > 255 or any(c.isspace() for c in image):
        problems.append(f"--image-url {image!r}: an image URI of at most 255 characters without spaces")
    if instance_type != "local" and not INSTANCE_RE.match(instance_type or ""):
        problems.append(f"--instance-type {instance_type!r}: an instance type like ml.m5.xlarge, or 'local'")
    if not 1 <= count <= max_count:
        problems.append(f"--instance-count {count}: between 1 and {max_count}")
    if not 1 <= runtime <= MAX_RUNTIME_S:
        problems.append(f"max runtime {runtime}s: between 1 and {MAX_RUNTIME_S} (28 days)")
    if not 1 <= volume <= 16384:
        problems.append(f"volume size {volume} GB: between 1 and 16384")


def _s3(problems: List[str], flag: str, uri: Optional[str]) -> None:
    if uri is not None and (not S3_RE.match(uri) or len(uri) > 1024):
        problems.append(f"{flag} {uri!r}: an s3:// URI of at most 1024 characters")


def _raise(problems: List[str], what: str) -> None:
    if problems:
        raise ConfigError(f"invalid {what} request:\n  " + "\n  ".join(problems))


def validate_training(req: dict, flags: Dict[str, str]) -> None:
    """``flags``: request field -> the launcher flag that set it, for messages."""
    problems: List[str] = []
    res = req["ResourceConfig"]
    _common(problems, req["TrainingJobName"], req["RoleArn"], req["AlgorithmSpecification"]["TrainingImage"],
            res["InstanceType"], res["InstanceCount"], 100, req["StoppingCondition"]["MaxRuntimeInSeconds"],
            res["VolumeSizeInGB"])
    hp = req["HyperParameters"]
    if len(hp) > 100:
        problems.append(f"{len(hp)} hyperparameters: at most 100")
    for key, value in hp.items():
        if not 1 <= len(key) <= 256:
            problems.append(f"hyperparameter name {key[:40]!r}...: 1-256 characters")
        if len(value) > 2500:
            problems.append(f"hyperparameter {key!r}: value of {len(value)} characters, at most 2500")
    for ch in req["InputDataConfig"]:
        _s3(problems, flags.get(ch["ChannelName"], f"channel {ch['ChannelName']}"),
            ch["DataSource"]["S3DataSource"]["S3Uri"])
    _s3(problems, flags.get("output", "output path"), req["OutputDataConfig"]["S3OutputPath"])
    _raise(problems, "CreateTrainingJob")


def validate_processing(req: dict, flags: Dict[str, str]) -> None:
    problems: List[str] = []
    cluster = req["ProcessingResources"]["ClusterConfig"]
    _common(problems, req["ProcessingJobName"], req["RoleArn"], req["AppSpecification"]["ImageUri"],
            cluster["InstanceType"], cluster["InstanceCount"], 100, req["StoppingCondition"]["MaxRuntimeInSeconds"],
            cluster["VolumeSizeInGB"])
    args = req["AppSpecification"]["ContainerArguments"]
    if len(args) > 100:
        problems.append(f"{len(args)} container arguments: at most 100")
    for a in args:
        if len(a) > 256:
            problems.append(f"container argument {a[:40]!r}...: at most 256 characters")
    _s3(problems, flags.get("input", "input"), req["ProcessingInputs"][0]["S3Input"]["S3Uri"])
    _s3(problems, flags.get("output", "output"), req["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"])
    _raise(problems, "CreateProcessingJob")
