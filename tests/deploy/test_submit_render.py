"""render --export kuberay (a RayJob running the same entry point) and sagemaker-pipeline (moto round trip)."""

import json

import pytest
import yaml

from deploy_helpers import cli, ml_job, write_spec
from graphstorm_py.deploy.plan import Plan

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"


def _s3_spec(tmp_path):
    doc = ml_job("ml-render", "s3://bkt/jobs", "s3://bkt/tables")
    for st in doc["stages"]:
        st["inputs"]["config"] = "s3://bkt/conf/" + st["inputs"]["config"].rsplit("/", 1)[1]
    doc["stages"][1]["resources"] = {"workers": 2, "cpus": 4, "gpus": 1, "memory": "8GiB"}
    return write_spec(tmp_path / "job.yaml", doc)


def test_kuberay(tmp_path):
    proc = cli("gs-submit", "render", _s3_spec(tmp_path), "--export", "kuberay", "--image", "repo/gs:1")
    assert proc.returncode == 0, proc.stderr
    doc = yaml.safe_load(proc.stdout)
    assert doc["apiVersion"] == "ray.io/v1" and doc["kind"] == "RayJob"
    assert doc["metadata"]["name"] == "ml-render" and doc["spec"]["entrypoint"] == "gs-submit exec"
    env = yaml.safe_load(doc["spec"]["runtimeEnvYAML"])["env_vars"]
    plan = Plan.from_json(env["GS_SUBMIT_PLAN"])
    assert [s.name for s in plan.stages] == ["construct", "train", "infer"] and env["OMP_NUM_THREADS"] == "1"
    workers = doc["spec"]["rayClusterSpec"]["workerGroupSpecs"][0]
    assert workers["replicas"] == 2
    container = workers["template"]["spec"]["containers"][0]
    assert container["image"] == "repo/gs:1"
    assert container["resources"]["limits"] == {"cpu": "4", "nvidia.com/gpu": "1", "memory": "8Gi"}


def test_sagemaker_pipeline_round_trip(tmp_path, s3_server):
    import boto3

    out = tmp_path / "pipeline.json"
    proc = cli("gs-submit", "render", _s3_spec(tmp_path), "--export", "sagemaker-pipeline", "--role", ROLE,
               "--image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/gs:1", "--output", out)
    assert proc.returncode == 0, proc.stderr
    definition = json.loads(out.read_text())
    steps = definition["Steps"]
    assert [(s["Name"], s["Type"], s.get("DependsOn")) for s in steps] == [
        ("construct", "Processing", None), ("train", "Training", ["construct"]),
        ("infer", "Training", ["construct", "train"])]
    construct = steps[0]["Arguments"]
    assert construct["AppSpecification"]["ContainerEntrypoint"] == ["gs-sm", "construct"]
    assert construct["AppSpecification"]["ContainerArguments"][:4] == [
        "--graph-config-path", "/opt/ml/processing/config/ml_construct.json", "--graph-name", "ml"]
    assert [i["S3Input"]["S3Uri"] for i in construct["ProcessingInputs"]] == ["s3://bkt/tables",
                                                                            "s3://bkt/conf/ml_construct.json"]
    graph = construct["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    train = steps[1]["Arguments"]
    assert train["AlgorithmSpecification"]["ContainerEntrypoint"] == ["gs-sm", "train"]
    assert train["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == graph
    assert train["HyperParameters"]["num-epochs"] == "1" and train["HyperParameters"]["quiet"] == ""
    assert train["ResourceConfig"]["InstanceCount"] == 2
    infer = steps[2]["Arguments"]
    assert infer["AlgorithmSpecification"]["ContainerEntrypoint"] == ["gs-sm", "infer"]
    assert infer["HyperParameters"]["output-emb-s3"].endswith("/infer/embeddings")

    sm = boto3.client("sagemaker")
    sm.create_pipeline(PipelineName="ml-render", PipelineDefinition=out.read_text(), RoleArn=ROLE)
    described = sm.describe_pipeline(PipelineName="ml-render")
    assert json.loads(described["PipelineDefinition"]) == definition


@pytest.mark.parametrize("extra, needle", [
    ([], "needs --role"),
    (["--role", ROLE, "--set", "output_prefix=/local/out"], "a SageMaker pipeline reads and writes S3 only"),
    (["--role", ROLE, "--set", "stages.train.resources.workers=200"], "--instance-count 200: between 1 and 100"),
])
def test_sagemaker_pipeline_errors(tmp_path, extra, needle):
    proc = cli("gs-submit", "render", _s3_spec(tmp_path), "--export", "sagemaker-pipeline", *extra)
    assert proc.returncode == 2 and needle in proc.stderr, proc.stderr
