"""The epoch-boundary monitored barrier names the rank that did not arrive (graph-group timeout)."""

import os

from dist_helpers import HERE, make_graph, run_ranks


def test_monitored_barrier_names_the_lost_rank(tmp_path):
    g = make_graph(str(tmp_path / "g"), 2)
    run_ranks(os.path.join(HERE, "barrier_worker.py"), [g, str(tmp_path)], 2, timeout=120)
    msg = open(tmp_path / "msg.txt").read()
    assert "end of epoch 0" in msg and "3 s" in msg
    assert "1" in msg.split("did not arrive")[1], msg
