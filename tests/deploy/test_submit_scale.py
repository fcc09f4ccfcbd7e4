"""``resources.workers`` spreads a stage: --num-trainers / --num-processes locally, Ray Train / Ray Data on Ray."""

import pytest

from graphstorm_py.deploy.commands import stage_argv
from graphstorm_py.deploy.plan import make_plan
from graphstorm_py.deploy.spec import parse_spec

C = {"name": "construct", "kind": "construct", "inputs": {"config": "/c.json"}}
T = {"name": "train", "kind": "train", "inputs": {"config": "/t.yaml", "graph": "${construct.outputs.graph}"}}
I = {"name": "infer", "kind": "infer", "inputs": {"config": "/t.yaml", "graph": "${construct.outputs.graph}",
                                                  "model": "${train.outputs.model}"}}


def _argv(stage: dict, backend: str, name: str = None):
    plan = make_plan(parse_spec({"name": "job", "output_prefix": "/out", "stages": [C, T, I] if name else [stage]}))
    plan.backend = backend
    return stage_argv(plan.stage(name or stage["name"]), plan.graph_name, resolve=False, backend=backend)


def _flag(argv, flag):
    return argv[argv.index(flag) + 1] if flag in argv else None


def test_one_worker_adds_nothing():
    for backend in ("local", "ray"):
        for stage in (C,):
            argv = _argv(stage, backend)
            assert not {"--num-processes", "--engine", "--ray-address", "--num-trainers"} & set(argv)
        argv = _argv(None, backend, name="train")
        assert "--num-trainers" not in argv and "--ray-address" not in argv


@pytest.mark.parametrize("kind_stage", [T, I])
def test_train_and_infer_workers(kind_stage, monkeypatch):
    spec_stages = [C, T, I]
    idx = [s["name"] for s in spec_stages].index(kind_stage["name"])
    spec_stages[idx] = {**kind_stage, "resources": {"workers": 4, "cpus": 2}}
    plan = make_plan(parse_spec({"name": "job", "output_prefix": "/out", "stages": spec_stages}))
    stage = plan.stage(kind_stage["name"])
    local = stage_argv(stage, "g", resolve=False, backend="local")
    assert _flag(local, "--num-trainers") == "4" and "--ray-address" not in local
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.1:6379")     # what Ray sets for a job's driver
    ray = stage_argv(stage, "g", resolve=False, backend="ray")
    assert _flag(ray, "--num-trainers") == "4"
    assert _flag(ray, "--ray-address") == "10.0.0.1:6379" and _flag(ray, "--ray-worker-cpus") == "2"
    assert "--ray-worker-gpus" not in ray
    monkeypatch.delenv("RAY_ADDRESS")
    assert _flag(stage_argv(stage, "g", resolve=False, backend="ray"), "--ray-address") == "auto"


def test_construct_workers():
    stage = {**C, "resources": {"workers": 3}}
    local = _argv(stage, "local")
    assert _flag(local, "--num-processes") == "3" and "--engine" not in local
    ray = _argv(stage, "ray")
    assert _flag(ray, "--engine") == "ray" and "--ray-address" in ray and "--num-processes" not in ray


def test_args_given_by_the_stage_win():
    t = {**T, "resources": {"workers": 2, "gpus": 1}, "args": {"num-trainers": 8, "ray-address": "h:1"}}
    plan = make_plan(parse_spec({"name": "job", "output_prefix": "/out", "stages": [C, t]}))
    argv = stage_argv(plan.stage("train"), "g", resolve=False, backend="ray")
    assert argv.count("--num-trainers") == 1 and _flag(argv, "--num-trainers") == "8"
    assert argv.count("--ray-address") == 1 and "--ray-worker-gpus" not in argv
    c = {**C, "resources": {"workers": 2}, "args": {"engine": "local", "num-processes": 1}}
    assert _flag(_argv(c, "ray"), "--engine") == "local"
    assert _flag(_argv(c, "local"), "--num-processes") == "1"


def test_gpus_per_worker_reach_ray_train():
    t = {**T, "resources": {"workers": 2, "gpus": 1}}
    plan = make_plan(parse_spec({"name": "job", "output_prefix": "/out", "stages": [C, t]}))
    argv = stage_argv(plan.stage("train"), "g", resolve=False, backend="ray")
    assert _flag(argv, "--ray-worker-gpus") == "1"


def test_dry_run_shows_the_backend_flags(tmp_path):
    import json
    import subprocess
    import sys

    import yaml

    spec = {"name": "job", "output_prefix": str(tmp_path / "out"),
            "stages": [{**C, "resources": {"workers": 2}}, {**T, "resources": {"workers": 2}}]}
    path = tmp_path / "job.yaml"
    path.write_text(yaml.safe_dump(spec))
    for backend, want in (("local", ["--num-processes", "--num-trainers"]), ("ray", ["--engine", "--ray-address"])):
        out = subprocess.run([sys.executable, "-m", "graphstorm_py.deploy.submit_cli", "run", str(path), "--dry-run",
                              "--backend", backend], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        cmds = [" ".join(s["command"]) for s in json.loads(out.stdout)["stages"]]
        assert want[0] in cmds[0] and want[1] in cmds[1]
