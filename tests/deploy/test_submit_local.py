"""gs-submit, local backend: --dry-run, a MovieLens job on moto's S3, a rerun that skips every stage,
a failing stage, --stages, status/logs/stop of a --no-wait job."""

import json
import os
import time

import pytest

from deploy_helpers import cli, docs_commands, docs_job, ml_job, run_argv, upload_dir, write_spec



def _last_json(text: str) -> dict:
    return json.loads([line for line in text.splitlines() if line.startswith("{")][-1])


def test_dry_run(tmp_path):
    spec = write_spec(tmp_path / "job.yaml", ml_job("ml-dry", str(tmp_path / "out"), "s3://b/tables"))
    proc = cli("gs-submit", "run", spec, "--dry-run", "--set", "stages.train.args.num-epochs=3",
               "--stages", "construct,train")
    assert proc.returncode == 0, proc.stderr
    plan = json.loads(proc.stdout)
    assert [(s["name"], s["action"]) for s in plan["stages"]] == [
        ("construct", "run"), ("train", "run"), ("infer", "not selected")]
    train = plan["stages"][1]
    graph = str(tmp_path / "out" / "ml-dry" / plan["spec_hash"] / "construct" / "graph")
    assert train["command"][:5] == ["gs-train", "--cf", train["command"][2], "--part-config", graph]
    assert train["command"][train["command"].index("--num-epochs") + 1] == "3"
    assert plan["stages"][0]["command"][-4:] == ["--num-parts", "1", "--add-reverse-edges", "--quiet"]
    assert not (tmp_path / "out").exists()      # nothing ran


def test_bad_spec_exits_2(tmp_path):
    doc = ml_job("ml-bad", str(tmp_path / "out"), "s3://b/t")
    doc["stages"][1]["inputs"]["graph"] = "${constrct.outputs.graph}"
    proc = cli("gs-submit", "run", write_spec(tmp_path / "job.yaml", doc))
    assert proc.returncode == 2
    assert "did you mean 'construct'?" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_docs_job_on_s3_then_rerun_skips(ml_tables, s3_bucket, tmp_path):
    """docs/deploy.md's job.yaml and its local commands (dry run, run, rerun), on moto's S3."""
    upload_dir(ml_tables, f"{s3_bucket}/movielens-tables")
    docs_job(tmp_path, s3_bucket)
    dry, first, again = docs_commands("local")
    plan = json.loads(run_argv(dry, cwd=tmp_path).stdout)
    assert [s["action"] for s in plan["stages"]] == ["run"] * 3
    start = time.perf_counter()
    proc = run_argv(first, cwd=tmp_path)
    first_s = time.perf_counter() - start
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    status = _last_json(proc.stdout)
    assert status["state"] == "SUCCEEDED"
    assert [v["status"] for v in status["stages"].values()] == ["ran", "ran", "ran"]

    import fsspec

    fs = fsspec.filesystem("s3")
    fs.invalidate_cache()
    plan = json.loads(run_argv(dry, cwd=tmp_path).stdout)
    outs = {s["name"]: s["outputs"] for s in plan["stages"]}
    assert fs.exists(outs["construct"]["graph"] + "/metadata.json")
    assert fs.exists(outs["train"]["model"] + "/results.json")
    assert fs.exists(outs["infer"]["embeddings"] + "/_SUCCESS")
    assert fs.exists(outs["infer"]["predictions"] + "/_SUCCESS")
    assert [s["action"] for s in plan["stages"]] == ["skip (complete)"] * 3

    start = time.perf_counter()
    proc = run_argv(again, cwd=tmp_path)
    rerun_s = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr
    assert [v["status"] for v in _last_json(proc.stdout)["stages"].values()] == ["skipped"] * 3
    print(f"\nMEASURE local movielens job: first run {first_s:.1f}s, rerun (all skipped) {rerun_s:.1f}s")

    # the train stage's record removed (as after a kill mid-stage): only train runs again
    fs.rm(outs["train"]["model"] + "/_gs_stage.json")
    plan = json.loads(run_argv(dry, cwd=tmp_path).stdout)
    assert [s["action"] for s in plan["stages"]] == ["skip (complete)", "run", "skip (complete)"]


