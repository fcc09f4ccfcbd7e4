"""gs-train on a GPU: the model, blocks and features move to CUDA; sampling stays on the CPU graph."""

from gs_testing import needs_cuda
from train_helpers import toy_graph, write_yaml  # noqa: F401  (fixture)

from graphstorm_py.config import load_train_config
from graphstorm_py.training.run import train


@needs_cuda
def test_train_on_cuda(tmp_path, toy_graph):
    for infer in ("true", "false"):
        cfg = load_train_config(write_yaml(tmp_path), ["--use-mini-batch-infer", infer,
                                                       "--save-model-path", str(tmp_path / infer)])
        res = train(cfg, toy_graph, device="cuda")
        assert res["val"]["accuracy"] > 0.6, res
    from graphstorm_py.model import load_trained

    run = load_trained(str(tmp_path / "false" / "epoch-3"), toy_graph, device="cuda")
    assert next(run.model.parameters()).is_cuda
    assert run.full_graph_embedder().all()["item"].shape == (45, 16)
