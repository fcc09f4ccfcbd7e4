"""Messages that name a wrong type, label or key read as one sentence: what is wrong, then "did you mean".

Before: ``'user,sells,item'; did you mean 'user,buys,item'? is not an edge type of the graph``.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model"))
from gaps_helpers import BUYS, make_gaps_graph  # noqa: E402

from graphstorm_py.errors import GSError  # noqa: E402
from graphstorm_py.graph import GraphDataset  # noqa: E402
from graphstorm_py.model import NodeFeatureSource  # noqa: E402
from graphstorm_py.nn.encoders import build_gnn_encoder  # noqa: E402
from graphstorm_py.sampling import parse_fanout  # noqa: E402
from graphstorm_py.store import LocalFeatureStore  # noqa: E402
from graphstorm_py.tasks.edge_targets import EdgeTargets  # noqa: E402
from graphstorm_py.tasks.link_prediction_targets import LPTargets  # noqa: E402
from graphstorm_py.tasks.node_targets import NodeTargets  # noqa: E402

MASKS = ["train_mask", "val_mask", "test_mask"]


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return GraphDataset.open(make_gaps_graph(str(tmp_path_factory.mktemp("msg") / "g")))


CASES = {
    "target_etype": (lambda ds: EdgeTargets(ds, ("user", "bys", "item"), "klass", MASKS),
                     "target_etype 'user,bys,item' is not an edge type of the graph; edge types: ",
                     "did you mean 'user,buys,item'?"),
    "edge label_field": (lambda ds: EdgeTargets(ds, BUYS, "klas", MASKS),
                         "label_field 'klas': edge type 'user,buys,item' has no such label; its labels: ",
                         "did you mean 'klass'?"),
    "decoder_edge_feat": (lambda ds: EdgeTargets(ds, BUYS, "klass", MASKS, edge_feat_names=["scor"]),
                          "decoder_edge_feat 'scor': edge type 'user,buys,item' has no such feature; ",
                          "its features: none"),
    "target_ntype": (lambda ds: NodeTargets(ds, "items", "cls", MASKS),
                     "target_ntype 'items' is not a node type of the graph; node types: ", "did you mean 'item'?"),
    "node label_field": (lambda ds: NodeTargets(ds, "item", "clss", MASKS),
                         "label_field 'clss': node type 'item' has no such label; its labels: ",
                         "did you mean 'cls'?"),
    "train_etype": (lambda ds: LPTargets(ds, [("user", "buy", "item")], None, MASKS),
                    "train_etype: 'user,buy,item' is not an edge type of the graph; edge types: ",
                    "did you mean 'user,buys,item'?"),
    "node_feat_name type": (lambda ds: NodeFeatureSource.from_config(LocalFeatureStore(ds), {"usr": ["f"]}, ds.ntypes),
                            "node_feat_name names node type 'usr', which the graph does not have; node types: ",
                            "did you mean 'user'?"),
    "node_feat_name feature": (lambda ds: NodeFeatureSource.from_config(LocalFeatureStore(ds), {"user": ["ff"]},
                                                                        ds.ntypes),
                               "node_feat_name: node type 'user' has no feature 'ff'; it has ", "did you mean 'f'?"),
    "store array": (lambda ds: LocalFeatureStore(ds).gather("item", "pp", [0]),
                    "node type 'item' has no array 'pp'; it has ", "did you mean 'p'?"),
    "fanout edge type": (lambda ds: parse_fanout("user/buy/item:2", ds.etypes),
                         "fanout layer 0: unknown edge type 'user/buy/item'; edge types: ",
                         "did you mean 'user/buys/item'?"),
    "node mask_fields": (lambda ds: NodeTargets(ds, "item", "cls", ["train_msk"] + MASKS[1:]),
                         "mask_fields: node type 'item' has no train mask 'train_msk'; its masks: ",
                         "did you mean 'train_mask'?"),
    "edge mask_fields": (lambda ds: EdgeTargets(ds, BUYS, "klass", ["trian_mask"] + MASKS[1:]),
                         "mask_fields: edge type 'user,buys,item' has no train mask 'trian_mask'; its masks: ",
                         "did you mean 'train_mask'?"),
    "registry": (lambda ds: build_gnn_encoder("rgnc", ds.ntypes, ds.etypes, 4, 1),
                 "unknown gnn encoder 'rgnc' (key 'model_encoder_type'); valid choices: ", "did you mean 'rgcn'?"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_problem_first_then_suggestion(ds, case):
    make, start, end = CASES[case]
    with pytest.raises(GSError) as exc:
        make(ds)
    msg = str(exc.value)
    assert msg.startswith(start) and msg.endswith(end), msg
    assert msg.count("did you mean") <= 1
