"""GraphStorm's training/inference keys and launcher flags that have no field in our models.

GraphStorm (``graphstorm.config.argument``) reads every key of every ``gsf:`` section, and its
launchers (``python -m graphstorm.run.gs_*``) take flags of their own. A GraphStorm config must
run here unchanged, so each such name is accepted. Keys we implement are fields of the config
models (:mod:`~graphstorm_py.config.schema`); the others are listed here, each with the reason
the loader logs (one INFO line per key given):

* :data:`NO_EFFECT` — meaningful in GraphStorm's runtime (DGL servers, ssh launcher,
  WholeGraph, GraphBolt), meaningless in ours;
* :data:`UNUSED` — settings of a feature this run does not use (a language model when there
  is none, GraphStorm's distillation command, user-defined ``udf`` keys).

Keys of GraphStorm features we do not have yet stay errors
(:data:`~graphstorm_py.config.schema.UNSUPPORTED_KEYS`), and so does any name GraphStorm does
not know (with a "did you mean"). :data:`GRAPHSTORM_KEYS` lists every name GraphStorm accepts;
a test checks that each one is implemented, accepted or named as not supported yet, and
:mod:`~graphstorm_py.config.compat_table` writes the table of docs/graphstorm-compat.md from it.
"""

from __future__ import annotations

from typing import Dict, Tuple

__all__ = ["NO_EFFECT", "UNUSED", "ACCEPTED", "ACCEPTED_TOP_LEVEL", "GRAPHSTORM_KEYS", "LAUNCHER_FLAGS", "SHORT_FLAGS",
           "accepted_note"]

_ONE_PROCESS_SET = ("graphstorm_py has no separate server or sampler processes: each worker "
                    "serves and samples its own partitions")
_NO_SSH = "graphstorm_py starts workers without ssh (torchrun or Ray)"

NO_EFFECT: Dict[str, str] = {
    # launcher / storage settings of GraphStorm's DGL runtime
    "ip_config": "workers find each other through torch.distributed's environment (torchrun) or Ray, "
                 "not an IP list",
    "num_servers": _ONE_PROCESS_SET,
    "num_samplers": _ONE_PROCESS_SET,
    "num_server_threads": _ONE_PROCESS_SET,
    "ssh_port": _NO_SSH,
    "ssh_username": _NO_SSH,
    "extra_envs": "graphstorm_py runs no remote shells to pass environment variables to; set them "
                  "in the environment of the command",
    "graph_format": "graphstorm_py's graph format always stores one CSC per edge type",
    "use_graphbolt": "GraphBolt is a DGL graph storage; graphstorm_py's graph format and sampler "
                     "are its own",
    "use_wholegraph_embed": "WholeGraph is a GPU storage for DGL embeddings; graphstorm_py keeps "
                            "sparse embeddings with the partition that owns the node",
    "do_nid_remap": "gs-infer always writes outputs keyed by the original node IDs",
    "with_shared_fs": "workers read the graph and write outputs through fsspec paths, shared or not",
    "local_rank": "torchrun's environment variables give the rank",
    "preserve_input": "gs-infer writes outputs keyed by original IDs directly, so there are no "
                      "un-remapped input files to keep",
    "save_embed_format": "embeddings are written as Parquet (or CSV with --output-format), keyed by "
                         "the original IDs",
}
"""GraphStorm names that configure GraphStorm's runtime; accepted and logged, with the reason."""

_NO_LM = "it configures a language model, and this model has none"
UNUSED: Dict[str, str] = {
    "lm_tune_lr": _NO_LM,
    "lm_train_nodes": _NO_LM,
    "lm_infer_batch_size": _NO_LM,
    "freeze_lm_encoder_epochs": _NO_LM,
    "cache_lm_embed": _NO_LM,
    "max_seq_len": _NO_LM,
    "training_method": f"{_NO_LM} (GLEM co-training)",
    "lm_encoder_only": _NO_LM,
    "textual_data_path": "it is read only by GraphStorm's distillation command (gs_gen_node_embedding "
                         "--distill), not by training or inference",
    "max_distill_step": "it is read only by GraphStorm's distillation command, not by training or "
                        "inference",
    "bert_infer_bs": "it is the old name of lm_infer_batch_size (a language model's inference batch "
                     "size), which GraphStorm's own YAMLs still carry and GraphStorm no longer reads",
}
"""Settings of features a run does not use; accepted and logged as unused."""

ACCEPTED: Dict[str, Tuple[str, str]] = {
    **{k: ("no effect here", v) for k, v in NO_EFFECT.items()},
    **{k: ("unused here", v) for k, v in UNUSED.items()},
}
"""Key → (what happens, why), for :func:`accepted_note`."""

