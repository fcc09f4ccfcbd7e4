"""``--num-trainers N``: start N worker processes on this machine and watch them.

Each worker is the same command (``python -m <cli module> <args>``) with ``RANK``,
``WORLD_SIZE``, ``LOCAL_RANK`` and ``GS_RDZV_FILE`` set. The rendezvous file lives in a private
run folder (``tempfile.mkdtemp``), so no port is fixed and any number of jobs can run side by
side. Worker ``r`` writes its stdout to ``rank-r.out`` and its log to ``rank-r.log`` there; the
launcher streams rank 0's log to its own stderr while the job runs and prints rank 0's stdout
(the results JSON) when every worker has succeeded.

Failing fast: the launcher polls the workers every 0.1 s. As soon as one exits non-zero, it
terminates the others by pid (SIGTERM, then SIGKILL after a grace period), prints which rank
failed with the last lines of its log, and returns that worker's exit code (2 for a user
mistake, 1 otherwise). A worker that only lost a peer (exit ``PEER_LOST_EXIT``) is a
consequence: the launcher waits up to ``_SETTLE_S`` for the worker that caused it and names that
one. The run folder is kept on failure and removed on success. A launcher ended by SIGTERM
stops its workers first; one killed outright takes them with it (the workers ask Linux for
SIGKILL when their parent dies), so no worker outlives its job.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import List, Optional, Sequence

from graphstorm_py.distributed.worker import PEER_LOST_EXIT

__all__ = ["launch_local", "tail"]

_POLL_S = 0.1
_GRACE_S = 3.0
_SETTLE_S = 2.0


def tail(path: str, lines: int = 20) -> str:
    """The last ``lines`` lines of a text file ('' when it does not exist)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _die_with_launcher() -> None:
    """(In the child, before exec) SIGKILL this worker when the launcher dies, even by SIGKILL (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)     # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _raise_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)          # the launcher's cleanup stops the workers


def _stop(procs: Sequence[subprocess.Popen]) -> None:
    """End the running workers by pid: SIGTERM, then SIGKILL whoever is left after the grace period."""
    for p in procs:
        if p.poll() is None:
            try:
                os.kill(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + _GRACE_S
    for p in procs:
        try:
            p.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.kill(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()


class _Streamer:
    """Copies what a file gains to a stream (rank 0's log to the launcher's stderr)."""

    def __init__(self, path: str, out):
        self.path, self.out, self.pos = path, out, 0

    def pump(self) -> None:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except OSError:
            return
        if data:
            self.pos += len(data)
            self.out.write(data.decode("utf-8", "replace"))
            self.out.flush()


def launch_local(module: str, argv: Sequence[str], num_workers: int, *, run_root: Optional[str] = None,
                 extra_env: Optional[dict] = None) -> int:
    """Run ``python -m module argv`` as ``num_workers`` ranks; returns the job's exit code."""
    run_dir = tempfile.mkdtemp(prefix="gs-run-", dir=run_root)
    rdzv = os.path.join(run_dir, "rendezvous")
    procs: List[subprocess.Popen] = []
    files = []
    base_env = {k: v for k, v in os.environ.items() if k not in ("MASTER_ADDR", "MASTER_PORT")}
    base_env.update(extra_env or {})
    streamer = _Streamer(os.path.join(run_dir, "rank-0.log"), sys.stderr)
    code: Optional[int] = None
    old_term = (signal.signal(signal.SIGTERM, _raise_on_sigterm)
                if threading.current_thread() is threading.main_thread() else None)
    try:
        for r in range(num_workers):
            env = dict(base_env, RANK=str(r), WORLD_SIZE=str(num_workers), LOCAL_RANK=str(r),
                       LOCAL_WORLD_SIZE=str(num_workers), GS_RDZV_FILE=rdzv, GS_RUN_DIR=run_dir,
                       OMP_NUM_THREADS=base_env.get("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1)
                                                                                // num_workers))))
            out = open(os.path.join(run_dir, f"rank-{r}.out"), "wb")
            err = open(os.path.join(run_dir, f"rank-{r}.log"), "wb")
            files += [out, err]
            procs.append(subprocess.Popen([sys.executable, "-m", module, *argv], env=env, stdout=out, stderr=err,
                                          stdin=subprocess.DEVNULL, preexec_fn=_die_with_launcher))
        settle_until: Optional[float] = None
        while True:
            streamer.pump()
            states = [p.poll() for p in procs]
            failed = [(r, c) for r, c in enumerate(states) if c not in (None, 0)]
            causes = [(r, c) for r, c in failed if c != PEER_LOST_EXIT]
            if failed and not causes:
                settle_until = settle_until or time.monotonic() + _SETTLE_S
                if time.monotonic() < settle_until:
                    time.sleep(_POLL_S)
                    continue
            if failed:
                rank, rc = (causes or failed)[0]
                _stop(procs)
                streamer.pump()
                code = 2 if rc == 2 else (3 if rc == 3 else 1)
                how = f"exit code {rc}" if rc > 0 else f"killed by signal {-rc}"
                print(f"error: worker rank {rank} of {num_workers} failed ({how}); the other workers were "
                      f"stopped. Last lines of its log ({run_dir}/rank-{rank}.log):\n"
                      + (tail(os.path.join(run_dir, f"rank-{rank}.log")) or "(empty)"), file=sys.stderr)
                return code
            if all(c == 0 for c in states):
                code = 0
                with open(os.path.join(run_dir, "rank-0.out"), "rb") as f:
                    sys.stdout.write(f.read().decode("utf-8", "replace"))
                sys.stdout.flush()
                return 0
            time.sleep(_POLL_S)
    except BaseException:
        _stop(procs)
        raise
    finally:
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)
        for f in files:
            f.close()
        if code == 0:
            shutil.rmtree(run_dir, ignore_errors=True)
