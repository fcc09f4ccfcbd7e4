"""gs-train --num-trainers N end to end on a small partitioned graph: results, faults, two jobs at once.

Items have no features in this config, so their learnable embeddings (SparseAdam) are trained
across workers too. Every subprocess has a timeout.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from dist_helpers import make_graph

BIN = os.path.dirname(sys.executable)
YAML = """\
version: 1.0
gsf:
  gnn: {model_encoder_type: rgcn, num_layers: 2, hidden_size: 8, fanout: "3,2", eval_fanout: "3,2",
        node_feat_name: ["user:f"]}
  hyperparam: {lr: 0.02, sparse_optimizer_lr: 0.05, num_epochs: 3, batch_size: 16, seed: 1}
  node_classification: {target_ntype: user, label_field: label, num_classes: 3, eval_metric: [accuracy]}
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("launch")
    with open(d / "train.yaml", "w") as f:
        f.write(textwrap.dedent(YAML))
    return {"yaml": str(d / "train.yaml"), "g2": make_graph(str(d / "g2"), 2), "g3": make_graph(str(d / "g3"), 3)}


def gs_train(*args, env=None, timeout=240):
    e = dict(os.environ, OMP_NUM_THREADS="1", **(env or {}))
    return subprocess.run([os.path.join(BIN, "gs-train"), "--quiet", *args], capture_output=True, text=True,
                          timeout=timeout, env=e)


def test_bad_partition_count_exits_2(setup):
    p = gs_train("--cf", setup["yaml"], "--part-config", setup["g3"], "--num-trainers", "2", timeout=60)
    assert p.returncode == 2, p.stderr
    assert "3 partition(s)" in p.stderr and "2 worker(s)" in p.stderr


def test_two_jobs_at_once(setup, tmp_path):
    e = dict(os.environ, OMP_NUM_THREADS="1")
    jobs = [subprocess.Popen([os.path.join(BIN, "gs-train"), "--quiet", "--cf", setup["yaml"], "--part-config",
                              setup["g2"], "--num-workers", "2", "--graph-transport", t], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=e) for t in ("collective", "auto")]
    outs = []
    for j in jobs:
        try:
            out, err = j.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            for k in jobs:
                k.kill()
            raise
        assert j.returncode == 0, err
        outs.append(json.loads(out))
    assert [o["distributed"]["transport"] for o in outs] == ["collective", "local"]
    # the local transport maps peers' partitions: its only graph traffic is the items' embedding rows
    # (sharded by owner), which the collective job sends too, with sampling and features
    assert 0 < outs[1]["distributed"]["graph_bytes_sent"] < outs[0]["distributed"]["graph_bytes_sent"]
    # invariant sampling: both transports train the same model
    assert outs[0]["test"] == outs[1]["test"]


def test_killed_worker_fails_fast_and_resume_completes(setup, tmp_path):
    # batch_size 4: ~9 steps per epoch and rank, so step 12 is in the middle of epoch 1
    args = ["--cf", setup["yaml"], "--part-config", setup["g2"], "--num-trainers", "2", "--graph-transport",
            "collective", "--batch-size", "4"]
    ref = gs_train(*args, "--save-model-path", str(tmp_path / "ref"))
    assert ref.returncode == 0, ref.stderr
    steps = json.load(open(tmp_path / "ref" / "results.json"))
    t0 = time.monotonic()
    killed = gs_train(*args, "--save-model-path", str(tmp_path / "kill"), env={"GS_FAULT_KILL": "1:12"})
    took = time.monotonic() - t0
    assert killed.returncode != 0
    assert "worker rank 1 of 2 failed (killed by signal 9)" in killed.stderr, killed.stderr
    print(f"killed job ended {took:.1f}s after start")
    ckpts = sorted(p for p in os.listdir(tmp_path / "kill") if p.startswith("epoch-"))
    assert ckpts, "the killed run saved no checkpoint before the kill"
    resumed = gs_train(*args, "--save-model-path", str(tmp_path / "kill"), "--resume-from-checkpoint",
                       str(tmp_path / "kill" / ckpts[-1]))
    assert resumed.returncode == 0, resumed.stderr
    res = json.loads(resumed.stdout)
    assert res["epochs_run"] == steps["epochs_run"]
    assert res["test"] == steps["test"] and res["val"] == steps["val"]


