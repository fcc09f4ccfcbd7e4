"""Edge classification/regression: aligned targets, leakage control, learning, bad configs."""

import numpy as np
import pytest
import torch
from edge_helpers import EC_YAML, ER_YAML, FOLLOWS, RATED_BY, RATES, edge_graph, write_yaml  # noqa: F401

from graphstorm_py.config.loader import load_train_config
from graphstorm_py.model import assemble, open_graph
from graphstorm_py.training.cli import main
from graphstorm_py.training.optim import Optimizers
from graphstorm_py.training.trainer import Trainer


def _run(tmp_path, graph, text=ER_YAML, overrides=()):
    cfg = load_train_config(write_yaml(tmp_path, text), list(overrides))
    torch.manual_seed(0)
    return assemble(cfg, open_graph(graph))


def test_batch_labels_endpoints_and_seeds_align_with_eids(tmp_path, edge_graph):
    run = _run(tmp_path, edge_graph)
    task, ds = run.tasks[0], run.dataset
    src, dst = ds.coo(RATES)
    score = np.asarray(ds.edge_array(RATES, "score"))
    for batch in task.train_batches(0):
        eids = batch.extra["eids"].numpy()
        assert np.allclose(batch.labels.numpy().reshape(-1), score[eids])
        assert np.array_equal(batch.seeds["user"][batch.extra["src_idx"]].numpy(), src[eids])
        assert np.array_equal(batch.seeds["item"][batch.extra["dst_idx"]].numpy(), dst[eids])
        for nt, ids in batch.seeds.items():
            assert ids.unique().numel() == ids.numel()
    all_eids = torch.cat([b.extra["eids"] for b in task.train_batches(1)])
    assert torch.equal(all_eids.sort().values, task.targets.eids["train"])


def test_remove_target_edge_type_drops_target_and_reverse_from_blocks(tmp_path, edge_graph):
    run = _run(tmp_path, edge_graph)
    task = run.tasks[0]
    sampler = run.sampler("-1")
    batch = next(iter(task.train_batches(0)))
    assert set(batch.exclude_etypes) == {RATES, RATED_BY}
    blocks = sampler.sample(batch.seeds, batch.exclude_eids, batch.exclude_etypes).blocks
    for block in blocks:
        for et in (RATES, RATED_BY):
            assert et not in block.edge_index or block.edge_index[et].size(1) == 0
        assert block.edge_index[FOLLOWS].size(1) > 0       # other relations still carry messages


def test_kept_target_type_still_hides_val_and_test_edges(tmp_path, edge_graph):
    run = _run(tmp_path, edge_graph, overrides=["--remove-target-edge-type", "false"])
    task = run.tasks[0]
    held = task.held_out
    assert set(held) == {RATES, RATED_BY}
    src, dst = run.dataset.coo(RATES)
    rs, rd = run.dataset.coo(RATED_BY)
    # the reverse eids are exactly the reversed val/test pairs
    pairs = {(int(s), int(d)) for s, d in zip(src[held[RATES]], dst[held[RATES]])}
    assert {(int(d), int(s)) for s, d in zip(rs[held[RATED_BY]], rd[held[RATED_BY]])} == pairs
    batch = next(iter(task.train_batches(0)))
    mb = run.sampler("-1").sample(batch.seeds, batch.exclude_eids, batch.exclude_etypes)
    for block in mb.blocks:
        for et in (RATES, RATED_BY):
            if et in block.eids:
                assert not np.isin(block.eids[et].numpy(), held[et].numpy()).any()


def test_edge_regression_loss_decreases(tmp_path, edge_graph):
    run = _run(tmp_path, edge_graph)
    cfg = run.config
    trainer = Trainer(run, Optimizers.from_config(run.model, cfg.hyperparam), eval_frequency=10**9,
                      no_validation=True)
    task = run.tasks[0]
    epoch_loss = []
    for epoch in range(8):
        losses = [trainer._step([(task, b)]) for b in task.train_batches(epoch)]
        epoch_loss.append(sum(losses) / len(losses))
    assert epoch_loss[-1] < 0.5 * epoch_loss[0], epoch_loss


def test_edge_classification_learns_and_full_graph_eval_matches_exclusion(tmp_path, edge_graph):
    from graphstorm_py.training.run import train
    res = train(load_train_config(write_yaml(tmp_path, EC_YAML), ["--use-mini-batch-infer", "false"]), edge_graph)
    assert res["test"]["accuracy"] > 0.8, res


@pytest.mark.parametrize("argv, needle", [
    (["--target-etype", "user,rate,item"], "user,rates,item"),      # did-you-mean names the real type
    (["--label-field", "scor"], "score"),
    (["--reverse-edge-types-map", "user,rates,nope,item"], "nope"),
    (["--decoder-edge-feat", "user,rates,item:zz"], "zz"),
])
def test_bad_edge_config_exits_2(tmp_path, edge_graph, capsys, argv, needle):
    with pytest.raises(SystemExit) as exc:
        main(["--cf", write_yaml(tmp_path, ER_YAML), "--part-config", edge_graph, "--quiet", *argv])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and needle in err and "Traceback" not in err, err


def test_mlp_decoder_reads_edge_features_by_eid(tmp_path, edge_graph):
    run = _run(tmp_path, edge_graph, overrides=["--decoder-edge-feat", "ef"])
    task = run.tasks[0]
    batch = next(iter(task.train_batches(0)))
    ef = np.asarray(run.dataset.edge_array(RATES, "ef"))
    assert np.allclose(batch.extra["edge_feat"].numpy(), ef[batch.extra["eids"].numpy()])
    assert run.model.decoders[task.name].edge_feat_dim == 2
