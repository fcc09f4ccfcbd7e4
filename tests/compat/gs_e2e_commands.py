"""GraphStorm's end-to-end MovieLens training/inference commands, as its test scripts run them.

Transcribed from awslabs/graphstorm ``tests/end2end-tests/graphstorm-{nc,ec,er,lp}/test.sh``:
each entry is the command's flags after ``python3 -m graphstorm.run.gs_<task>`` (or the
standalone ``gsgnn_*.py``), unchanged except for paths: ``$WS`` is the workspace holding our
copies of the YAMLs (``yamls/``), ``$TMP`` a scratch folder for GraphStorm's ``/tmp`` and ``/data``
outputs, ``$G`` the graph GraphStorm names in ``--part-config``
(built from ``movielens.json``; the ``*_no_test_*`` / multi-label / multi-feature /
no-edge-data variants are derived from it, see :mod:`graph_variants`), and checkpoints of
"epoch-1"/"epoch-2" become "epoch-0" because every command runs one epoch (``--num-epochs 1``
is put first, so a command's own ``--num-epochs``/``-e`` still wins). The launcher flags
(``--num-trainers 1 --num-servers 1 --num-samplers 0 --ip-config ip_list.txt --ssh-port 2222
--workspace``) stay: gs-train accepts them.

``expect``: ``None`` when the command must pass; else a text the error must contain, with the
GraphStorm feature that issue 13 leaves to its other groups (5, 6, 7, 9).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

L = "--num-trainers 1 --num-servers 1 --num-samplers 0 --ip-config ip_list.txt --ssh-port 2222"
G9_CONSTRUCT = "construct_feat_ntype"      # group 9: construct_feat_ntype
G9_MULTI = "several target node types"    # group 9: several target node types in one task
G9_FANOUT = "fanout"                       # group 9: fanout keyed by relation name only
G6_NO_MASK = "train_mask"                  # group 6: LP on an edge type without train_mask


@dataclass(frozen=True)
class Command:
    name: str
    script: str                 # "train" or "infer"
    graph: str                  # graph variant, see graph_variants.VARIANTS
    args: str
    expect: Optional[str] = None

    @property
    def group(self) -> Optional[str]:
        return None if self.expect is None else {G9_CONSTRUCT: "9 (construct_feat_ntype)",
                                                 G9_MULTI: "9 (several target node types)",
                                                 G9_FANOUT: "9 (fanout by relation name)",
                                                 G6_NO_MASK: "6 (LP without train_mask)"}[self.expect]


def _c(name, args, graph="main", script="train", expect=None) -> Command:
    return Command(name, script, graph, args, expect)


NC = f"--workspace $WS {L} --part-config $G/movie-lens-100k.json --cf ml_nc.yaml"
NC_INFER_M = "--restore-model-path ./models/movielen_100k/train_val/movielen_100k_ngnn_model/epoch-0/"
COMMANDS: Tuple[Command, ...] = (
    # ---- graphstorm-nc/test.sh --------------------------------------------------------------
    _c("nc-standalone", "--part-config $G/movie-lens-100k.json --cf $WS/ml_nc.yaml "
       "--save-model-path ./models/movielen_100k/train_val/standalone"),
    _c("nc-launch", NC),
    _c("nc-decoder-norm-layer", f"{NC} --decoder-norm layer"),
    _c("nc-construct-feat", f"{NC} --node-feat-name movie:title --construct-feat-ntype user --decoder-norm batch"),
    _c("nc-construct-feat-full", f"{NC} --node-feat-name movie:title --construct-feat-ntype user "
       "--use-mini-batch-infer false"),
    _c("nc-input-activate", f"{NC} --input-activate none"),
    _c("nc-no-test", f"{NC} --logging-file $TMP/gs_compat_train_log.txt", graph="no_test"),
    _c("nc-profile", f"{NC} --profile-path $TMP/ML_np_profile"),
    _c("nc-full-graph", f"{NC} --use-mini-batch-infer false"),
    _c("nc-ngnn-gnn", f"{NC} --use-mini-batch-infer false --num-ffn-layers-in-gnn 1 "
       "--save-model-path ./models/movielen_100k/train_val/movielen_100k_ngnn_model"),
    _c("nc-ngnn-gnn-infer", f"--inference {NC} {NC_INFER_M}", script="infer"),
    _c("nc-ngnn-input", f"{NC} --use-mini-batch-infer false --num-ffn-layers-in-input 1 "
       "--save-model-path ./models/movielen_100k/train_val/movielen_100k_ngnn_model"),
    _c("nc-ngnn-input-infer", f"--inference {NC} {NC_INFER_M}", script="infer"),
    _c("nc-node-embed", f"{NC} --use-node-embeddings true --use-mini-batch-infer false"),
    _c("nc-grad-clip", f"{NC} --use-node-embeddings true --use-mini-batch-infer false --max-grad-norm 0.1 "
       "--grad-norm-type 2"),
    _c("nc-2-layers-save", f"{NC} --fanout '10,15' --num-layers 2 --use-mini-batch-infer false "
       "--save-model-path ./models/movielen_100k/train_val/movielen_100k_utext_train_val_1p_4t_model "
       "--save-model-frequency 1000"),
    _c("nc-restart", f"{NC} --fanout '10,15' --num-layers 2 --restore-model-path "
       "./models/movielen_100k/train_val/movielen_100k_utext_train_val_1p_4t_model/epoch-0"),
    _c("nc-rgat", f"{NC} --model-encoder-type rgat"),
    _c("nc-rgat-heads", f"{NC} --model-encoder-type rgat --num-heads 8"),
    _c("nc-rgat-full", f"{NC} --model-encoder-type rgat --use-mini-batch-infer false"),
    _c("nc-rgat-batch-norm", f"{NC} --model-encoder-type rgat --use-mini-batch-infer false --gnn-norm batch"),
    _c("nc-rgat-2-layers", f"{NC} --model-encoder-type rgat --fanout '5,10' --num-layers 2 "
       "--use-mini-batch-infer false"),
    _c("nc-hgt", f"{NC} --model-encoder-type hgt"),
    _c("nc-hgt-full", f"{NC} --model-encoder-type hgt --use-mini-batch-infer false"),
    _c("nc-multilabel", f"{NC} --save-embed-path ./model/ml-emb/ --num-epochs 3 --multilabel true --num-classes 5 "
       "--node-feat-name movie:title user:feat", graph="multilabel_nc"),
    _c("nc-multilabel-weights", f"{NC} --save-embed-path ./model/ml-emb/ --num-epochs 3 --multilabel true "
       "--num-classes 5 --node-feat-name movie:title user:feat --use-mini-batch-infer false "
       "--multilabel-weights 0.3,0.3,0.1,0.1,0.2", graph="multilabel_nc"),
    _c("nc-imbalance", f"{NC} --fanout '10,15' --num-layers 2 --use-mini-batch-infer false "
       "--imbalance-class-weights 1,1,1,1,2,1,1,1,1,2,1,1,1,1,2,1,1,1,1"),
    _c("nc-multi-node-feat", f"{NC} --num-epochs 3 --node-feat-name user:feat0 movie:title", graph="multi_feat"),
    _c("nc-multi-feat", f"{NC} --num-epochs 3 --node-feat-name movie:title user:feat0,feat1", graph="multi_feat"),
    _c("nc-multi-target", f"--workspace $WS {L} --part-config $G/movie-lens-100k.json "
       "--cf ml_nc_multi_target_ntypes.yaml --num-epochs 3 --save-model-path $TMP/gsgnn_nc_ml/",
       graph="multi_target"),
    _c("nc-multi-target-infer", f"--inference --workspace $WS {L} --part-config $G/movie-lens-100k.json "
       "--cf ml_nc_multi_target_ntypes.yaml --save-embed-path $TMP/gsgnn_nc_ml/infer-emb/ --save-prediction-path "
       "$TMP/gsgnn_nc_ml/prediction/ --restore-model-path $TMP/gsgnn_nc_ml/epoch-0/ --preserve-input True",
       graph="multi_target", script="infer"),
    _c("nc-multi-target-multilabel", f"--workspace $WS {L} --part-config $G/movie-lens-100k.json "
       "--cf ml_nc_multi_target_ntypes_multilabel.yaml --num-epochs 3", graph="multi_target_multilabel"),
)

EC = f"--workspace $WS {L} --part-config $G/movie-lens-100k.json --cf ml_ec.yaml"
EC2 = f"{EC} --part-config $G/movie-lens-100k.json"          # GraphStorm's scripts repeat --part-config
COMMANDS += (
    # ---- graphstorm-ec/test.sh --------------------------------------------------------------
    _c("ec-standalone", "--part-config $G/movie-lens-100k.json --cf $WS/ml_ec.yaml"),
    _c("ec-launch", f"{EC} --num-epochs 1"),
    _c("ec-construct-feat", f"{EC} --num-epochs 1 --node-feat-name movie:title --construct-feat-ntype user"),
    _c("ec-no-test", f"{EC} --num-epochs 1 --logging-file $TMP/gs_compat_train_log.txt", graph="no_test"),
    _c("ec-profile", f"{EC2} --num-epochs 1 --profile-path $TMP/ML_ec_profile"),
    _c("ec-roc-auc", f"{EC2} --eval-metric roc_auc --num-epochs 1 --node-feat-name movie:title"),
    _c("ec-decoder-norm-layer", f"{EC2} --eval-metric roc_auc --num-epochs 1 --decoder-norm layer"),
    _c("ec-decoder-norm-batch", f"{EC2} --eval-metric roc_auc --num-epochs 1 --decoder-norm batch"),
    _c("ec-full-graph", f"{EC2} --use-mini-batch-infer false --num-epochs 1"),
    _c("ec-keep-target-edges", f"{EC2} --remove-target-edge false --num-epochs 1"),
    _c("ec-relation-fanout", f"{EC2} --fanout 'rating:10@rating-rev:2,rating:5@rating-rev:0' "
       "--eval-fanout 'rating:10@rating-rev:2,rating:5@rating-rev:0' --num-layers 2 --num-epochs 1"),
    _c("ec-multilabel", f"{EC2} --exclude-training-targets True --reverse-edge-types-map "
       "user,rating,rating-rev,movie --multilabel true --node-feat-name movie:title --num-epochs 1",
       graph="multilabel_ec"),
    _c("ec-imbalance", f"{EC2} --use-mini-batch-infer false --imbalance-class-weights 1,1,2,1,2 --num-epochs 1"),
    _c("ec-early-stop", f"{EC2} --use-early-stop True --early-stop-burnin-rounds 2 -e 30 --early-stop-rounds 3 "
       "--eval-frequency 100 --lr 0.01 --logging-file $TMP/gs_compat_exec.log"),
)

ER = f"--workspace $WS {L} --part-config $G/movie-lens-100k.json --cf ml_er.yaml"
ER2 = f"{ER} --part-config $G/movie-lens-100k.json"
COMMANDS += (
    # ---- graphstorm-er/test.sh --------------------------------------------------------------
    _c("er-launch", f"{ER} --num-epochs 1"),
    _c("er-no-test", f"{ER}  --num-epochs 1 --logging-file $TMP/gs_compat_train_log.txt", graph="no_test"),
    _c("er-mse-batch-norm", f"{ER2} --eval-metric mse --num-epochs 1 --decoder-norm batch"),
    _c("er-mae-layer-norm", f"{ER2} --eval-metric mae --num-epochs 1 --decoder-norm layer"),
    _c("er-full-graph", f"{ER2} --use-mini-batch-infer false --num-epochs 1"),
    _c("er-save-model-and-emb", f"{ER2} --use-mini-batch-infer false --save-model-path ./model/er_model/ "
       "--topk-model-to-save 3 --save-embed-path ./model/ml-emb/ --num-epochs 1 --save-model-frequency 1000"),
    _c("er-nccl", f"{ER} --num-epochs 1 --node-feat-name movie:title user:feat --backend nccl"),
)

LP = f"--workspace $WS {L} --part-config $G/movie-lens-100k.json --cf ml_lp.yaml"
LP_M = "./models/movielen_100k/train_val/movielen_100k_ngnn_model"
UNI = "--train-negative-sampler uniform --exclude-training-targets True --reverse-edge-types-map " \
      "user,rating,rating-rev,movie --num-epochs 1 --eval-frequency 300"
TWO = "--fanout '10,15' --num-layers 2 --use-mini-batch-infer false"
BOTH = "--train-etype user,rating,movie movie,rating-rev,user --num-epochs 1 --eval-frequency 300"
COMMANDS += (
    # ---- graphstorm-lp/test.sh --------------------------------------------------------------
    _c("lp-standalone", "--part-config $G/movie-lens-100k.json --cf $WS/ml_lp.yaml"),
    _c("lp-launch", f"{LP} --num-epochs 1 --eval-frequency 300"),
    _c("lp-construct-feat", f"{LP} --num-epochs 1 --eval-frequency 300 --node-feat-name movie:title "
       "--construct-feat-ntype user --use-mini-batch-infer false"),
    _c("lp-no-test", f"{LP} --num-epochs 1 --eval-frequency 300 --logging-file $TMP/gs_compat_train_log.txt",
       graph="no_test"),
    _c("lp-profile", f"{LP} --num-epochs 1 --eval-frequency 300 --profile-path $TMP/ML_lp_profile"),
    _c("lp-no-train-mask", f"{LP} --num-epochs 1 --eval-frequency 300 --no-validation true", graph="no_edata"),
    _c("lp-uniform-exclude", f"{LP} {UNI}"),
    _c("lp-grad-clip", f"{LP} {UNI} --max-grad-norm 0.1 --grad-norm-type 1"),
    _c("lp-gnn-norm", f"{LP} {UNI} --gnn-norm layer"),
    _c("lp-node-embed-full", f"{LP} --use-node-embeddings true --use-mini-batch-infer false --num-epochs 1 "
       "--eval-frequency 300"),
    _c("lp-ngnn-gnn-l2", f"{LP} --use-node-embeddings true --use-mini-batch-infer false --num-epochs 1 "
       f"--eval-frequency 300 --num-ffn-layers-in-gnn 1 --save-model-path {LP_M} --lp-embed-normalizer l2_norm "
       "--save-embed-path $TMP/gsgnn_lp_ml/emb/"),
    _c("lp-ngnn-gnn-infer-full", f"--inference {LP} --use-node-embeddings true --use-mini-batch-infer false "
       f"--num-epochs 1 --eval-frequency 300 --restore-model-path {LP_M}/epoch-0/ --lp-embed-normalizer l2_norm "
       "--save-embed-path $TMP/gsgnn_lp_ml/full-infer-emb/", script="infer"),
    _c("lp-ngnn-gnn-infer-mini", f"--inference {LP} --use-node-embeddings true --use-mini-batch-infer true "
       f"--num-epochs 1 --eval-frequency 300 --restore-model-path {LP_M}/epoch-0/ --lp-embed-normalizer l2_norm "
       "--save-embed-path $TMP/gsgnn_lp_ml/mini-infer-emb/", script="infer"),
    _c("lp-ngnn-input", f"{LP} --use-node-embeddings true --use-mini-batch-infer false --num-epochs 1 "
       f"--eval-frequency 300 --num-ffn-layers-in-input 1 --save-model-path {LP_M}"),
    _c("lp-ngnn-input-infer", f"--inference {LP} --use-node-embeddings true --use-mini-batch-infer false "
       f"--num-epochs 1 --eval-frequency 300 --restore-model-path {LP_M}/epoch-0/", script="infer"),
    _c("lp-2-layers", f"{LP} --fanout '10,15' --num-layers 2 --num-epochs 1 --eval-frequency 300"),
    _c("lp-2-layers-full-embed", f"{LP} {TWO}  --use-node-embeddings true --num-epochs 1 --eval-frequency 300"),
    _c("lp-contrastive", f"{LP} {TWO} --num-epochs 1 --eval-frequency 300 --contrastive-loss-temperature 0.01 "
       "--lp-loss-func contrastive"),
    _c("lp-distmult-contrastive", f"{LP} {TWO} --lp-decoder-type distmult {BOTH} --contrastive-loss-temperature "
       "0.01 --lp-loss-func contrastive"),
    _c("lp-rotate-contrastive", f"{LP} {TWO} --lp-decoder-type rotate {BOTH} --contrastive-loss-temperature 0.01 "
       "--lp-loss-func contrastive"),
    _c("lp-distmult-adversarial", f"{LP} {TWO} --lp-decoder-type distmult {BOTH} --lp-loss-func cross_entropy "
       "--adversarial-temperature 0.1"),
    _c("lp-rotate-adversarial", f"{LP} {TWO} --lp-decoder-type rotate {BOTH} --lp-loss-func cross_entropy "
       "--adversarial-temperature 0.1"),
)

NCO = "--part-config $G/movie-lens-100k.json --cf $WS/ml_nc.yaml"
OWN_COMMANDS: Tuple[Command, ...] = (
    # ---- ours, GraphStorm-style: the keys and flags of issue 13's groups 1-4 and 8 that
    # GraphStorm's scripts do not pass
    _c("own-homogeneous-nc", "--part-config $G/movie-lens-100k.json --cf $WS/ml_nc_homogeneous.yaml",
       graph="homogeneous"),
    _c("own-homogeneous-ec", "--part-config $G/movie-lens-100k.json --cf $WS/ml_ec_homogeneous.yaml",
       graph="homogeneous"),
    _c("own-flags", f"{NCO} --logging-level debug --logging-file $TMP/own.log --verbose true "
       "--task-tracker tensorboard_task_tracker:$TMP/tb --use-graphbolt true --use-wholegraph-embed true "
       "--lm-train-nodes 10 --freeze-lm-encoder-epochs 0 --save-model-path ./models/own --use-early-stop false "
       "--save-prediction-path $TMP/own-pred --infer-all-target-nodes true --num-samp 0"),
    _c("own-decoder-bias", f"{NCO} --decoder-bias true --decoder-norm batch --remove-target-edge-type true"),
    _c("own-resume", f"{NCO} -e 2 --resume-from-checkpoint ./models/own/epoch-0 "
       "--save-model-path ./models/own-resumed"),
    _c("own-restore-epoch-0", f"{NCO} -e 2 --restore-model-path ./models/own/epoch-0 --restore-model-layers embed,gnn "
       "--save-model-path ./models/own-restored"),
    _c("own-infer-yaml", "--part-config $G/movie-lens-100k.json --cf $WS/ml_nc_infer.yaml --restore-model-path "
       "./models/own/epoch-0 --restore-model-layers embed,gnn,decoder --infer-all-target-nodes true "
       "--save-prediction-path $TMP/own-infer-pred --use-mini-batch-infer false --lm-infer-batch-size 32",
       script="infer"),
    _c("own-infer-evaluate", "--part-config $G/movie-lens-100k.json --cf $WS/ml_nc_infer.yaml "
       "--restore-model-path ./models/own/epoch-0 --restore-model-layers dense_embed,sparse_embed,gnn,decoder",
       script="infer"),
)
"""Commands of our own in GraphStorm's style (not counted among GraphStorm's)."""
