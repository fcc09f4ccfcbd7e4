"""Launchers against moto's server: the exact requests sent, a Describe to completion, pre-validation errors."""

import json

import pytest

from graphstorm_py.deploy.sagemaker import launch_common, launch_gconstruct, launch_infer, launch_train
from graphstorm_py.errors import ConfigError

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/graphstorm-py:cpu"
COMMON = ["--image-url", IMAGE, "--role", ROLE, "--region", "us-east-1", "--instance-type", "ml.m5.xlarge"]


@pytest.fixture
def sent(s3_server, monkeypatch):
    """Every Create* call's parameters, as botocore sends them to moto."""
    import boto3

    calls = []
    real = launch_common._client

    def client(region):
        c = real(region)
        c.meta.events.register("provide-client-params.sagemaker.*", lambda model, params, **kw: calls.append(
            (model.name, dict(params))) if model.name.startswith("Create") else None)
        return c

    monkeypatch.setattr(launch_common, "_client", client)
    return calls


def _run(mod, argv, capsys):
    with pytest.raises(SystemExit) as exc:
        mod.main(argv)
    out = capsys.readouterr()
    return exc.value.code, out


def test_train_request_and_describe(sent, capsys):
    code, out = _run(launch_train, ["--graph-data-s3", "s3://b/graph", "--yaml-s3", "s3://b/conf/ml_nc.yaml",
                                    "--model-artifact-s3", "s3://b/model", "--graph-name", "ml",
                                    "--task-type", "node_classification", "--instance-count", "2",
                                    "--task-name", "gs-train-ml-1", "--num-epochs", "1", "--fanout", "10", "5",
                                    "--sm-estimator-parameters", "volume_size=50 max_run=3600"] + COMMON, capsys)
    assert code == 0, out.err
    (op, params), = sent
    assert op == "CreateTrainingJob"
    assert params["TrainingJobName"] == "gs-train-ml-1"
    assert params["AlgorithmSpecification"] == {"TrainingImage": IMAGE, "TrainingInputMode": "File",
                                                 "ContainerEntrypoint": ["gs-sm", "train"]}
    assert params["HyperParameters"] == {"graph-name": "ml", "model-artifact-s3": "s3://b/model",
                                         "task-type": "node_classification", "num-epochs": "1", "fanout": "10 5"}
    assert {c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"] for c in params["InputDataConfig"]} == {
        "graph": "s3://b/graph", "config": "s3://b/conf/ml_nc.yaml"}
    assert params["OutputDataConfig"] == {"S3OutputPath": "s3://b/model"}
    assert params["ResourceConfig"] == {"InstanceType": "ml.m5.xlarge", "InstanceCount": 2, "VolumeSizeInGB": 50}
    assert params["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600}
    described = json.loads(out.out.strip().splitlines()[-1])
    assert described["TrainingJobStatus"] == "Completed"
    assert described["HyperParameters"] == params["HyperParameters"]


def test_infer_request(sent, capsys):
    code, out = _run(launch_infer, ["--graph-data-s3", "s3://b/graph", "--yaml-s3", "s3://b/conf/ml_nc.yaml",
                                    "--model-artifact-s3", "s3://b/model", "--graph-name", "ml",
                                    "--output-emb-s3", "s3://b/out/emb", "--output-prediction-s3", "s3://b/out/pred",
                                    "--model-sub-path", "epoch-0", "--task-name", "gs-infer-ml-1"] + COMMON, capsys)
    assert code == 0, out.err
    (op, params), = sent
    assert params["AlgorithmSpecification"]["ContainerEntrypoint"] == ["gs-sm", "infer"]
    assert params["HyperParameters"] == {"graph-name": "ml", "output-emb-s3": "s3://b/out/emb",
                                         "output-prediction-s3": "s3://b/out/pred", "model-sub-path": "epoch-0"}
    assert [c["ChannelName"] for c in params["InputDataConfig"]] == ["graph", "config", "model"]
    assert params["OutputDataConfig"] == {"S3OutputPath": "s3://b/out/sagemaker-output"}


def test_gconstruct_request(sent, capsys):
    code, out = _run(launch_gconstruct, ["--graph-data-s3", "s3://b/tables", "--output-graph-s3", "s3://b/graph",
                                         "--graph-name", "ml", "--graph-config-file", "ml_construct.json",
                                         "--task-name", "gs-gc-1", "--num-parts", "2", "--add-reverse-edges"]
                     + COMMON, capsys)
    assert code == 0, out.err
    (op, params), = sent
    assert op == "CreateProcessingJob"
    assert params["AppSpecification"] == {"ImageUri": IMAGE, "ContainerEntrypoint": ["gs-sm", "construct"],
                                          "ContainerArguments": ["--graph-config-file", "ml_construct.json",
                                                                 "--graph-name", "ml", "--num-parts", "2",
                                                                 "--add-reverse-edges"]}
    assert params["ProcessingInputs"][0]["S3Input"]["S3Uri"] == "s3://b/tables"
    assert params["ProcessingInputs"][0]["S3Input"]["LocalPath"] == "/opt/ml/processing/input"
    assert params["ProcessingOutputConfig"]["Outputs"][0]["S3Output"] == {
        "S3Uri": "s3://b/graph", "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}
    assert json.loads(out.out.strip().splitlines()[-1])["ProcessingJobStatus"] == "Completed"


@pytest.mark.parametrize("extra, needle", [
    (["--task-name", "bad_name"], "job name 'bad_name': 1-63 letters"),
    (["--task-name", "x" * 64], "1-63 letters"),
    (["--role", "my-role"], "--role 'my-role': an IAM role ARN"),
    (["--instance-type", "m5.xlarge"], "--instance-type 'm5.xlarge'"),
    (["--instance-count", "0"], "--instance-count 0: between 1 and 100"),
    (["--yaml-s3", "/local/ml.yaml"], "--yaml-s3 '/local/ml.yaml': an s3:// URI"),
    (["--sm-estimator-parameters", "max_run=99999999"], "max runtime 99999999s"),
    (["--sm-estimator-parameters", "volume_sise=5"], "'volume_sise' is not supported; supported: ['max_run', "
                                                     "'volume_size']; did you mean 'volume_size'?"),
    (["--label-field", "x" * 2501], "hyperparameter 'label-field': value of 2501 characters, at most 2500"),
    (["--custom-script", "x.py"], "--custom-script is not supported"),
])
def test_train_validation(sent, capsys, extra, needle):
    argv = ["--graph-data-s3", "s3://b/g", "--yaml-s3", "s3://b/c.yaml", "--model-artifact-s3", "s3://b/m",
            "--graph-name", "ml"] + COMMON + extra
    code, out = _run(launch_train, argv, capsys)
    assert code == 2 and needle in out.err and "Traceback" not in out.err
    assert sent == []            # nothing reached AWS


def test_processing_validation_lists_every_problem():
    with pytest.raises(ConfigError) as exc:
        launch_gconstruct.build(["--graph-data-s3", "tables", "--output-graph-s3", "s3://b/g", "--graph-name", "g",
                                 "--graph-config-file", "c.json", "--image-url", "a b", "--role", ROLE,
                                 "--arg", "y" * 300])
    text = str(exc.value)
    assert "--graph-data-s3 'tables'" in text and "--image-url 'a b'" in text and "at most 256 characters" in text


def test_unknown_to_hyperparameters():
    f = launch_common.unknown_to_hyperparameters
    assert f(["--a", "1", "--b", "x", "y", "--c", "--d=4"]) == {"a": "1", "b": "x y", "c": "", "d": "4"}
    with pytest.raises(ConfigError, match="unexpected argument 'x'"):
        f(["x"])
