"""Run GraphStorm's end-to-end MovieLens commands (:mod:`gs_e2e_commands`) against gs-train / gs-infer.

As a script it builds the graphs, runs every command and prints one line per command and the
totals (the numbers of issue 13's closing note)::

    .venv/bin/python tests/compat/e2e_runner.py [--data-dir ../shared/data/movielens-100k] [--only NAME ...]

The pytest suite (``test_graphstorm_e2e.py``) runs the same commands through :func:`run_command`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import shlex
import shutil
import sys
import tempfile
import time
from typing import Dict, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from gs_e2e_commands import COMMANDS, OWN_COMMANDS, Command  # noqa: E402
from graph_variants import make_variant  # noqa: E402
import ml_tables  # noqa: E402


def make_workspace(root: str) -> str:
    """A folder with our copies of GraphStorm's YAMLs (and its ip_list.txt), the commands' ``--workspace``."""
    ws = os.path.join(root, "workspace")
    shutil.copytree(os.path.join(HERE, "yamls"), ws)
    with open(os.path.join(ws, "ip_list.txt"), "w") as fh:
        fh.write("127.0.0.1\n")
    return ws


class Graphs:
    """Graph variants, built on first use from the main graph."""

    def __init__(self, main: str, root: str):
        self.main, self.root = main, root
        self.made: Dict[str, str] = {"main": main}

    def __getitem__(self, name: str) -> str:
        if name not in self.made:
            self.made[name] = make_variant(self.main, name, os.path.join(self.root, f"graph_{name}"))
        return self.made[name]


def argv_of(cmd: Command, workspace: str, graph: str) -> list:
    scratch = os.path.join(os.path.dirname(workspace), "scratch")
    text = cmd.args.replace("$WS", workspace).replace("$TMP", scratch).replace("$G", graph)
    return ["--num-epochs", "1"] + shlex.split(text)


def run_command(cmd: Command, workspace: str, graphs: Graphs) -> Tuple[int, str]:
    """Run one command in this process; ``(exit code, stderr)``. The cwd and logging are restored."""
    from graphstorm_py.cli import run_cli

    if cmd.script == "train":
        from graphstorm_py.training.cli import _main
    else:
        from graphstorm_py.inference.cli import _main
    argv = argv_of(cmd, workspace, graphs[cmd.graph])
    cwd, root = os.getcwd(), logging.getLogger()
    handlers, level = list(root.handlers), root.level
    err = io.StringIO()
    try:
        os.chdir(workspace)
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = run_cli(_main, argv + ["--quiet"])
    except Exception as exc:           # a crash is a failure with its message, not a test error
        code, _ = 1, err.write(f"{type(exc).__name__}: {exc}")
    finally:
        os.chdir(cwd)
        for h in root.handlers:
            if h not in handlers:
                h.close()
        root.handlers[:], root.level = handlers, level
    return code, err.getvalue()


def verdict(cmd: Command, code: int, err: str) -> Tuple[bool, str]:
    """``(as expected, text)``: passes when expected to, or fails naming the expected feature."""
    if cmd.expect is None:
        return code == 0, "passed" if code == 0 else f"FAILED: {err.strip().splitlines()[-1] if err.strip() else code}"
    ok = code == 2 and cmd.expect in err
    return ok, (f"fails as expected, group {cmd.group}" if ok else f"UNEXPECTED exit {code}: {err.strip()[-300:]}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", default=os.path.join(HERE, "..", "..", "..", "shared", "data", "movielens-100k"))
    p.add_argument("--only", nargs="*", default=None)
    args = p.parse_args(argv)
    root = tempfile.mkdtemp(prefix="gs-compat-")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    graphs = Graphs(ml_tables.build_graph(args.data_dir, os.path.join(root, "tables")), root)
    ws = make_workspace(root)
    results = []
    for cmd in COMMANDS + OWN_COMMANDS:
        if args.only and cmd.name not in args.only:
            continue
        tick = time.perf_counter()
        code, err = run_command(cmd, ws, graphs)
        ok, text = verdict(cmd, code, err)
        results.append((cmd, code == 0, ok))
        print(f"{cmd.name:32s} {time.perf_counter() - tick:6.1f}s  {text}", flush=True)
    for label, cmds in (("GraphStorm's", COMMANDS), ("our own", OWN_COMMANDS)):
        mine = [r for r in results if r[0] in cmds]
        passed = sum(r[1] for r in mine)
        print(f"{label} commands: {len(mine)} run, {passed} passed, {len(mine) - passed} failed, "
              f"{sum(r[2] for r in mine)} as expected", flush=True)
    shutil.rmtree(root, ignore_errors=True)
    return 0 if all(r[2] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