@pytest.mark.parametrize("rank", [0, 1])
def test_error_on_one_rank_fails_fast_with_its_exit_code(setup, tmp_path, rank):
    """A user error raised on one rank only (the others are mid-collective): the job ends with exit 2 and
    names the rank long before --dist-timeout; before, the failing worker hung in its shutdown."""
    t0 = time.monotonic()
    p = gs_train("--cf", setup["yaml"], "--part-config", setup["g2"], "--num-trainers", "2", "--graph-transport",
                 "collective", "--batch-size", "4", "--dist-timeout", "600", "--save-model-path", str(tmp_path / "m"),
                 env={"GS_FAULT_RAISE": f"{rank}:3"}, timeout=300)
    took = time.monotonic() - t0
    assert p.returncode == 2, p.stderr[-3000:]
    assert f"GS_FAULT_RAISE: rank {rank} fails at step 3" in p.stderr, p.stderr[-3000:]
    assert f"worker rank {rank} of 2" in p.stderr, p.stderr[-3000:]
    assert "Traceback" not in p.stderr
    assert took < 300                        # far below the 600 s collective timeout
    print(f"one-rank error: job ended {took:.1f}s after start")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_no_worker_outlives_its_launcher(setup, tmp_path, sig):
    """A launcher stopped by SIGTERM stops its workers; one killed by SIGKILL takes them with it."""
    e = dict(os.environ, OMP_NUM_THREADS="1")
    p = subprocess.Popen([os.path.join(BIN, "gs-train"), "--quiet", "--cf", setup["yaml"], "--part-config", setup["g2"],
                          "--num-trainers", "2", "--batch-size", "2", "--num-epochs", "50",
                          "--save-model-path", str(tmp_path / "m")], env=e, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    import psutil

    parent = psutil.Process(p.pid)
    deadline = time.monotonic() + 120
    workers = []
    while len(workers) < 2:
        assert time.monotonic() < deadline and p.poll() is None
        workers = parent.children()
        time.sleep(0.2)
    time.sleep(2)
    os.kill(p.pid, sig)
    p.wait(timeout=30)
    gone, alive = psutil.wait_procs(workers, timeout=20)
    assert not alive, f"workers {[w.pid for w in alive]} outlived the launcher ({sig!r})"


def test_launcher_names_the_cause_not_the_peer_that_lost_it(tmp_path, capsys):
    """Rank 0 only lost its peer and exits first; rank 1, the cause, is killed a moment later.
    The launcher must name rank 1 (under load the two exits can reach it in either order)."""
    from graphstorm_py.distributed.launcher import launch_local
    from graphstorm_py.distributed.worker import PEER_LOST_EXIT

    (tmp_path / "fake_worker.py").write_text(textwrap.dedent(f"""\
        import os, signal, sys, time
        if os.environ["RANK"] == "0":
            print("error: rank 0 lost a peer worker", file=sys.stderr)
            sys.exit({PEER_LOST_EXIT})
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGKILL)
        """))
    code = launch_local("fake_worker", [], 2, run_root=str(tmp_path),
                        extra_env={"PYTHONPATH": str(tmp_path)})
    err = capsys.readouterr().err
    assert code == 1
    assert "worker rank 1 of 2 failed (killed by signal 9)" in err, err


def test_launcher_reports_a_lost_peer_when_no_cause_shows(tmp_path, capsys):
    from graphstorm_py.distributed.launcher import launch_local
    from graphstorm_py.distributed.worker import PEER_LOST_EXIT

    (tmp_path / "fake_worker.py").write_text(textwrap.dedent(f"""\
        import os, sys, time
        if os.environ["RANK"] == "0":
            sys.exit({PEER_LOST_EXIT})
        time.sleep(60)
        """))
    t0 = time.monotonic()
    code = launch_local("fake_worker", [], 2, run_root=str(tmp_path), extra_env={"PYTHONPATH": str(tmp_path)})
    assert code == 1 and time.monotonic() - t0 < 20
    assert f"worker rank 0 of 2 failed (exit code {PEER_LOST_EXIT})" in capsys.readouterr().err
