"""gs-infer end to end on a tiny trained model: local and S3 output, IDs, determinism, faults, mismatches."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from gs_testing import REPO

from graphstorm_py import io
from graphstorm_py.cli import run_cli
from graphstorm_py.inference.cli import _main
from graphstorm_py.outputs.writer import FAIL_AFTER_SHARDS_ENV, InjectedFailure, read_manifest

sys.path.insert(0, os.path.dirname(__file__))
from infer_helpers import NUM_ITEMS, NUM_USERS, make_trained, tiny_graph  # noqa: E402


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return make_trained(tmp_path_factory.mktemp("infer"))


def gs_infer(conf, graph, ckpt, *extra):
    return run_cli(_main, ["--cf", conf, "--part-config", graph, "--restore-model-path", ckpt, "--quiet", *extra])


def read_dataset(root, name):
    """A dataset's rows, through the manifest's file list (what a careful reader does)."""
    manifest = read_manifest(root)
    tables = []
    for f in manifest["datasets"][name]["files"]:
        with io.open_file(io.join(root, f["path"]), "rb") as fh:
            t = pq.read_table(fh)
        assert t.num_rows == f["rows"]
        tables.append(t)
    return pa.concat_tables(tables)


def check_output(trained, emb_root, pred_root):
    from graphstorm_py.graph import GraphDataset

    ds = GraphDataset.open(trained[1])
    for ntype, n in (("user", NUM_USERS), ("item", NUM_ITEMS)):
        t = read_dataset(emb_root, ntype)
        assert t.num_rows == n
        assert t.column("nid").type == ds.id_map(ntype).column("orig").type
        assert sorted(t.column("nid").to_pylist()) == sorted(ds.orig_ids(ntype).to_pylist())
        emb = np.stack(t.column("emb").to_numpy(zero_copy_only=False))
        assert emb.shape == (n, 8) and np.isfinite(emb).all()
        assert pa.types.is_fixed_size_list(t.column("emb").type)
    pred = read_dataset(pred_root, "item")
    test = np.asarray(ds.node_array("item", "test_mask")).astype(bool)
    orig = np.asarray(ds.orig_ids("item").to_pylist())
    assert sorted(pred.column("nid").to_pylist()) == sorted(orig[test].tolist())
    p = np.stack(pred.column("pred").to_numpy(zero_copy_only=False))
    assert np.isfinite(p).all() and np.allclose(p.sum(1), 1, atol=1e-5)
    m = read_manifest(emb_root)
    assert m["model"]["path"] == trained[2] and m["graph"]["graph_name"] == "tiny"
    assert m["num_rows"] == NUM_USERS + NUM_ITEMS


def emb_by_id(root, ntype):
    t = read_dataset(root, ntype)
    order = np.argsort(np.asarray(t.column("nid").to_pylist()))
    return np.stack(t.column("emb").to_numpy(zero_copy_only=False))[order]


def test_local_output_and_determinism(trained, tmp_path):
    conf, graph, ckpt = trained
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    assert gs_infer(conf, graph, ckpt, "--save-embed-path", a, "--save-prediction-path", a + "-pred",
                    "--output-chunk-size", "16") == 0
    check_output(trained, a, a + "-pred")
    assert len(read_manifest(a)["datasets"]["user"]["files"]) == 4      # 50 rows in shards of 16
    assert gs_infer(conf, graph, ckpt, "--save-embed-path", b, "--save-prediction-path", b + "-pred") == 0
    for ntype in ("user", "item"):
        assert np.array_equal(emb_by_id(a, ntype), emb_by_id(b, ntype))


def test_s3_output(trained, s3_bucket):
    conf, graph, ckpt = trained
    emb, pred = f"{s3_bucket}/out/emb", f"{s3_bucket}/out/pred"
    assert gs_infer(conf, graph, ckpt, "--save-embed-path", emb, "--save-prediction-path", pred,
                    "--output-chunk-size", "20") == 0
    check_output(trained, emb, pred)


def test_infer_all_mini_batch_and_csv(trained, tmp_path):
    conf, graph, ckpt = trained
    out = str(tmp_path / "o")
    assert gs_infer(conf, graph, ckpt, "--save-prediction-path", out, "--infer-all-target-nodes",
                    "--use-mini-batch-infer", "--eval-fanout", "3,3", "--output-format", "csv") == 0
    m = read_manifest(out)
    assert m["inference"]["mode"] == "mini-batch" and m["datasets"]["item"]["rows"] == NUM_ITEMS
    import pyarrow.csv as pcsv
    t = pcsv.read_csv(os.path.join(out, m["files"][0]["path"]))
    assert t.num_rows == NUM_ITEMS and len(t.column("pred")[0].as_py().split(";")) == 3


def test_same_path_puts_predictions_in_subfolder(trained, tmp_path):
    conf, graph, ckpt = trained
    out = str(tmp_path / "o")
    assert gs_infer(conf, graph, ckpt, "--save-embed-path", out, "--save-prediction-path", out) == 0
    assert read_manifest(out)["kind"] == "embeddings"
    assert read_manifest(os.path.join(out, "predictions"))["datasets"]["item"]["rows"] == 8


def test_fault_injection_then_rerun(trained, tmp_path, monkeypatch):
    conf, graph, ckpt = trained
    out = str(tmp_path / "emb")
    assert gs_infer(conf, graph, ckpt, "--save-embed-path", out, "--output-chunk-size", "1000") == 0
    # a stale extra shard and an old _SUCCESS: the failed run must invalidate them
    stale = os.path.join(out, "user", "part-00099.parquet")
    with open(stale, "wb") as fh:
        fh.write(b"junk")
    monkeypatch.setenv(FAIL_AFTER_SHARDS_ENV, "1")
    import graphstorm_py.outputs.writer as w
    monkeypatch.setattr(w, "_shards_written", 0)
    with pytest.raises(InjectedFailure):
        gs_infer(conf, graph, ckpt, "--save-embed-path", out, "--output-chunk-size", "16")
    assert not os.path.exists(os.path.join(out, "_SUCCESS"))
    assert os.listdir(os.path.join(out, "item")) == ["part-00000.parquet"]   # only the first shard
    monkeypatch.delenv(FAIL_AFTER_SHARDS_ENV)
    assert gs_infer(conf, graph, ckpt, "--save-embed-path", out, "--output-chunk-size", "16") == 0
    assert not os.path.exists(stale)
    files = {f["path"] for f in read_manifest(out)["files"]}
    on_disk = {f"{t}/{f}" for t in ("user", "item") for f in os.listdir(os.path.join(out, t))}
    assert files == on_disk
    assert read_dataset(out, "user").num_rows == NUM_USERS


def test_fault_injection_subprocess_exit_code(trained, tmp_path):
    conf, graph, ckpt = trained
    out = str(tmp_path / "emb")
    env = {**os.environ, FAIL_AFTER_SHARDS_ENV: "1"}
    proc = subprocess.run([sys.executable, "-m", "graphstorm_py.inference.cli", "--cf", conf, "--part-config", graph,
                           "--restore-model-path", ckpt, "--save-embed-path", out, "--quiet"],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "injected failure" in proc.stderr
    assert not os.path.exists(os.path.join(out, "_SUCCESS"))


def test_feature_dim_mismatch_exit_2(trained, tmp_path, capsys):
    conf, _, ckpt = trained
    other = tiny_graph(str(tmp_path / "g2"), item_dim=6)
    out = str(tmp_path / "emb")
    assert gs_infer(conf, other, ckpt, "--save-embed-path", out) == 2
    err = capsys.readouterr().err
    assert "'item'" in err and "4 input feature columns in the checkpoint but 6" in err
    assert not os.path.exists(out)          # nothing written before the check


def test_missing_checkpoint(trained, tmp_path, capsys):
    conf, graph, ckpt = trained
    assert gs_infer(conf, graph, str(tmp_path / "nope"), "--save-embed-path", str(tmp_path / "e")) == 2
    assert "checkpoint" in capsys.readouterr().err


def test_no_output_path_evaluates(trained, capsys):
    """GraphStorm's behaviour: without an output path, inference reports the test metrics."""
    conf, graph, ckpt = trained
    assert gs_infer(conf, graph, ckpt) == 0
    report = json.loads(capsys.readouterr().out)
    (task, metrics), = report["test"].items()
    assert 0.0 <= metrics["accuracy"] <= 1.0 and report["checkpoint"] == ckpt