def test_failing_stage_exit_code_and_message(tmp_path):
    doc = ml_job("ml-fail", str(tmp_path / "out"), str(tmp_path / "no-tables"))
    proc = cli("gs-submit", "run", write_spec(tmp_path / "job.yaml", doc))
    assert proc.returncode == 2
    status = _last_json(proc.stdout)
    assert status["state"] == "FAILED" and status["exit_code"] == 2
    assert status["message"].startswith("stage construct (construct) failed with exit code 2: error:")
    assert "no-tables" in status["message"]
    assert list(status["stages"]) == ["construct"]
    # nothing looks complete
    assert not any(n == "_gs_stage.json" for _, _, files in os.walk(tmp_path / "out") for n in files)


def test_stages_needs_complete_upstream(tmp_path):
    doc = ml_job("ml-sel", str(tmp_path / "out"), str(tmp_path / "t"))
    proc = cli("gs-submit", "run", write_spec(tmp_path / "job.yaml", doc), "--stages", "train")
    assert proc.returncode == 2
    assert "stage construct is not complete and not selected by --stages" in proc.stderr


def test_no_wait_status_logs_stop(tmp_path):
    doc = {"name": "sleeper", "output_prefix": str(tmp_path / "out"),
           "stages": [{"name": "c", "kind": "construct", "inputs": {"config": str(tmp_path / "c.json")}}]}
    (tmp_path / "c.json").write_text("{}")
    env = {"GS_SUBMIT_HOME": os.environ["GS_SUBMIT_HOME"]}
    spec = write_spec(tmp_path / "job.yaml", doc)
    proc = cli("gs-submit", "run", spec, "--no-wait", env=env)
    assert proc.returncode == 0, proc.stderr
    job_id = proc.stdout.strip().splitlines()[-1]
    deadline = time.monotonic() + 120
    while True:
        st = json.loads(cli("gs-submit", "status", job_id, env=env).stdout)
        if st["state"] in ("SUCCEEDED", "FAILED", "STOPPED") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert st["state"] == "FAILED" and st["exit_code"] == 2   # '{}' is not a valid construct config
    logs = cli("gs-submit", "logs", job_id, "--follow", env=env)
    assert "stage c: " in logs.stdout and "error:" in logs.stdout
    assert json.loads(cli("gs-submit", "stop", job_id, env=env).stdout)["state"] == "FAILED"
    unknown = cli("gs-submit", "status", "nope", env=env)
    assert unknown.returncode == 2 and "no local job 'nope'" in unknown.stderr


@pytest.mark.slow
def test_stop_a_running_local_job(ml_tables, tmp_path):
    env = {"GS_SUBMIT_HOME": os.environ["GS_SUBMIT_HOME"]}
    spec = write_spec(tmp_path / "job.yaml", ml_job("ml-stop", str(tmp_path / "out"), ml_tables))
    job_id = cli("gs-submit", "run", spec, "--no-wait", env=env).stdout.strip().splitlines()[-1]
    deadline = time.monotonic() + 120
    while "stage construct: " not in cli("gs-submit", "logs", job_id, env=env).stdout:
        assert time.monotonic() < deadline
        time.sleep(0.3)
    time.sleep(2)
    st = json.loads(cli("gs-submit", "stop", job_id, env=env).stdout)
    assert st["state"] == "STOPPED" and st["exit_code"] == 143
    assert json.loads(cli("gs-submit", "status", job_id, env=env).stdout)["state"] == "STOPPED"
    graph = json.loads(cli("gs-submit", "run", spec, "--dry-run").stdout)["stages"][0]["outputs"]["graph"]
    assert not os.path.exists(os.path.join(graph, "metadata.json"))
    assert not os.path.exists(os.path.join(graph, "_gs_stage.json"))
