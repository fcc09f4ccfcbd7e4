"""gs-train on the command line: a run prints results.json; user mistakes exit 2 with a named culprit."""

import json
import os

import pytest
from train_helpers import toy_graph, write_yaml  # noqa: F401  (fixture)

from graphstorm_py.training.cli import main


def _run(capsys, *argv):
    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_cli_trains_and_prints_results(tmp_path, toy_graph, capsys):
    save = tmp_path / "models"
    code, out, err = _run(capsys, "--cf", write_yaml(tmp_path), "--part-config", toy_graph, "--quiet",
                          "--device", "cpu", "--num-epochs", "1", "--save-model-path", str(save))
    assert code == 0, err
    res = json.loads(out)
    assert res["epochs_run"] == 1 and "accuracy" in res["test"]
    assert json.loads((save / "results.json").read_text()) == res


def test_part_config_json_means_its_folder(tmp_path, toy_graph, capsys):
    code, out, err = _run(capsys, "--cf", write_yaml(tmp_path), "--part-config",
                          os.path.join(toy_graph, "metadata.json"), "--quiet", "--num_epochs", "1",
                          "--no-validation", "true")
    assert code == 0, err


@pytest.mark.parametrize("argv,needle", [
    (["--num-epcohs", "1"], "--num-epochs"),                   # misspelled flag, with a hint
    (["--fanout", "5,5"], "'fanout'"),                         # 2 layers but num_layers 1
    (["--target-ntype", "itme"], "itme"),                      # unknown node type
    (["--label-field", "clss"], "clss"),                       # unknown label
    (["--node-feat-name", "user:h"], "'h'"),                   # unknown feature
    (["--model-encoder-type", "gcn"], "model_encoder_type"),
])
def test_bad_config_exits_2(tmp_path, toy_graph, capsys, argv, needle):
    code, out, err = _run(capsys, "--cf", write_yaml(tmp_path), "--part-config", toy_graph, "--quiet", *argv)
    assert code == 2 and needle in err and "Traceback" not in err, err


def test_bad_yaml_key_exits_2(tmp_path, toy_graph, capsys):
    path = write_yaml(tmp_path, open(write_yaml(tmp_path)).read().replace("batch_size:", "batch_sise:"))
    code, _, err = _run(capsys, "--cf", path, "--part-config", toy_graph)
    assert code == 2 and "batch_sise" in err and "batch_size" in err


def test_missing_graph_exits_2(tmp_path, capsys):
    code, _, err = _run(capsys, "--cf", write_yaml(tmp_path), "--part-config", str(tmp_path / "nope"))
    assert code == 2 and "nope" in err and "metadata.json" in err


def test_save_embed_path_without_save_model_path(tmp_path, toy_graph, capsys):
    """As in GraphStorm, embeddings need no saved model: the best one is kept in a scratch folder."""
    code, out, err = _run(capsys, "--cf", write_yaml(tmp_path), "--part-config", toy_graph, "--quiet",
                          "--num-epochs", "1", "--save-embed-path", str(tmp_path / "emb"))
    assert code == 0, err
    res = json.loads(out)
    assert res["best_checkpoint"] is None and (tmp_path / "emb" / "_SUCCESS").exists()


# ---- GraphStorm's flags (issue 13, group 2) --------------------------------------------------

