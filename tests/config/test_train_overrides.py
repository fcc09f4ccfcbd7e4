"""Command-line overrides: every key is a flag, kebab or snake case, values read as YAML."""

import pytest

from graphstorm_py.config import load_train_config_dict
from graphstorm_py.config.overrides import parse_overrides
from graphstorm_py.errors import ConfigError


def test_kebab_and_snake_later_wins(ml100k):
    cfg = load_train_config_dict(ml100k, ["--num-epochs", "1", "--no-validation", "true",
                                          "--num_epochs", "2", "--fanout", "10"])
    assert cfg.hyperparam.num_epochs == 2
    assert cfg.evaluation.no_validation is True
    assert cfg.gnn.fanout == "10"


def test_override_wins_over_any_section(ml100k):
    cfg = load_train_config_dict(ml100k, ["--sparse-optimizer-lr=0.5", "--target-ntype", "user",
                                          "--backend", "nccl"])
    assert cfg.hyperparam.sparse_optimizer_lr == 0.5  # given in section 'rgcn'
    assert cfg.task.target_ntype == "user"
    assert cfg.basic.backend == "nccl"


def test_multi_value_flag_is_a_list(ml100k):
    cfg = load_train_config_dict(ml100k, ["--eval-metric", "accuracy", "f1_score",
                                          "--node-feat-name", "movie:title,genre", "user:age"])
    assert cfg.task.eval_metric == ["accuracy", "f1_score"]
    assert cfg.gnn.node_feat_name == {"movie": ["title", "genre"], "user": ["age"]}


def test_none_turns_a_path_off(ml100k):
    cfg = load_train_config_dict(ml100k, ["--save-model-path", "none", "--save-embed-path", "null"])
    assert cfg.output.save_model_path is None and cfg.output.save_embed_path is None


def test_values_are_yaml_scalars():
    out = parse_overrides(["--lr", "0.1", "--use-self-loop", "false", "--num-bases", "-1",
                           "--fanout", "10,5", "--train-etype", "[a,b,c]"])
    assert out["lr"] == (0.1, "--lr") and out["use_self_loop"][0] is False
    assert out["num_bases"][0] == -1 and out["fanout"][0] == "10,5"
    assert out["train_etype"][0] == ["a", "b", "c"]


def test_unknown_flag_suggests():
    with pytest.raises(ConfigError, match=r"--num-epcohs; did you mean '--num-epochs'"):
        parse_overrides(["--num-epcohs", "3"])


def test_unsupported_flag():
    with pytest.raises(ConfigError, match="not supported by graphstorm_py yet"):
        parse_overrides(["--use-pseudolabel", "true"])


@pytest.mark.parametrize("argv", [["--lr"], ["lr", "0.1"], ["--lr", "0.1", "extra", "--"]])
def test_malformed_argv(argv):
    with pytest.raises(ConfigError):
        parse_overrides(argv)


def test_bad_override_value_names_the_flag(ml100k):
    with pytest.raises(ConfigError, match=r"'batch_size' \(command line --batch-size\)"):
        load_train_config_dict(ml100k, ["--batch-size", "0"])


def test_graphstorm_argparse_conventions():
    """Unambiguous prefixes, -e, bare boolean flags, GraphStorm's other keys (issue 13, group 2)."""
    out = parse_overrides(["--remove-target-edge", "false", "-e", "2", "--infer-all-target-nodes",
                           "--num-negative-edges", "4", "--num-servers", "1", "--verbose"])
    assert out["remove_target_edge_type"] == (False, "--remove-target-edge")
    assert out["num_epochs"] == (2, "-e") and out["infer_all_target_nodes"][0] is True
    assert out["num_negative_edges"][0] == 4            # exact name wins over the longer num_negative_edges_eval
    assert out["num_servers"][0] == 1 and out["verbose"][0] is True


@pytest.mark.parametrize("argv,match", [
    (["--num-", "1"], "ambiguous flag --num- could match"),
    (["--save-embed", "x"], "--save-embed-format, --save-embed-path"),
    (["--lr"], "--lr needs a value"),
    (["-x", "1"], "expected a --flag"),
])
def test_flag_errors(argv, match):
    with pytest.raises(ConfigError, match=match):
        parse_overrides(argv)