ACCEPTED_TOP_LEVEL: Dict[str, Tuple[str, str]] = {
    "udf": ("unused here", "its user-defined keys are read only by custom code written for GraphStorm"),
}
"""Top-level blocks besides ``version`` and ``gsf`` that are accepted and logged."""

LAUNCHER_FLAGS = ("workspace", "num_trainers", "inference")
"""GraphStorm launcher flags that gs-train / gs-infer handle as command-line options (see the CLIs)."""

SHORT_FLAGS = {"-e": "num_epochs"}
"""GraphStorm's single-dash flags (``-e 3`` is ``--num-epochs 3``)."""

GRAPHSTORM_KEYS: Tuple[str, ...] = (
    # environment and launcher
    "yaml_config_file", "backend", "verbose", "logging_level", "logging_file", "ip_config", "part_config",
    "save_perf_results_path", "profile_path", "task_tracker", "log_report_frequency", "local_rank",
    "use_wholegraph_embed", "use_graphbolt", "workspace", "num_trainers", "num_servers", "num_samplers",
    "num_server_threads", "ssh_port", "ssh_username", "graph_format", "extra_envs", "do_nid_remap",
    "with_shared_fs", "inference",
    # model
    "model_encoder_type", "node_feat_name", "edge_feat_name", "edge_feat_mp_op", "num_layers",
    "hidden_size", "use_self_loop", "num_bases", "num_heads", "fanout", "eval_fanout", "dropout",
    "gnn_norm", "input_activate", "num_ffn_layers_in_input", "num_ffn_layers_in_gnn",
    "num_ffn_layers_in_decoder", "use_node_embeddings", "use_mini_batch_infer", "decoder_norm",
    "decoder_bias", "construct_feat_ntype", "construct_feat_encoder", "construct_feat_fanout",
    # save / restore
    "save_model_path", "save_model_frequency", "topk_model_to_save", "save_embed_path",
    "save_embed_format", "save_prediction_path", "restore_model_path", "restore_model_layers",
    "restore_optimizer_path", "infer_all_target_nodes", "preserve_input",
    # hyper-parameters, evaluation, early stop
    "lr", "sparse_optimizer_lr", "num_epochs", "batch_size", "eval_batch_size", "wd_l2norm",
    "alpha_l2norm", "max_grad_norm", "grad_norm_type", "eval_frequency", "no_validation",
    "fixed_test_size", "use_early_stop", "early_stop_burnin_rounds", "early_stop_rounds",
    "early_stop_strategy",
    # language models and distillation
    "lm_tune_lr", "lm_train_nodes", "lm_infer_batch_size", "freeze_lm_encoder_epochs",
    "cache_lm_embed", "max_seq_len", "training_method", "lm_encoder_only", "textual_data_path",
    "max_distill_step", "bert_infer_bs",
    # every task
    "task_type", "eval_metric", "mask_fields", "task_weight",
    # classification / regression
    "label_field", "num_classes", "multilabel", "multilabel_weights", "imbalance_class_weights",
    "return_proba", "class_loss_func", "regression_loss_func", "alpha", "gamma", "use_pseudolabel",
    # node tasks
    "target_ntype", "eval_target_ntype",
    # edge tasks
    "target_etype", "remove_target_edge_type", "reverse_edge_types_map", "decoder_type",
    "num_decoder_basis", "decoder_edge_feat",
    # link prediction
    "train_etype", "eval_etype", "lp_decoder_type", "train_negative_sampler",
    "eval_negative_sampler", "num_negative_edges", "num_negative_edges_eval", "lp_loss_func",
    "adversarial_temperature", "contrastive_loss_temperature", "lp_embed_normalizer",
    "lp_edge_weight_for_loss", "exclude_training_targets", "report_eval_per_type",
    "model_select_etype", "train_etypes_negative_dstnode", "eval_etypes_negative_dstnode",
    "num_train_hard_negatives",
    # multi-task reconstruction tasks
    "reconstruct_nfeat_name",
)
"""Every key of GraphStorm's training YAML and every flag of its training/inference commands,
snake_case, in the order of GraphStorm's configuration documentation."""


def accepted_note(key: str, where: str) -> str:
    """The INFO line for an accepted key: ``'ip_config' (section 'basic'): no effect here, because ...``."""
    what, why = ACCEPTED.get(key) or ACCEPTED_TOP_LEVEL[key]
    return f"'{key}' ({where}): {what}, because {why}"