def test_graphstorm_flags(tmp_path, toy_graph, capsys):
    """--logging-file/--logging-level, --decoder-norm/--decoder-bias, bool flags with values,
    prefix abbreviations, -e, launcher-only flags: all accepted as GraphStorm's argparse would."""
    log_file = tmp_path / "logs" / "train_log.txt"
    code, out, err = _run(capsys, "--cf", write_yaml(tmp_path), "--part-config", toy_graph, "--device", "cpu",
                          "-e", "1", "--logging-file", str(log_file), "--logging-level", "info",
                          "--decoder-norm", "layer", "--decoder-bias", "true", "--use-self-loop", "false",
                          "--no-val", "false", "--num-servers", "1", "--num-samplers", "0", "--ip-config",
                          "ip_list.txt", "--ssh-port", "2222", "--num-trainers", "1", "--lm-tune-lr", "0.0001",
                          "--verbose", "false")
    assert code == 0, err
    assert json.loads(out)["epochs_run"] == 1
    assert "INFO" in log_file.read_text() and "evaluation at epoch 0" in log_file.read_text()
    quiet_log = tmp_path / "warn.txt"
    code, _, err = _run(capsys, "--cf", write_yaml(tmp_path), "--part-config", toy_graph, "-e", "1",
                        "--logging-file", str(quiet_log), "--logging-level", "WARNING")
    assert code == 0, err
    assert "INFO" not in quiet_log.read_text()


def test_workspace_makes_paths_relative(tmp_path, toy_graph, capsys):
    write_yaml(tmp_path)
    code, out, err = _run(capsys, "--workspace", str(tmp_path), "--cf", "train.yaml", "--part-config", toy_graph,
                          "--quiet", "--num-epochs", "1", "--save-model-path", "models")
    assert code == 0, err
    assert (tmp_path / "models" / "results.json").exists()


@pytest.mark.parametrize("argv,needle", [
    (["--inference"], "gs-infer"),
    (["--num-trainers", "4"], "cannot be split evenly between 4 worker(s)"),
    (["--num-trainers", "0"], "--num-trainers must be >= 1"),
    (["--task-tracker", "wandb"], "tensorboard_task_tracker"),
    (["--num-", "1"], "ambiguous"),
    (["--verbose", "maybe"], "true or false"),
])
def test_graphstorm_flag_errors(tmp_path, toy_graph, capsys, argv, needle):
    code, _, err = _run(capsys, "--cf", write_yaml(tmp_path), "--part-config", toy_graph, "--quiet", *argv)
    assert code == 2 and needle in err, err


# ---- restart semantics (issue 13, group 4) ---------------------------------------------------

def test_restore_model_path_trains_from_epoch_0(tmp_path, toy_graph, capsys):
    """GraphStorm: --restore-model-path loads the weights and training starts over at epoch 0."""
    first = tmp_path / "first"
    code, _, err = _run(capsys, "--cf", write_yaml(tmp_path), "--part-config", toy_graph, "--quiet",
                        "--num-epochs", "2", "--save-model-path", str(first))
    assert code == 0, err
    again = tmp_path / "again"
    code, out, err = _run(capsys, "--cf", write_yaml(tmp_path), "--part-config", toy_graph, "--quiet",
                          "--num-epochs", "2", "--save-model-path", str(again),
                          "--restore-model-path", str(first / "epoch-1"))
    assert code == 0, err
    assert json.loads(out)["epochs_run"] == 2
    assert sorted(p.name for p in again.iterdir()) == ["epoch-0", "epoch-1", "results.json"]


def test_resume_needs_the_same_tasks(tmp_path, toy_graph, capsys):
    first = tmp_path / "first"
    assert _run(capsys, "--cf", write_yaml(tmp_path), "--part-config", toy_graph, "--quiet",
                "--num-epochs", "1", "--save-model-path", str(first))[0] == 0
    code, _, err = _run(capsys, "--cf", write_yaml(tmp_path), "--part-config", toy_graph, "--quiet",
                        "--num-epochs", "2", "--resume-from-checkpoint", str(first / "epoch-0"),
                        "--label-field", "cls", "--num-classes", "4")
    assert code == 2 and "--restore-model-path" in err, err
    code, _, err = _run(capsys, "--cf", write_yaml(tmp_path), "--part-config", toy_graph, "--quiet",
                        "--resume-from-checkpoint", str(first / "epoch-0"), "--restore-model-path",
                        str(first / "epoch-0"))
    assert code == 2 and "resume_from_checkpoint" in err, err
