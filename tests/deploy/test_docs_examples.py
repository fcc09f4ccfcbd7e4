"""docs/deploy.md: every example is run here or in a sibling module in its local form.

job.yaml + local commands: test_submit_local.py; Ray and KubeRay: test_submit_ray.py; SageMaker launchers:
sagemaker/test_sm_local.py. Here: the job spec is valid, the SageMaker Pipeline example (moto for the aws CLI
line) and the Docker example (each ``docker run`` line's command through gs-sm, the image's entry point).
"""

import json
import os

from deploy_helpers import DOCS, DOCS_BUCKET, docs_block, docs_commands, docs_job, run_argv

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"


def test_every_target_has_a_section_and_an_example():
    text = open(DOCS).read()
    for title in ("## Ray cluster", "## KubeRay", "## SageMaker", "## Docker"):
        assert title in text
    for name in ("job.yaml", "local", "ray", "kuberay", "sagemaker", "sagemaker-pipeline", "docker"):
        assert docs_block(name).strip()


def test_job_yaml_is_valid(tmp_path, s3_server):
    docs_job(tmp_path, "s3://b")
    plan = json.loads(run_argv(["gs-submit", "run", "job.yaml", "--dry-run"], cwd=tmp_path).stdout)
    assert [s["name"] for s in plan["stages"]] == ["construct", "train", "infer"]
    assert plan["stages"][0]["command"][:3] == ["gs-construct", "--conf-file",
                                                str(tmp_path / "examples/movielens/ml_construct.json")]


def test_sagemaker_pipeline_example(tmp_path, s3_server):
    import boto3

    docs_job(tmp_path, "s3://gs-docs")
    render, create = docs_commands("sagemaker-pipeline", {DOCS_BUCKET: "s3://gs-docs"})
    proc = run_argv(render, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    definition = (tmp_path / "pipeline.json").read_text()
    assert [s["Type"] for s in json.loads(definition)["Steps"]] == ["Processing", "Training", "Training"]
    # the aws CLI line, through boto3 against moto
    assert create[:3] == ["aws", "sagemaker", "create-pipeline"]
    opts = dict(zip(create[3::2], create[4::2]))
    sm = boto3.client("sagemaker")
    sm.create_pipeline(PipelineName=opts["--pipeline-name"], RoleArn=opts["--role-arn"],
                       PipelineDefinition=(tmp_path / opts["--pipeline-definition"][len("file://"):]).read_text())
    described = sm.describe_pipeline(PipelineName="movielens-nc")
    assert json.loads(described["PipelineDefinition"]) == json.loads(definition)
    assert DOCS_BUCKET not in definition


def test_docker_example_through_the_entry_point(tmp_path):
    docs_job(tmp_path, "s3://b")
    runs = [argv for argv in docs_commands("docker") if argv[:2] == ["docker", "run"]]
    assert len(runs) == 2
    for argv in runs:
        image = next(i for i, a in enumerate(argv) if a.startswith("graphstorm-py:"))
        proc = run_argv(["gs-sm"] + argv[image + 1:], cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    assert os.path.exists(tmp_path / "job.yaml")


def test_dry_run_without_credentials_says_so(tmp_path):
    docs_job(tmp_path, "s3://b")
    env = {k: "" for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    proc = run_argv(["gs-submit", "run", "job.yaml", "--dry-run"], cwd=tmp_path,
                    env={**env, "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_SHARED_CREDENTIALS_FILE": "/none",
                         "AWS_CONFIG_FILE": "/none", "AWS_EC2_METADATA_DISABLED": "true"})
    assert proc.returncode == 0, proc.stderr
    action = json.loads(proc.stdout)["stages"][0]["action"]
    assert action.startswith("run (outputs not checked: stage construct: cannot read s3://b/")
