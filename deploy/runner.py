"""Run a plan's selected stages one after the other, as subprocesses, skipping complete ones.

This is the body of every backend: ``--backend local`` calls it in the foreground (or in a detached
``gs-submit exec`` process with ``--no-wait``), ``--backend ray`` runs ``gs-submit exec`` as the Ray
job's entry point. A stage is complete when its first output holds :data:`STAGE_RECORD` with the
stage's hash and every output it lists still has the file its command writes last. The record is
removed before a stage runs and written only after its command succeeded, so a killed or failed stage
never looks complete. SIGTERM (``gs-submit stop``, Ray's stop) ends the running command first.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from graphstorm_py import io
from graphstorm_py.deploy.commands import STAGE_RECORD, complete_marker, stage_argv
from graphstorm_py.deploy.plan import Plan, PlannedStage
from graphstorm_py.errors import DataError, GSError

__all__ = ["JobResult", "run_plan", "is_complete", "rebase_construct_config"]

log = logging.getLogger("gs-submit")
_PATH_KEYS = ("files", "custom_split_filenames")


@dataclass
class JobResult:
    state: str                       # SUCCEEDED | FAILED | STOPPED
    exit_code: int = 0
    message: str = ""
    stages: Dict[str, dict] = field(default_factory=dict)   # name -> {"status": ran|skipped|failed, "seconds"}


def _record_path(stage: PlannedStage) -> str:
    return io.join(next(iter(stage.outputs.values())), STAGE_RECORD)


def is_complete(stage: PlannedStage) -> bool:
    """Whether ``stage`` already ran with this hash; storage that cannot be read is a DataError naming it."""
    path = _record_path(stage)
    try:
        if not io.exists(path):
            return False
        rec = io.read_json(path)
        if rec.get("hash") != stage.hash:
            return False
        return all(io.exists(complete_marker(k, stage.outputs[k])) for k in rec.get("outputs", []))
    except (OSError, ValueError, RuntimeError) as exc:
        raise DataError(f"stage {stage.name}: cannot read {path}: {type(exc).__name__}: {exc}") from None
    except Exception as exc:  # noqa: BLE001  (botocore's credential and endpoint errors)
        if type(exc).__module__.startswith(("botocore", "aiobotocore", "s3fs")):
            raise DataError(f"stage {stage.name}: cannot read {path}: {type(exc).__name__}: {exc}") from None
        raise


def _write_record(stage: PlannedStage) -> None:
    done = [k for k, root in stage.outputs.items() if io.exists(complete_marker(k, root))]
    io.write_json(_record_path(stage), {"stage": stage.name, "hash": stage.hash, "outputs": done})


def _rebase(node, data: str, under_path_key: bool = False):
    if isinstance(node, dict):
        return {k: _rebase(v, data, under_path_key or k in _PATH_KEYS) for k, v in node.items()}
    if isinstance(node, list):
        return [_rebase(v, data, under_path_key) for v in node]
    if under_path_key and isinstance(node, str) and not io.is_remote(node) and not os.path.isabs(node):
        return io.join(data, node)
    return node


def rebase_construct_config(config: str, data: str, workdir: str) -> str:
    """A copy of a gconstruct config whose relative file paths point into ``data``."""
    import yaml

    text = io.read_bytes(config).decode()
    doc = yaml.safe_load(text)   # JSON is YAML
    out = os.path.join(workdir, "construct_" + os.path.basename(config.rstrip("/")).rsplit(".", 1)[0] + ".json")
    with open(out, "w") as fh:
        json.dump(_rebase(doc, data), fh, indent=1)
    return out


class _Stopped(Exception):
    pass


class _Child:
    """The running command; SIGTERM to us terminates it and marks the job stopped."""

    proc: Optional[subprocess.Popen] = None
    stopped = False

    @classmethod
    def on_term(cls, signum, frame):
        cls.stopped = True
        if cls.proc is not None and cls.proc.poll() is None:
            cls.proc.terminate()


def _run_command(argv: List[str], env: Dict[str, str], timeout: Optional[float], emit: Callable[[str], None]):
    """Run ``argv`` streaming its output lines to ``emit``; -> (exit code, last lines).

    A watchdog kills the command at ``timeout`` even when it prints nothing (exit code 124).
    """
    import threading

    tail: collections.deque = collections.deque(maxlen=20)
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    _Child.proc = proc
    expired = threading.Event()

    def kill():
        expired.set()
        proc.kill()

    watchdog = threading.Timer(timeout, kill) if timeout else None
    if watchdog:
        watchdog.daemon = True
        watchdog.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            tail.append(line.rstrip("\n"))
            emit(line.rstrip("\n"))
        code = proc.wait()
    finally:
        if watchdog:
            watchdog.cancel()
        _Child.proc = None
    if expired.is_set():
        return 124, [f"timed out after {timeout:g}s"]
    return code, list(tail)


def _failure_message(stage: PlannedStage, code: int, tail: List[str]) -> str:
    """The command's last ``error:`` message with its detail lines (else its last line), at most 1 KiB."""
    starts = [i for i, t in enumerate(tail) if t.startswith("error:") or "Error" in t]
    why = "\n".join(tail[starts[-1]:]) if starts else (tail[-1] if tail else "")
    return f"stage {stage.name} ({stage.kind}) failed with exit code {code}: {why}".strip()[:1024]


