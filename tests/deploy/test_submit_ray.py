"""gs-submit --backend ray against a real local Ray head: SUCCEEDED on moto S3, FAILED with the stage's exit
code and message, STOPPED, and a job asking for more than the cluster has."""

import json
import os
import time

import pytest

import yaml

from deploy_helpers import aws_env_sets, cli, docs_commands, docs_job, ml_job, run_argv, upload_dir, write_spec
from ray_head import ray_head

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def head(s3_server):
    with ray_head(dashboard=True, object_store_mb=80) as h:
        yield h.dashboard


def _last_json(text):
    return json.loads([line for line in text.splitlines() if line.startswith("{")][-1])


def test_docs_ray_and_kuberay_examples(head, ml_tables, s3_bucket, tmp_path):
    """docs/deploy.md's Ray commands against the local head, then its KubeRay manifest's job on the same head."""
    upload_dir(ml_tables, f"{s3_bucket}/movielens-tables")
    docs_job(tmp_path, s3_bucket)
    run, status_cmd, logs_cmd, stop_cmd = docs_commands("ray", {"http://HEAD:8265": head})
    start = time.perf_counter()
    proc = run_argv(run + aws_env_sets(), cwd=tmp_path)
    secs = time.perf_counter() - start
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    status = _last_json(proc.stdout)
    assert status["state"] == "SUCCEEDED" and status["exit_code"] == 0
    assert "[gs-submit] stage infer: done" in proc.stdout       # the job's log was streamed
    import fsspec

    fs = fsspec.filesystem("s3")
    fs.invalidate_cache()
    plan = json.loads(run_argv(["gs-submit", "run", "job.yaml", "--dry-run"] + aws_env_sets(), cwd=tmp_path).stdout)
    outs = {s["name"]: s["outputs"] for s in plan["stages"]}
    assert fs.exists(outs["infer"]["embeddings"] + "/_SUCCESS")
    assert fs.exists(outs["construct"]["graph"] + "/metadata.json")
    job_id = status["id"]
    st = json.loads(run_argv([a.replace("JOB_ID", job_id) for a in status_cmd]).stdout)
    assert st["state"] == "SUCCEEDED"
    assert "stage train: done" in run_argv([a.replace("JOB_ID", job_id) for a in logs_cmd]).stdout
    assert json.loads(run_argv([a.replace("JOB_ID", job_id) for a in stop_cmd]).stdout)["state"] == "SUCCEEDED"
    print(f"\nMEASURE ray movielens job: {secs:.1f}s (submit to SUCCEEDED)")

    # KubeRay: the manifest's entry point and runtime env, submitted as the operator would (stages complete: skip)
    render, _apply = docs_commands("kuberay")
    proc = run_argv(render + aws_env_sets(), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    manifest = yaml.safe_load(open(tmp_path / "rayjob.yaml"))
    from ray.job_submission import JobSubmissionClient

    client = JobSubmissionClient(head)
    job = client.submit_job(entrypoint=manifest["spec"]["entrypoint"],
                            runtime_env=yaml.safe_load(manifest["spec"]["runtimeEnvYAML"]))
    deadline = time.monotonic() + 300
    while client.get_job_status(job).value not in ("SUCCEEDED", "FAILED", "STOPPED"):
        assert time.monotonic() < deadline
        time.sleep(0.5)
    logs = client.get_job_logs(job)
    assert client.get_job_status(job).value == "SUCCEEDED", logs[-2000:]
    final = _last_json(logs)
    assert final["state"] == "SUCCEEDED" and [v["status"] for v in final["stages"].values()] == ["skipped"] * 3


def test_failing_stage_gives_failed_with_exit_code(head, tmp_path):
    doc = ml_job("ml-ray-fail", str(tmp_path / "out"), str(tmp_path / "no-tables"))
    proc = cli("gs-submit", "run", write_spec(tmp_path / "job.yaml", doc), "--backend", "ray", "--address", head)
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    status = _last_json(proc.stdout)
    assert status["state"] == "FAILED" and status["exit_code"] == 2
    assert "stage construct (construct) failed with exit code 2" in proc.stdout
    assert "no-tables" in proc.stderr


def test_too_big_for_the_cluster(head, tmp_path):
    doc = ml_job("ml-ray-big", str(tmp_path / "out"), str(tmp_path / "t"))
    doc["stages"][1]["resources"] = {"gpus": 1}
    proc = cli("gs-submit", "run", write_spec(tmp_path / "job.yaml", doc), "--backend", "ray", "--address", head)
    assert proc.returncode == 2
    assert "stage train asks for 1 GPU (1 worker(s)) but the Ray cluster has 0" in proc.stdout + proc.stderr


def test_stop_gives_stopped_and_nothing_complete(head, ml_tables, tmp_path):
    doc = ml_job("ml-ray-stop", str(tmp_path / "out"), ml_tables)
    spec = write_spec(tmp_path / "job.yaml", doc)
    proc = cli("gs-submit", "run", spec, "--backend", "ray", "--address", head, "--no-wait")
    assert proc.returncode == 0, proc.stderr
    job_id = proc.stdout.strip().splitlines()[-1]
    deadline = time.monotonic() + 120
    while "stage construct:" not in cli("gs-submit", "logs", job_id, "--address", head).stdout:
        assert time.monotonic() < deadline
        time.sleep(0.5)
    stopped = json.loads(cli("gs-submit", "stop", job_id, "--address", head).stdout)
    assert stopped["state"] == "STOPPED"
    graph = json.loads(cli("gs-submit", "run", spec, "--dry-run").stdout)["stages"][0]["outputs"]["graph"]
    assert not os.path.exists(os.path.join(graph, "metadata.json"))
    assert not os.path.exists(os.path.join(graph, "_gs_stage.json"))


def test_workers_run_on_ray_train_and_ray_data(head, ml_tables, tmp_path):
    """``resources.workers: 2``: construct on the Ray Data engine (2 partitions), train and infer as 2 Ray Train
    workers of the same cluster, all inside one Ray job."""
    doc = ml_job("ml-ray-workers", str(tmp_path / "out"), ml_tables)
    doc["stages"][0]["args"]["num-parts"] = 2
    for stage in doc["stages"]:
        stage["resources"] = {"workers": 2, "cpus": 1}
    spec = write_spec(tmp_path / "job.yaml", doc)
    start = time.perf_counter()
    proc = cli("gs-submit", "run", spec, "--backend", "ray", "--address", head)
    secs = time.perf_counter() - start
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert _last_json(proc.stdout)["state"] == "SUCCEEDED"
    lines = proc.stdout.splitlines()
    ran = {name: next(line for line in lines if line.startswith(f"[gs-submit] stage {name}: /")) for name in
           ("construct", "train", "infer")}
    assert "--engine ray --ray-address" in ran["construct"]
    for name in ("train", "infer"):
        assert "--num-trainers 2 --ray-address" in ran[name] and "--ray-worker-cpus 1" in ran[name]
    plan = json.loads(cli("gs-submit", "run", spec, "--dry-run").stdout)
    outs = {s["name"]: s["outputs"] for s in plan["stages"]}
    meta = json.load(open(os.path.join(outs["construct"]["graph"], "metadata.json")))
    assert meta["num_partitions"] == 2
    emb = outs["infer"]["embeddings"]
    assert os.path.exists(os.path.join(emb, "_SUCCESS"))
    shards = [f for _, _, files in os.walk(emb) for f in files if f.startswith("part-r0001")]
    assert shards, "rank 1 of the Ray Train group wrote no embedding shard"
    print(f"\nMEASURE ray job with 2 workers per stage: {secs:.1f}s (submit to SUCCEEDED)")
