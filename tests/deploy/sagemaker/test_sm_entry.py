"""gs-sm's side of the container contract, with the stage command captured: argv, SM_* and torchrun variables,
channels, failure files."""

import json
import os
import subprocess

import pytest

from deploy_helpers import BIN
from graphstorm_py.deploy.sagemaker import entry


def _base(tmp_path, hp, hosts=("algo-1",), current="algo-1", channels=("graph", "config")):
    base = tmp_path / "opt-ml"
    conf = base / "input" / "config"
    conf.mkdir(parents=True)
    (conf / "hyperparameters.json").write_text(json.dumps(hp))
    (conf / "resourceconfig.json").write_text(json.dumps({"current_host": current, "hosts": list(hosts)}))
    (conf / "inputdataconfig.json").write_text(json.dumps({c: {"TrainingInputMode": "File"} for c in channels}))
    for c in channels:
        (base / "input" / "data" / c).mkdir(parents=True)
    if "config" in channels:
        (base / "input" / "data" / "config" / "ml_nc.yaml").write_text("version: 1.0\n")
    return base


@pytest.fixture
def captured(monkeypatch):
    calls = []
    monkeypatch.setattr(entry, "_run", lambda argv, env: calls.append((argv, env)) or 0)
    return calls


def _main(base, monkeypatch, *argv):
    monkeypatch.setenv("GS_SM_BASE_DIR", str(base))
    for key in ("GS_SM_MASTER_ADDR", "GS_SM_MASTER_PORT"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(SystemExit) as exc:
        entry.main(list(argv))
    return exc.value.code


def test_train_second_of_two_hosts(tmp_path, monkeypatch, captured):
    hp = {"task-type": "node_classification", "graph-name": "ml", "num-epochs": "1", "fanout": "10 5", "quiet": ""}
    base = _base(tmp_path, hp, hosts=("algo-1", "algo-2"), current="algo-2", channels=("graph", "config", "model"))
    model = base / "input" / "data" / "model"
    (model / "results.json").write_text(json.dumps({"best_checkpoint": "/elsewhere/models/epoch-0"}))
    assert _main(base, monkeypatch, "train") == 0
    (argv, env), = captured
    assert [os.path.basename(argv[0])] + argv[1:] == [
        "gs-train", "--cf", str(base / "input/data/config/ml_nc.yaml"), "--part-config", str(base / "input/data/graph"),
        "--save-model-path", str(base / "model"), "--restore-model-path", str(model / "epoch-0"),
        "--num-epochs", "1", "--fanout", "10", "5", "--quiet"]
    assert {k: env[k] for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "LOCAL_RANK")} == {
        "RANK": "1", "WORLD_SIZE": "2", "MASTER_ADDR": "algo-1", "MASTER_PORT": "29500", "LOCAL_RANK": "0"}
    assert json.loads(env["SM_HOSTS"]) == ["algo-1", "algo-2"] and env["SM_CURRENT_HOST"] == "algo-2"
    assert env["SM_CHANNEL_GRAPH"] == str(base / "input/data/graph") and env["SM_MODEL_DIR"] == str(base / "model")
    assert env["SM_NUM_GPUS"] == "0"


def test_single_host_has_no_torchrun_variables(tmp_path, monkeypatch, captured):
    assert _main(_base(tmp_path, {}), monkeypatch, "train") == 0
    (argv, env), = captured
    assert "RANK" not in env and "--restore-model-path" not in argv


def test_infer_outputs_and_model_sub_path(tmp_path, monkeypatch, captured):
    hp = {"output-emb-s3": "s3://b/emb", "model-sub-path": "epoch-3"}
    base = _base(tmp_path, hp, channels=("graph", "config", "model"))
    assert _main(base, monkeypatch, "infer") == 0
    (argv, env), = captured
    assert argv[argv.index("--restore-model-path") + 1] == str(base / "input/data/model/epoch-3")
    assert argv[argv.index("--save-embed-path") + 1] == "s3://b/emb"
    assert argv[argv.index("--save-prediction-path") + 1] == str(base / "model" / "predictions")


@pytest.mark.parametrize("kind, channels, hp, needle", [
    ("train", ("graph",), {}, "no training YAML: give channel 'config' or hyperparameter 'train-yaml-s3'"),
    ("train", ("config",), {}, "no graph: give channel 'graph' or hyperparameter 'graph-data-s3'"),
    ("infer", ("graph", "config"), {}, "no model: give channel 'model'"),
    ("train", ("graph", "config"), {"custom-script": "x.py"}, "'custom-script' is not supported"),
])
def test_failures_write_the_reason(tmp_path, monkeypatch, captured, kind, channels, hp, needle):
    base = _base(tmp_path, hp, channels=channels)
    assert _main(base, monkeypatch, kind) == 2
    assert needle in (base / "output" / "failure").read_text()
    assert captured == []


def test_two_yaml_files_in_config(tmp_path, monkeypatch, captured):
    base = _base(tmp_path, {})
    (base / "input" / "data" / "config" / "other.yml").write_text("")
    assert _main(base, monkeypatch, "train") == 2
    assert "must hold exactly one .yaml file, found 2" in (base / "output" / "failure").read_text()


def test_command_failure_reason_is_capped(tmp_path, monkeypatch):
    def fail(argv, env):
        raise entry._CommandFailed(3, "gs-train exited with 3: error: " + "x" * 5000)

    monkeypatch.setattr(entry, "_run", fail)
    base = _base(tmp_path, {})
    assert _main(base, monkeypatch, "train") == 3
    text = (base / "output" / "failure").read_bytes()
    assert len(text) == 1024 and text.startswith(b"gs-train exited with 3: error:")


def test_construct(tmp_path, monkeypatch, captured):
    base = tmp_path / "opt-ml"
    (base / "processing" / "input").mkdir(parents=True)
    (base / "processing" / "input" / "c.json").write_text("{}")
    assert _main(base, monkeypatch, "construct", "--graph-name", "ml", "--num-parts", "2") == 0
    (argv, _), = captured
    assert [os.path.basename(argv[0])] + argv[1:] == [
        "gs-construct", "--conf-file", str(base / "processing/input/c.json"), "--output-dir",
        str(base / "processing/output"), "--graph-name", "ml", "--num-parts", "2"]


def test_construct_failure_writes_message(tmp_path, monkeypatch):
    base = tmp_path / "opt-ml"
    (base / "processing" / "input").mkdir(parents=True)
    assert _main(base, monkeypatch, "construct") == 2
    assert "give --graph-config-file" in (base / "output" / "message").read_text()


def test_usage_and_passthrough():
    proc = subprocess.run([os.path.join(BIN, "gs-sm"), "fit"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "usage: gs-sm {construct,train,infer}" in proc.stderr
    proc = subprocess.run([os.path.join(BIN, "gs-sm"), "gs-train", "--help"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and "usage: gs-train" in proc.stdout


def test_construct_config_outside_the_input_is_rebased(tmp_path, monkeypatch, captured):
    base = tmp_path / "opt-ml"
    (base / "processing" / "input").mkdir(parents=True)
    (base / "processing" / "config").mkdir(parents=True)
    (base / "processing" / "config" / "c.json").write_text(json.dumps({"nodes": [{"files": "a.parquet"}]}))
    assert _main(base, monkeypatch, "construct", "--graph-config-path", "/opt/ml/processing/config/c.json") == 0
    (argv, _), = captured
    conf = json.loads(open(argv[argv.index("--conf-file") + 1]).read())
    assert conf["nodes"][0]["files"] == str(base / "processing" / "input" / "a.parquet")
