"""``gs-submit``: run a YAML job spec (construct, train, infer) locally or on a Ray cluster.

::

    gs-submit run JOB.yaml [--backend local|ray] [--address ADDR] [--stages construct,train]
                           [--set KEY=VALUE ...] [--no-wait] [--dry-run]
    gs-submit status|logs [--follow]|stop ID [--address ADDR]
    gs-submit render JOB.yaml --export kuberay|sagemaker-pipeline [--output FILE]

``run`` exits with the failing stage's exit code (0 when every stage succeeded or was already complete).
The spec is described in :mod:`graphstorm_py.deploy.spec`. ``gs-submit exec`` is the entry point the
backends start (a job folder locally, ``GS_SUBMIT_PLAN`` on Ray); users do not call it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Optional, Sequence

from graphstorm_py.cli import run_cli

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gs-submit", description="Run a graphstorm_py job spec (construct, train, "
                                "infer) as subprocesses or as one Ray job.")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="validate and run a job spec")
    r.add_argument("spec", help="job spec YAML")
    r.add_argument("--backend", choices=["local", "ray"], default="local")
    r.add_argument("--address", default=None, help="Ray dashboard address, e.g. http://127.0.0.1:8265")
    r.add_argument("--stages", default=None, help="comma-separated stage names to run (default: all)")
    r.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="override a spec key, e.g. stages.train.args.num-epochs=2 (repeatable)")
    r.add_argument("--no-wait", action="store_true", help="print the job id and return")
    r.add_argument("--dry-run", action="store_true", help="print the resolved plan as JSON; run nothing")
    for name, what in (("status", "a job's state as JSON"), ("logs", "a job's log"), ("stop", "stop a job")):
        s = sub.add_parser(name, help=what)
        s.add_argument("job_id")
        s.add_argument("--address", default=None, help="Ray dashboard address (for Ray jobs)")
        if name == "logs":
            s.add_argument("--follow", action="store_true")
    x = sub.add_parser("render", help="export the job for another scheduler")
    x.add_argument("spec")
    x.add_argument("--export", required=True, choices=["kuberay", "sagemaker-pipeline"])
    x.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    x.add_argument("--output", default=None, help="file to write (default: stdout)")
    x.add_argument("--image", default="graphstorm-py:latest", help="container image the job runs in")
    x.add_argument("--role", default=None, help="(sagemaker-pipeline) execution role ARN")
    x.add_argument("--instance-type", default="ml.m5.xlarge", help="(sagemaker-pipeline)")
    e = sub.add_parser("exec", help=argparse.SUPPRESS)
    e.add_argument("--job-dir", default=None)
    e.add_argument("--quiet", action="store_true")
    return p


def _dry_run(plan, backend: str) -> dict:
    from graphstorm_py.deploy.commands import stage_argv
    from graphstorm_py.deploy.runner import is_complete
    from graphstorm_py.errors import GSError

    stages = []
    for s in plan.stages:
        try:
            action = "not selected" if s.name not in plan.selected else ("skip (complete)" if is_complete(s) else "run")
        except GSError as exc:
            action = f"run (outputs not checked: {exc})"
        argv = stage_argv(s, plan.graph_name, resolve=False, backend=backend)
        stages.append({"name": s.name, "kind": s.kind, "hash": s.hash, "deps": s.deps, "action": action,
                       "command": [os.path.basename(argv[0])] + argv[1:], "outputs": s.outputs,
                       "resources": s.resources})
    return {"job": plan.name, "spec_hash": plan.spec_hash, "backend": backend, "stages": stages}


def _run(args) -> int:
    from graphstorm_py.deploy.plan import make_plan
    from graphstorm_py.deploy.spec import load_spec

    stages = [s.strip() for s in args.stages.split(",") if s.strip()] if args.stages else None
    plan = make_plan(load_spec(args.spec, args.sets), stages)
    plan.backend = args.backend
    if args.dry_run:
        print(json.dumps(_dry_run(plan, args.backend), indent=2))
        return 0
    if args.backend == "local":
        from graphstorm_py.deploy import local_jobs

        if args.no_wait:
            print(local_jobs.start_detached(plan))
            return 0
        job_id, result = local_jobs.run_local(plan)
        return _report({"id": job_id, "state": result.state, "exit_code": result.exit_code,
                        "message": result.message, "stages": result.stages})
    from graphstorm_py.deploy import local_jobs, ray_backend

    job_id = ray_backend.submit(plan, args.address, local_jobs.new_job_id(plan))
    print(f"[gs-submit] job {job_id} (ray)", flush=True)
    if args.no_wait:
        print(job_id)
        return 0
    status = ray_backend.follow_logs(args.address, job_id, lambda line: print(line, flush=True))
    return _report(status, ray_backend.exit_code_of(status))


def _report(status: dict, code: Optional[int] = None) -> int:
    print(json.dumps(status), flush=True)
    if status["state"] != "SUCCEEDED":
        print(f"error: job {status['id']} {status['state']}: {status.get('message', '')}", file=sys.stderr)
    return status.get("exit_code") or 0 if code is None else code


def _local_or_ray(args):
    from graphstorm_py.deploy import local_jobs

    d = local_jobs.job_dir(args.job_id)
    if d is None and not (args.address or os.environ.get("RAY_ADDRESS")):
        from graphstorm_py.errors import ConfigError

        raise ConfigError(f"no local job {args.job_id!r} in {local_jobs.jobs_home()}; for a Ray job pass --address")
    return d


def _status(args) -> int:
    from graphstorm_py.deploy import local_jobs, ray_backend

    d = _local_or_ray(args)
    status = {"id": args.job_id, **local_jobs.read_status(d)} if d else ray_backend.job_status(args.address,
                                                                                                 args.job_id)
    print(json.dumps(status))
    return 0


def _logs(args) -> int:
    from graphstorm_py.deploy import local_jobs, ray_backend

    d = _local_or_ray(args)
    if d is None:
        if args.follow:
            ray_backend.follow_logs(args.address, args.job_id, lambda line: print(line, flush=True))
        else:
            sys.stdout.write(ray_backend.client(args.address).get_job_logs(args.job_id))
        return 0
    shown = 0
    while True:
        done = local_jobs.read_status(d)["state"] in local_jobs.TERMINAL
        with open(os.path.join(d, "log")) as fh:
            fh.seek(shown)
            text = fh.read()
        sys.stdout.write(text)
        sys.stdout.flush()
        shown += len(text.encode())
        if not args.follow or done:
            return 0
        time.sleep(0.3)


def _stop(args) -> int:
    from graphstorm_py.deploy import local_jobs, ray_backend

    d = _local_or_ray(args)
    status = {"id": args.job_id, **local_jobs.stop_local(d)} if d else ray_backend.stop(args.address, args.job_id)
    print(json.dumps(status))
    return 0


def _exec(args) -> int:
    from graphstorm_py.deploy import local_jobs, ray_backend
    from graphstorm_py.deploy.plan import Plan
    from graphstorm_py.deploy.runner import emit_to, run_plan

    if args.job_dir:
        result = local_jobs.exec_in_dir(args.job_dir, echo=not args.quiet)
    else:
        text = os.environ.get(ray_backend.PLAN_ENV)
        if not text:
            from graphstorm_py.errors import ConfigError

            raise ConfigError(f"gs-submit exec needs --job-dir or {ray_backend.PLAN_ENV} (backends start it)")
        plan = Plan.from_json(text)
        if os.environ.get("RAY_ADDRESS") or os.environ.get("RAY_JOB_ID") or os.environ.get("RAY_JOB_SUBMISSION_ID"):
            import ray

            ray.init(address="auto", logging_level="WARNING", log_to_driver=False)
            try:
                ray_backend.check_resources(plan, ray.cluster_resources())
            finally:
                ray.shutdown()
        result = run_plan(plan, emit_to())
    if result.state != "SUCCEEDED":
        print(f"error: {result.message}", file=sys.stderr, flush=True)
    print(json.dumps({"state": result.state, "exit_code": result.exit_code, "stages": result.stages}), flush=True)
    return result.exit_code


_COMMANDS = {"run": _run, "status": _status, "logs": _logs, "stop": _stop, "exec": _exec}


def _main(argv: Optional[Sequence[str]]) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "render":
        from graphstorm_py.deploy.render import render_cli

        return render_cli(args)
    return _COMMANDS[args.command](args)


def main(argv: Optional[Sequence[str]] = None) -> int:
    raise SystemExit(run_cli(_main, argv))


if __name__ == "__main__":
    main()
