import math

import pytest
import torch

from graphstorm_py.errors import ConfigError
from graphstorm_py.nn.decoders import (EDGE_DECODERS, LP_DECODERS, DenseBiDecoder, EntityClassifier,
                                       EntityRegression, MLPEdgeDecoder)

ETYPES = [("u", "r0", "i"), ("u", "r1", "u")]


def test_node_heads():
    h = torch.randn(5, 4)
    clf = EntityClassifier(4, 3, use_bias=True)
    with torch.no_grad():
        clf.bias.fill_(0.5)
    torch.testing.assert_close(clf(h), h @ clf.decoder + 0.5)
    assert torch.equal(clf.predict(h), (h @ clf.decoder).argmax(1))
    torch.testing.assert_close(clf.predict_proba(h).sum(1), torch.ones(5))
    ml = EntityClassifier(4, 3, multilabel=True)
    assert torch.equal(ml.predict(h), (h @ ml.decoder > 0).long())
    reg = EntityRegression(4)
    assert reg(h).shape == (5, 1) and torch.equal(reg.predict(h), h @ reg.decoder)
    assert EntityClassifier(4, 3, num_ffn_layers=1)(h).shape == (5, 3)


def test_dense_bi_decoder_by_hand():
    u, v = torch.randn(6, 4), torch.randn(6, 4)
    dec = DenseBiDecoder(4, 3, num_basis=2)
    s = torch.stack([torch.stack([u[a] @ dec.basis_para[b] @ v[a] for b in range(2)]) for a in range(6)])
    torch.testing.assert_close(dec(u, v), s @ dec.combine_basis.weight.T)
    reg = DenseBiDecoder(4, 1, regression=True)
    assert reg(u, v).shape == (6, 1)


def test_mlp_edge_decoder_by_hand():
    u, v, f = torch.randn(6, 4), torch.randn(6, 4), torch.randn(6, 2)
    dec = MLPEdgeDecoder(4, 3)
    torch.testing.assert_close(dec(u, v), torch.cat([u, v], 1) @ dec.decoder)
    ef = MLPEdgeDecoder(4, 3, edge_feat_dim=2)
    a = torch.relu(torch.cat([u, v], 1) @ ef.nn_decoder)
    b = torch.relu(f @ ef.feat_decoder)
    expect = torch.relu(torch.cat([a, b], 1) @ ef.combine_decoder) @ ef.decoder
    torch.testing.assert_close(ef(u, v, f), expect)
    assert MLPEdgeDecoder(4, 1, regression=True)(u, v).shape == (6, 1)
    assert set(EDGE_DECODERS) == {"DenseBiDecoder", "MLPDecoder"}


def _hand(name, dec, h, t, et):
    if name == "dot_product":
        return (h * t).sum(-1)
    r = dec.relation(et)
    if name == "distmult":
        return (h * r * t).sum(-1)
    if name.startswith("transe"):
        p = 1 if name.endswith("l1") else 2
        return dec.gamma - (h + r - t).abs().pow(p).sum(-1).pow(1 / p)
    d = h.size(-1) // 2
    rot = torch.polar(torch.ones(d), r / (dec.gamma / d / math.pi))
    hc, tc = torch.complex(h[..., :d], h[..., d:]), torch.complex(t[..., :d], t[..., d:])
    return dec.gamma - (hc * rot - tc).abs().sum(-1)


@pytest.mark.parametrize("name", ["dot_product", "distmult", "transe_l1", "transe_l2", "rotate"])
def test_lp_scores_by_hand(name):
    dec = LP_DECODERS.get(name)(ETYPES, 6, 4.0)
    dec.chunk_elems = 40  # force several chunks in rotate
    et = ETYPES[1]
    src, dst, cand = torch.randn(5, 6), torch.randn(5, 6), torch.randn(7, 6)
    torch.testing.assert_close(dec.score(src, dst, et), _hand(name, dec, src, dst, et))
    torch.testing.assert_close(dec(src, dst, et), dec.score(src, dst, et))
    tails = _hand(name, dec, src[:, None], cand[None], et)
    heads = _hand(name, dec, cand[None], dst[:, None], et)
    torch.testing.assert_close(dec.score_candidates(src, cand, et), tails, atol=1e-4, rtol=1e-5)
    torch.testing.assert_close(dec.score_candidate_heads(cand, dst, et), heads, atol=1e-4, rtol=1e-5)


def test_relation_embeddings_are_parameters():
    dec = LP_DECODERS.get("distmult")(ETYPES, 8, 12.0)
    assert "w_relation.weight" in dec.state_dict() and dec.w_relation.weight.shape == (2, 8)
    assert dec.w_relation.weight.abs().max() <= 12.0 / 8
    assert LP_DECODERS.get("rotate")(ETYPES, 8).w_relation.weight.shape == (2, 4)
    with pytest.raises(KeyError):
        dec.relation(("x", "y", "z"))
    with pytest.raises(ConfigError):
        LP_DECODERS.get("transe")
