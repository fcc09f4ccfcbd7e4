import os
import sys

import pytest
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
torch.set_num_threads(1)

from lm_helpers import make_text_graph, make_tiny_bert  # noqa: E402


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory):
    return make_tiny_bert(str(tmp_path_factory.mktemp("tiny_bert")))


@pytest.fixture(scope="session")
def text_graph(tmp_path_factory):
    return make_text_graph(str(tmp_path_factory.mktemp("text_graph")))


@pytest.fixture(autouse=True)
def _lm_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GS_LM_CACHE_DIR", str(tmp_path / "lm_cache"))