def _run_stage(plan: Plan, stage: PlannedStage, emit) -> tuple:
    env = dict(os.environ)
    env.update(plan.env)
    env.setdefault("PYTHONUNBUFFERED", "1")
    if io.exists(_record_path(stage)):
        io.remove(_record_path(stage))
    with tempfile.TemporaryDirectory(prefix="gs-stage-") as work:
        config = None
        if stage.kind == "construct" and stage.inputs.get("data"):
            config = rebase_construct_config(stage.inputs["config"], stage.inputs["data"], work)
        argv = stage_argv(stage, plan.graph_name, config, backend=plan.backend)
        code, tail = 1, []
        for attempt in range(stage.retries + 1):
            emit(f"[gs-submit] stage {stage.name}: {' '.join(argv)}" + (f" (retry {attempt})" if attempt else ""))
            code, tail = _run_command(argv, env, stage.timeout_s, emit)
            if code == 0 or _Child.stopped or code == 2:   # 2: a user mistake, a retry changes nothing
                break
    if _Child.stopped:
        raise _Stopped()
    if code == 0:
        _write_record(stage)
    return code, tail


def run_plan(plan: Plan, emit: Callable[[str], None] = print) -> JobResult:
    """Run the selected stages; the first failing stage ends the job with its exit code."""
    old = signal.signal(signal.SIGTERM, _Child.on_term) if _main_thread() else None
    _Child.stopped = False
    result = JobResult("SUCCEEDED")
    try:
        for stage in plan.stages:
            if stage.name not in plan.selected:
                if any(stage.name in s.deps for s in plan.stages if s.name in plan.selected) and \
                        not is_complete(stage):
                    return _fail(result, 2, f"stage {stage.name} is not complete and not selected by --stages, "
                                            f"but a selected stage reads its outputs")
                continue
            start = time.perf_counter()
            if is_complete(stage):
                emit(f"[gs-submit] stage {stage.name}: complete (hash {stage.hash}), skipped")
                result.stages[stage.name] = {"status": "skipped", "seconds": round(time.perf_counter() - start, 3)}
                continue
            code, tail = _run_stage(plan, stage, emit)
            secs = round(time.perf_counter() - start, 3)
            if code != 0:
                result.stages[stage.name] = {"status": "failed", "seconds": secs, "exit_code": code}
                return _fail(result, code, _failure_message(stage, code, tail))
            result.stages[stage.name] = {"status": "ran", "seconds": secs}
            emit(f"[gs-submit] stage {stage.name}: done in {secs:.1f}s")
    except _Stopped:
        result.state, result.exit_code, result.message = "STOPPED", 143, "stopped"
    except GSError as exc:
        return _fail(result, exc.exit_code, str(exc))
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)
    return result


def _fail(result: JobResult, code: int, message: str) -> JobResult:
    result.state, result.exit_code, result.message = "FAILED", code, message
    return result


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def emit_to(stream=None) -> Callable[[str], None]:
    stream = stream or sys.stdout

    def emit(line: str) -> None:
        stream.write(line + "\n")
        stream.flush()

    return emit
