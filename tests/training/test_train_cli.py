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
    (["--num-epoch", "1"], "--num-epoch"),                     # misspelled flag, with a hint
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


def test_unsupported_output_key_exits_2(tmp_path, toy_graph, capsys):
    code, _, err = _run(capsys, "--cf", write_yaml(tmp_path), "--part-config", toy_graph,
                        "--save-embed-path", str(tmp_path / "emb"))
    assert code == 2 and "save_embed_path" in err
