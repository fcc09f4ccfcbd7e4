"""The README's quick start: construct -> train -> infer on the bundled synthetic shop graph.

Every step runs the real command-line tool, exactly as a user would type it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from make_data import make_demo_tables  # noqa: E402


def _tool(name: str) -> str:
    return os.path.join(os.path.dirname(sys.executable), name)


def _run(cmd) -> None:
    print("\n$ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workdir", default="demo_out")
    a = ap.parse_args()
    tables = os.path.join(a.workdir, "tables")
    graph = os.path.join(a.workdir, "graph")
    make_demo_tables(tables)
    shutil.copy(os.path.join(HERE, "construct.json"), tables)
    _run([_tool("gs-construct"), "--conf-file", os.path.join(tables, "construct.json"), "--output-dir", graph,
          "--graph-name", "shop", "--num-parts", "2", "--add-reverse-edges"])
    model = os.path.join(a.workdir, "model")
    _run([_tool("gs-train"), "--cf", os.path.join(HERE, "train_nc.yaml"), "--part-config", graph,
          "--save-model-path", model])
    print(f"\ndemo finished: graph in {graph}, model and results.json in {model}")


if __name__ == "__main__":
    main()
