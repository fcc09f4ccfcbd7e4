"""``--instance-type local``: run a training or processing request's container side on this machine.

No Docker: each host gets a temporary ``/opt/ml`` tree (``<tmp>/algo-N``) with the config files
SageMaker would write, the channels downloaded from S3, and one ``gs-sm`` process started with
``GS_SM_BASE_DIR`` pointing at it. Hosts of one job talk over loopback (``GS_SM_MASTER_ADDR=127.0.0.1``
and a free ``GS_SM_MASTER_PORT``). What comes back is shaped like a Describe*Job answer.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
from typing import Dict, List

from graphstorm_py import io
from graphstorm_py.deploy.commands import exe
from graphstorm_py.deploy.sagemaker.contract import Layout
from graphstorm_py.errors import DataError

__all__ = ["run_training_locally", "run_processing_locally"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _download(uri: str, dest: str) -> None:
    os.makedirs(dest, exist_ok=True)
    fs, path = io.get_fs(uri)
    fs.invalidate_cache()
    if fs.isdir(path):
        fs.get(path.rstrip("/") + "/", dest.rstrip("/") + "/", recursive=True)
    elif fs.exists(path):
        fs.get(path, os.path.join(dest, os.path.basename(path)))
    else:
        raise FileNotFoundError(f"{uri} does not exist")


def _upload(src: str, uri: str) -> None:
    fs, path = io.get_fs(uri)
    fs.put(src.rstrip("/") + "/", path.rstrip("/") + "/", recursive=True)
    fs.invalidate_cache()


def _write_json(path: str, obj) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        json.dump(obj, fh)


def _run_hosts(root: str, hosts: List[str], argv: List[str], env_of, timeout: float) -> Dict[str, int]:
    procs = {}
    for host in hosts:
        log = open(os.path.join(root, f"{host}.log"), "w")
        procs[host] = (subprocess.Popen(argv, env=env_of(host), stdout=log, stderr=subprocess.STDOUT), log)
    deadline = time.monotonic() + timeout
    codes: Dict[str, int] = {}
    for host, (proc, log) in procs.items():
        try:
            codes[host] = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            codes[host] = proc.wait()
        log.close()
    for host in hosts:
        with open(os.path.join(root, f"{host}.log")) as fh:
            print(f"---- {host} ----\n{fh.read()}", end="", flush=True)
    return codes


def _failure(root: str, codes: Dict[str, int], name: str) -> str:
    for host, code in codes.items():
        if code != 0:
            path = os.path.join(root, host, "output", name)
            why = open(path).read() if os.path.exists(path) else f"exit code {code}"
            return f"{host}: {why}"
    return ""


def run_training_locally(req: dict) -> dict:
    kind = req["AlgorithmSpecification"]["ContainerEntrypoint"][1]
    count = req["ResourceConfig"]["InstanceCount"]
    hosts = [f"algo-{i + 1}" for i in range(count)]
    root = tempfile.mkdtemp(prefix="gs-sm-local-")
    port = str(_free_port())
    try:
        for host in hosts:
            base = os.path.join(root, host)
            conf = os.path.join(base, "input", "config")
            _write_json(os.path.join(conf, "hyperparameters.json"), req["HyperParameters"])
            _write_json(os.path.join(conf, "resourceconfig.json"),
                        {"current_host": host, "hosts": hosts, "network_interface_name": "lo"})
            _write_json(os.path.join(conf, "inputdataconfig.json"),
                        {c["ChannelName"]: {"TrainingInputMode": "File", "S3DistributionType": "FullyReplicated"}
                         for c in req["InputDataConfig"]})
            for ch in req["InputDataConfig"]:
                _download(ch["DataSource"]["S3DataSource"]["S3Uri"],
                          os.path.join(base, "input", "data", ch["ChannelName"]))

        def env_of(host):
            return {**os.environ, "GS_SM_BASE_DIR": os.path.join(root, host), "GS_SM_MASTER_ADDR": "127.0.0.1",
                    "GS_SM_MASTER_PORT": port}

        codes = _run_hosts(root, hosts, [exe("gs-sm"), kind], env_of,
                           req["StoppingCondition"]["MaxRuntimeInSeconds"])
        out = {"TrainingJobName": req["TrainingJobName"], "HostExitCodes": codes}
        if any(codes.values()):
            return {**out, "TrainingJobStatus": "Failed", "FailureReason": _failure(root, codes, "failure")}
        artifact = io.join(req["OutputDataConfig"]["S3OutputPath"], req["TrainingJobName"], "output",
                           "model.tar.gz")
        tar = os.path.join(root, "model.tar.gz")
        _tar_model_dirs(tar, [os.path.join(root, h, "model") for h in hosts])
        fs, path = io.get_fs(artifact)
        fs.put(tar, path)
        return {**out, "TrainingJobStatus": "Completed", "ModelArtifacts": {"S3ModelArtifacts": artifact}}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _tar_model_dirs(tar: str, dirs: List[str]) -> None:
    """SageMaker's model artifact: every host's ``/opt/ml/model`` in one archive (names must not clash:
    a distributed run's hosts write their own shards; a name two hosts wrote is a DataError)."""
    seen: Dict[str, str] = {}
    with tarfile.open(tar, "w:gz") as tf:
        for d in dirs:
            for base, _, files in os.walk(d):
                for name in sorted(files):
                    full = os.path.join(base, name)
                    rel = os.path.relpath(full, d)
                    if rel in seen:
                        raise DataError(f"model artifact: {rel} was written by two hosts ({seen[rel]} and {d}); "
                                        "hosts must write distinct files under /opt/ml/model")
                    seen[rel] = d
                    tf.add(full, arcname=rel)


def run_processing_locally(req: dict) -> dict:
    app = req["AppSpecification"]
    count = req["ProcessingResources"]["ClusterConfig"]["InstanceCount"]
    hosts = [f"algo-{i + 1}" for i in range(count)]
    root = tempfile.mkdtemp(prefix="gs-sm-local-")
    try:
        for host in hosts:
            base = os.path.join(root, host)
            _write_json(os.path.join(base, "config", "processingjobconfig.json"), req)
            _write_json(os.path.join(base, "config", "resourceconfig.json"), {"current_host": host, "hosts": hosts})
            for inp in req["ProcessingInputs"]:
                _download(inp["S3Input"]["S3Uri"], Layout(base).map(inp["S3Input"]["LocalPath"]))
            os.makedirs(os.path.join(base, "processing", "output"), exist_ok=True)
        argv = [exe(app["ContainerEntrypoint"][0])] + app["ContainerEntrypoint"][1:] + app["ContainerArguments"]
        codes = _run_hosts(root, hosts, argv, lambda h: {**os.environ, "GS_SM_BASE_DIR": os.path.join(root, h)},
                           req["StoppingCondition"]["MaxRuntimeInSeconds"])
        out = {"ProcessingJobName": req["ProcessingJobName"], "HostExitCodes": codes}
        if any(codes.values()):
            return {**out, "ProcessingJobStatus": "Failed", "FailureReason": _failure(root, codes, "message")}
        for o in req["ProcessingOutputConfig"]["Outputs"]:
            _upload(Layout(os.path.join(root, hosts[0])).map(o["S3Output"]["LocalPath"]), o["S3Output"]["S3Uri"])
        return {**out, "ProcessingJobStatus": "Completed"}
    finally:
        shutil.rmtree(root, ignore_errors=True)
