"""Test helpers shared by every test folder (imported as ``from gs_testing import ...``).

They live here rather than in conftest.py because several folders have a conftest.py of
their own, and ``from conftest import`` would pick whichever was imported first.
"""

from __future__ import annotations

import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.environ.get("GS_SHARED_DATA", os.path.join(os.path.dirname(REPO), "shared", "data"))


def shared_data_path(name: str) -> str:
    """Path of a dataset folder in ../shared/data; skips the test (saying why) when absent."""
    path = os.path.join(SHARED_DATA, name)
    if not os.path.isdir(path):
        pytest.skip(f"shared dataset {name!r} not found at {path} (set GS_SHARED_DATA)")
    return path


def needs_cuda(fn):
    import torch

    return pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")(fn)
