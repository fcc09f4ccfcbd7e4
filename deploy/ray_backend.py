"""``--backend ray``: the whole job is one Ray job, submitted through Ray's Jobs API.

The entry point is ``gs-submit exec``; the resolved plan travels in its environment
(``GS_SUBMIT_PLAN``) together with the spec's ``env``. Inside the cluster the entry point first checks
every stage's ``resources`` against what the cluster has (:func:`check_resources`): a job asking for
more fails at once with a message saying so, instead of waiting forever. ``gs-submit`` then streams the
job's logs, and exits with the failing stage's exit code.
"""

from __future__ import annotations

import os
import time
from typing import Callable, Dict, Optional

from graphstorm_py.deploy.plan import Plan
from graphstorm_py.deploy.spec import memory_bytes
from graphstorm_py.errors import ConfigError

__all__ = ["client", "submit", "wait", "job_status", "stop", "follow_logs", "check_resources", "PLAN_ENV",
           "ENTRYPOINT"]

PLAN_ENV = "GS_SUBMIT_PLAN"
ENTRYPOINT = "gs-submit exec"
TERMINAL = ("SUCCEEDED", "FAILED", "STOPPED")


def client(address: Optional[str]):
    try:
        from ray.job_submission import JobSubmissionClient
    except ImportError:
        raise ConfigError("--backend ray needs Ray's job client: pip install 'ray[default]'") from None
    address = address or os.environ.get("RAY_ADDRESS")
    if not address:
        raise ConfigError("--backend ray needs --address http://HEAD:8265 (or RAY_ADDRESS)")
    try:
        return JobSubmissionClient(address)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ConfigError(f"cannot reach the Ray dashboard at {address}: {exc}") from None


def runtime_env(plan: Plan) -> Dict[str, dict]:
    return {"env_vars": {**plan.env, PLAN_ENV: plan.to_json(), "PYTHONUNBUFFERED": "1"}}


def submit(plan: Plan, address: Optional[str], job_id: str) -> str:
    return client(address).submit_job(entrypoint=ENTRYPOINT, submission_id=job_id, runtime_env=runtime_env(plan),
                                       metadata={"gs_job": plan.name, "spec_hash": plan.spec_hash})


def job_status(address: Optional[str], job_id: str) -> dict:
    info = client(address).get_job_info(job_id)
    code = getattr(info, "driver_exit_code", None)
    return {"id": job_id, "state": str(info.status.value if hasattr(info.status, "value") else info.status),
            "exit_code": code, "message": info.message or ""}


def follow_logs(address: Optional[str], job_id: str, emit: Callable[[str], None], poll_s: float = 0.5) -> dict:
    """Print the job's log as it grows until the job ends; returns its final status."""
    c = client(address)
    shown = 0
    while True:
        status = job_status(address, job_id)
        text = c.get_job_logs(job_id)
        if len(text) > shown:
            for line in text[shown:].splitlines():
                emit(line)
            shown = len(text)
        if status["state"] in TERMINAL:
            text = c.get_job_logs(job_id)
            for line in text[shown:].splitlines():
                emit(line)
            return status
        time.sleep(poll_s)


def wait(address: Optional[str], job_id: str, timeout: float = 3600) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = job_status(address, job_id)
        if status["state"] in TERMINAL or time.monotonic() > deadline:
            return status
        time.sleep(0.5)


def stop(address: Optional[str], job_id: str, timeout: float = 60) -> dict:
    client(address).stop_job(job_id)
    return wait(address, job_id, timeout)


def exit_code_of(status: dict) -> int:
    if status["state"] == "SUCCEEDED":
        return 0
    if status.get("exit_code") is not None:
        return int(status["exit_code"]) or 1
    return 143 if status["state"] == "STOPPED" else 1


def check_resources(plan: Plan, total: Dict[str, float]) -> None:
    """Each selected stage's ``resources`` against ``ray.cluster_resources()``; a ConfigError if too big."""
    for stage in plan.stages:
        if stage.name not in plan.selected:
            continue
        r = stage.resources
        want = {"CPU": r["cpus"] * r["workers"], "GPU": r["gpus"] * r["workers"]}
        if r.get("memory"):
            want["memory"] = memory_bytes(r["memory"]) * r["workers"]
        for key, amount in want.items():
            if amount and amount > total.get(key, 0):
                raise ConfigError(f"stage {stage.name} asks for {amount:g} {key} ({r['workers']} worker(s)) but the "
                                  f"Ray cluster has {total.get(key, 0):g}")
