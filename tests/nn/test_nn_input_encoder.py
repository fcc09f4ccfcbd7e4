import torch

from graphstorm_py.nn.input_encoder import NodeInputEncoder

NUM = {"user": 10, "item": 8, "tag": 4}
DIMS = {"user": 5, "item": 3}


def test_features_are_projected_and_featureless_types_use_embeddings():
    enc = NodeInputEncoder(NUM, DIMS, 6)
    ids = {"user": torch.tensor([1, 2]), "tag": torch.tensor([0, 3, 3])}
    feat = torch.randn(2, 5)
    out = enc(ids, {"user": feat, "tag": None})
    assert out["user"].shape == (2, 6) and out["tag"].shape == (3, 6)
    torch.testing.assert_close(out["user"], feat @ enc.input_projs["user"])
    torch.testing.assert_close(out["tag"], enc.embeds["tag"].weight[ids["tag"]] @ enc.proj_matrix["tag"])
    assert set(enc.embeds) == {"tag"}


def test_use_node_embeddings_concatenates_then_projects():
    enc = NodeInputEncoder(NUM, DIMS, 4, use_node_embeddings=True)
    assert set(enc.embeds) == set(NUM) and enc.proj_matrix["item"].shape == (8, 4)
    ids, feat = torch.tensor([0, 7]), torch.randn(2, 3)
    expect = torch.cat([feat @ enc.input_projs["item"], enc.embeds["item"].weight[ids]], 1) @ enc.proj_matrix["item"]
    torch.testing.assert_close(enc({"item": ids}, {"item": feat})["item"], expect)


def test_sparse_and_dense_parameters_train_with_their_optimizers():
    enc = NodeInputEncoder(NUM, DIMS, 4)
    sparse, dense = list(enc.sparse_parameters()), list(enc.dense_parameters())
    assert len(sparse) == 1 and {id(p) for p in sparse}.isdisjoint(id(p) for p in dense)
    assert len(sparse) + len(dense) == len(list(enc.parameters()))
    before = enc.embeds["tag"].weight.detach().clone()
    opt_s, opt_d = torch.optim.SparseAdam(sparse, lr=0.1), torch.optim.Adam(dense, lr=0.1)
    out = enc({"tag": torch.tensor([1]), "user": torch.tensor([0])}, {"user": torch.randn(1, 5)})
    (out["tag"].sum() + out["user"].sum()).backward()
    assert enc.embeds["tag"].weight.grad.is_sparse
    opt_s.step()
    opt_d.step()
    changed = (enc.embeds["tag"].weight.detach() != before).any(1)
    assert changed.tolist() == [False, True, False, False]


def test_activation_dropout_and_ngnn_layers():
    enc = NodeInputEncoder(NUM, DIMS, 4, activation="relu", num_ffn_layers_in_input=2, dropout=0.5).eval()
    assert len(enc.ngnn["user"].weights) == 2
    out = enc({"user": torch.arange(3)}, {"user": torch.randn(3, 5)})["user"]
    assert out.shape == (3, 4) and (out >= 0).all()
