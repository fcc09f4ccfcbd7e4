"""Training tests run torch on one thread.

On a shared 2-core machine, torch's two OpenMP threads stall whenever another process holds a
core (every small parallel op waits for a descheduled thread): a MovieLens epoch goes from
0.04 s to 4.5 s. One thread keeps these tests fast and changes no result. ``OMP_NUM_THREADS``
does the same for the gs-train processes that tests start.
"""

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