def test_graphstorm_inference_yaml_and_flags(trained, tmp_path, capsys):
    """GraphStorm's inference YAMLs lack lr, batch_size and fanout; its flags take values
    (--infer-all-target-nodes true, --use-mini-batch-infer false) and layer names."""
    import yaml

    conf, graph, ckpt = trained
    doc = yaml.safe_load(open(conf))
    for section, key in (("hyperparam", "lr"), ("hyperparam", "batch_size"), ("gnn", "fanout")):
        del doc["gsf"][section][key]
    doc["gsf"]["hyperparam"]["lm_tune_lr"] = 1e-4           # an unused LM key, as GraphStorm's YAMLs have
    infer_yaml = tmp_path / "infer.yaml"
    infer_yaml.write_text(yaml.safe_dump(doc))
    emb, pred = tmp_path / "emb", tmp_path / "pred"
    assert gs_infer(str(infer_yaml), graph, ckpt, "--save-embed-path", str(emb), "--save-prediction-path",
                    str(pred), "--infer-all-target-nodes", "true", "--use-mini-batch-infer", "false",
                    "--restore-model-layers", "embed,gnn,decoder", "--num-servers", "1", "--inference") == 0
    assert read_dataset(str(pred), "item").num_rows == NUM_ITEMS
    capsys.readouterr()
    assert gs_infer(str(infer_yaml), graph, ckpt, "--infer-all-target-nodes", "false") == 0
    assert "accuracy" in json.loads(capsys.readouterr().out)["test"]["node_classification-item-label"]


def test_restore_model_layers_at_inference(trained, tmp_path, capsys):
    """Restoring only embed,gnn leaves the decoder as initialised: other predictions, same embeddings."""
    conf, graph, ckpt = trained
    full, part = tmp_path / "full", tmp_path / "part"
    for out, layers in ((full, "embed,gnn,decoder"), (part, "embed,gnn")):
        assert gs_infer(conf, graph, ckpt, "--save-embed-path", str(out / "emb"), "--save-prediction-path",
                        str(out / "pred"), "--restore-model-layers", layers) == 0
    assert read_dataset(str(full / "emb"), "item").equals(read_dataset(str(part / "emb"), "item"))
    full_pred = np.stack(read_dataset(str(full / "pred"), "item").column("pred").to_numpy(zero_copy_only=False))
    part_pred = np.stack(read_dataset(str(part / "pred"), "item").column("pred").to_numpy(zero_copy_only=False))
    assert not np.allclose(full_pred, part_pred)
    assert gs_infer(conf, graph, ckpt, "--restore-model-layers", "node_embed") == 2
    assert "node_embed" in capsys.readouterr().err
