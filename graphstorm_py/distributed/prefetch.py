"""Prefetching: the next step's blocks and features are made in a background thread.

While the main thread runs forward, backward and the gradient all-reduce (default group), a
thread samples and fetches the next step (its own gloo group, so the two streams of
collectives never interleave). Every rank's thread prepares exactly the ``n`` steps of the
epoch in order, whatever the consumer does, so the threads stay in lockstep; :meth:`close`
waits for it to finish (after an early stop it finishes the epoch's remaining steps).
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterable, Iterator, Optional

__all__ = ["Prefetcher"]

_DONE = object()


class Prefetcher:
    """Iterates ``(item, prepare(item))`` for the items, preparing ``depth`` items ahead in a thread."""

    def __init__(self, items: Iterable[Any], prepare: Callable[[Any], Any], depth: int = 1):
        self._q: "queue.Queue" = queue.Queue(maxsize=max(1, depth))
        self._error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, args=(items, prepare), daemon=True, name="gs-prefetch")
        self._thread.start()

    def _run(self, items, prepare) -> None:
        try:
            for item in items:
                self._q.put((item, prepare(item)))
        except BaseException as exc:      # handed to the consumer
            self._error = exc
        finally:
            self._q.put(_DONE)

    def __iter__(self) -> Iterator[Any]:
        while True:
            got = self._q.get()
            if got is _DONE:
                self._q.put(_DONE)
                if self._error is not None:
                    raise self._error
                return
            yield got

    def close(self) -> None:
        """Let the thread finish every item (lockstep with the peers), then join it."""
        while self._thread.is_alive():
            try:
                if self._q.get(timeout=0.1) is _DONE:
                    self._q.put(_DONE)
            except queue.Empty:
                pass
        self._thread.join()
