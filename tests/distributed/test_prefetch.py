"""The prefetch thread: order kept, errors handed to the consumer, close() lets it finish every item."""

import pytest

from graphstorm_py.distributed.launcher import tail
from graphstorm_py.distributed.prefetch import Prefetcher


def test_items_in_order_with_their_preparation():
    assert list(Prefetcher(range(5), lambda x: x * x)) == [(i, i * i) for i in range(5)]


def test_error_reaches_the_consumer():
    def prep(x):
        if x == 2:
            raise ValueError("boom")
        return x

    with pytest.raises(ValueError, match="boom"):
        list(Prefetcher(range(5), prep))


def test_close_after_an_early_stop_prepares_every_item():
    seen = []
    p = Prefetcher(range(6), lambda x: seen.append(x))
    it = iter(p)
    next(it)                       # the consumer stops after one item (early stopping)
    p.close()
    assert seen == list(range(6))  # the peers' threads prepared all six: so did this one


def test_tail_of_a_log(tmp_path):
    f = tmp_path / "x.log"
    f.write_text("\n".join(f"line {i}" for i in range(50)))
    assert tail(str(f), 3) == "line 47\nline 48\nline 49"
    assert tail(str(tmp_path / "missing.log")) == ""
