"""Local jobs: a folder per job so that ``gs-submit status|logs|stop ID`` work without a cluster.

``$GS_SUBMIT_HOME/<id>/`` (default ``~/.graphstorm_py/jobs``) holds ``plan.json``, ``log`` (every line
the stages printed) and ``status.json`` (``state``, ``pid``, ``exit_code``, ``message``, ``stages``),
rewritten atomically. A RUNNING job whose process is gone reads as FAILED.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Optional

from graphstorm_py import io
from graphstorm_py.deploy.plan import Plan
from graphstorm_py.deploy.runner import JobResult, run_plan
from graphstorm_py.errors import ConfigError

__all__ = ["jobs_home", "new_job_id", "job_dir", "run_local", "start_detached", "exec_in_dir", "read_status",
           "stop_local", "TERMINAL"]

TERMINAL = ("SUCCEEDED", "FAILED", "STOPPED")


def jobs_home() -> str:
    return os.environ.get("GS_SUBMIT_HOME") or os.path.join(os.path.expanduser("~"), ".graphstorm_py", "jobs")


def new_job_id(plan: Plan) -> str:
    return f"{plan.name}-{time.strftime('%Y%m%d%H%M%S', time.gmtime())}-{os.urandom(2).hex()}"


def job_dir(job_id: str, must_exist: bool = True) -> Optional[str]:
    d = os.path.join(jobs_home(), job_id)
    return d if (os.path.isdir(d) or not must_exist) else None


def _write_status(d: str, **status) -> None:
    io.write_json(os.path.join(d, "status.json"), status)


def _create(plan: Plan, job_id: str) -> str:
    d = job_dir(job_id, must_exist=False)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "plan.json"), "w") as fh:
        fh.write(plan.to_json())
    return d


def _tee(d: str):
    log = open(os.path.join(d, "log"), "a", buffering=1)

    def emit(line: str) -> None:
        print(line, flush=True)
        log.write(line + "\n")

    return emit, log


def exec_in_dir(d: str, echo: bool = True) -> JobResult:
    """Run the plan in job folder ``d``, keeping ``status.json`` and ``log`` up to date."""
    with open(os.path.join(d, "plan.json")) as fh:
        plan = Plan.from_json(fh.read())
    _write_status(d, state="RUNNING", pid=os.getpid(), exit_code=None, message="", stages={})
    emit, log = _tee(d) if echo else (None, open(os.path.join(d, "log"), "a", buffering=1))
    try:
        result = run_plan(plan, emit or (lambda line: log.write(line + "\n")))
    finally:
        log.close()
    _write_status(d, state=result.state, pid=os.getpid(), exit_code=result.exit_code, message=result.message,
                  stages=result.stages)
    return result


def run_local(plan: Plan) -> tuple:
    job_id = new_job_id(plan)
    d = _create(plan, job_id)
    print(f"[gs-submit] job {job_id} (local)", flush=True)
    return job_id, exec_in_dir(d)


def start_detached(plan: Plan) -> str:
    """``--no-wait``: a ``gs-submit exec --job-dir`` process in its own session; returns the job id."""
    job_id = new_job_id(plan)
    d = _create(plan, job_id)
    _write_status(d, state="PENDING", pid=None, exit_code=None, message="", stages={})
    with open(os.path.join(d, "log"), "a") as out:
        subprocess.Popen([sys.executable, "-m", "graphstorm_py.deploy.submit_cli", "exec", "--job-dir", d, "--quiet"],
                         stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    return job_id


def _alive(pid) -> bool:
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:   # a zombie child of ours is gone too
        waited, _ = os.waitpid(int(pid), os.WNOHANG)
        return waited == 0
    except ChildProcessError:
        return True


def read_status(d: str) -> dict:
    path = os.path.join(d, "status.json")
    for _ in range(50):   # a status being replaced right now
        try:
            with open(path) as fh:
                status = json.load(fh)
            break
        except (FileNotFoundError, json.JSONDecodeError):
            time.sleep(0.05)
    else:
        raise ConfigError(f"job folder {d} has no readable status.json")
    if status["state"] == "RUNNING" and not _alive(status.get("pid")):
        status.update(state="FAILED", message="the job's process ended without a final status")
    return status


def stop_local(d: str, timeout: float = 60) -> dict:
    status = read_status(d)
    deadline = time.monotonic() + timeout
    while status["state"] == "PENDING" and time.monotonic() < deadline:
        time.sleep(0.1)
        status = read_status(d)
    if status["state"] in TERMINAL:
        return status
    os.kill(int(status["pid"]), signal.SIGTERM)
    while time.monotonic() < deadline:
        status = read_status(d)
        if status["state"] in TERMINAL:
            return status
        time.sleep(0.2)
    os.kill(int(status["pid"]), signal.SIGKILL)
    _write_status(d, **{**status, "state": "STOPPED", "exit_code": 137, "message": "killed"})
    return read_status(d)
