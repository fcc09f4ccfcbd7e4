"""``--instance-type local``: the container contract really runs (gs-sm per host, /opt/ml trees, S3 channels).

MovieLens: docs/deploy.md's launch_gconstruct -> launch_train -> launch_infer, all local, on moto's S3.
Two-host training jobs run the distributed gs-train on loopback, one worker per host.
"""

import json
import os
import subprocess
import sys
import time

import pytest

from deploy_helpers import DOCS_BUCKET, ML, cli, docs_commands, run_argv, upload_dir

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
LOCAL = ["--image-url", "graphstorm-py:local", "--role", ROLE, "--instance-type", "local"]


def _launch(name, *args):
    proc = subprocess.run([sys.executable, "-m", f"graphstorm_py.deploy.sagemaker.{name}", *args],
                          capture_output=True, text=True, timeout=900, env=dict(os.environ, OMP_NUM_THREADS="1"))
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return proc, (json.loads(lines[-1]) if lines else None)


@pytest.fixture(scope="module")
def ml_s3(ml_tables, s3_server):
    """The tables and configs where docs/deploy.md's SageMaker example expects them (in a moto bucket)."""
    import boto3
    import fsspec

    boto3.client("s3").create_bucket(Bucket="gs-sm-local")
    upload_dir(ml_tables, "s3://gs-sm-local/movielens-tables")
    fs = fsspec.filesystem("s3")
    fs.put(os.path.join(ML, "ml_construct.json"), "gs-sm-local/movielens-tables/ml_construct.json")
    fs.put(os.path.join(ML, "ml_nc.yaml"), "gs-sm-local/conf/ml_nc.yaml")
    return "s3://gs-sm-local"


@pytest.fixture(scope="module")
def docs_sm_run(ml_s3):
    """docs/deploy.md's three launcher commands with --instance-type local: [(proc, describe, seconds)]."""
    runs = []
    for argv in docs_commands("sagemaker", {DOCS_BUCKET: ml_s3, "ml.m5.4xlarge": "local"}):
        start = time.perf_counter()
        proc = run_argv(argv)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        runs.append((proc, json.loads(lines[-1]) if lines else None, time.perf_counter() - start))
        if proc.returncode:
            break
    return runs


@pytest.mark.slow
def test_docs_sagemaker_example(ml_s3, docs_sm_run):
    import fsspec

    assert len(docs_sm_run) == 3, docs_sm_run[-1][0].stdout[-3000:] + docs_sm_run[-1][0].stderr[-2000:]
    (construct, c_info, c_s), (train, t_info, t_s), (infer, i_info, i_s) = docs_sm_run
    assert c_info["ProcessingJobStatus"] == "Completed"
    assert t_info["TrainingJobStatus"] == "Completed" and t_info["HostExitCodes"] == {"algo-1": 0}
    assert i_info["TrainingJobStatus"] == "Completed"
    fs = fsspec.filesystem("s3")
    fs.invalidate_cache()
    assert fs.exists(f"{ml_s3}/sm/graph/metadata.json")
    assert fs.exists(f"{ml_s3}/sm/model/results.json")                    # gs-sm uploaded the model folder
    assert fs.exists(t_info["ModelArtifacts"]["S3ModelArtifacts"])         # and "SageMaker" the tarball
    assert fs.exists(f"{ml_s3}/sm/emb/_SUCCESS") and fs.exists(f"{ml_s3}/sm/pred/_SUCCESS")
    print(f"\nMEASURE sagemaker local: construct {c_s:.1f}s, train {t_s:.1f}s, infer {i_s:.1f}s")


@pytest.mark.slow
def test_failed_training_reports_the_reason(ml_s3, docs_sm_run):
    proc, info = _launch("launch_train", "--graph-data-s3", f"{ml_s3}/sm/graph", "--yaml-s3", f"{ml_s3}/conf/ml_nc.yaml",
                         "--model-artifact-s3", f"{ml_s3}/model-bad", "--graph-name", "ml", "--task-name", "bad-1",
                         "--num-epochz", "1", *LOCAL)
    assert proc.returncode == 1
    assert info["TrainingJobStatus"] == "Failed"
    assert info["FailureReason"].startswith("algo-1: gs-train exited with 2: error:")
    assert "--num-epochs" in info["FailureReason"] and len(info["FailureReason"]) <= 1024 + len("algo-1: ")


@pytest.mark.slow
def test_two_host_training_on_loopback(ml_s3, docs_sm_run):
    proc, info = _launch("launch_train", "--graph-data-s3", f"{ml_s3}/sm/graph", "--yaml-s3", f"{ml_s3}/conf/ml_nc.yaml",
                         "--model-artifact-s3", f"{ml_s3}/model-2h", "--graph-name", "ml", "--task-name", "train-2h",
                         "--instance-count", "2", "--num-epochs", "1", "--quiet", "", *LOCAL)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert info["HostExitCodes"] == {"algo-1": 0, "algo-2": 0}


@pytest.mark.slow
def test_two_hosts_each_keep_their_embedding_shard(ml_s3, docs_sm_run, tmp_path):
    """Users without features get a learnable table sharded by owner: each host writes its own shard under
    /opt/ml/model, the model artifact holds both (SageMaker merges the hosts' folders), and every host
    uploads its files to model-artifact-s3, so the checkpoint there is whole."""
    import tarfile

    import fsspec

    proc, info = _launch("launch_train", "--graph-data-s3", f"{ml_s3}/sm/graph", "--yaml-s3", f"{ml_s3}/conf/ml_nc.yaml",
                         "--model-artifact-s3", f"{ml_s3}/model-shards", "--graph-name", "ml",
                         "--task-name", "train-shards", "--instance-count", "2", "--num-epochs", "1",
                         "--node-feat-name", "movie:title", "--quiet", "", *LOCAL)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    fs = fsspec.filesystem("s3")
    fs.invalidate_cache()
    local = str(tmp_path / "model.tar.gz")
    fs.get(info["ModelArtifacts"]["S3ModelArtifacts"].replace("s3://", ""), local)
    with tarfile.open(local) as tf:
        names = tf.getnames()
    shards = sorted(n for n in names if "/sparse_embed/user/rows-" in n and not n.endswith(("exp_avg.npy", "exp_avg_sq.npy")))
    ckpt = shards[0].split("/sparse_embed/")[0]
    assert len([n for n in shards if n.startswith(ckpt + "/")]) == 2, names      # one shard per host
    assert f"{ckpt}/checkpoint.json" in names
    uploaded = fs.find(f"{ml_s3}/model-shards/{ckpt.lstrip('./')}/sparse_embed/user".replace("s3://", ""))
    assert len([u for u in uploaded if "/rows-" in u and u.endswith(".npy") and ".exp_avg" not in u]) == 2, uploaded
