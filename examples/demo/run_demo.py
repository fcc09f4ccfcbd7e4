"""The README's quick start: construct -> train -> infer on the bundled synthetic shop graph.

Every step runs the real command-line tool, exactly as a user would type it.
"""

from __future__ import annotations

import argparse
import json
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
    with open(os.path.join(model, "results.json")) as fh:
        best = json.load(fh)["best_checkpoint"]
    out = os.path.join(a.workdir, "output")
    _run([_tool("gs-infer"), "--cf", os.path.join(HERE, "train_nc.yaml"), "--part-config", graph,
          "--restore-model-path", best, "--save-embed-path", os.path.join(out, "embeddings"),
          "--save-prediction-path", os.path.join(out, "predictions"), "--infer-all-target-nodes"])
    _summarise(out)


def _summarise(out: str) -> None:
    """Read the outputs back through their manifests, as a downstream system would."""
    import pyarrow.parquet as pq

    for kind in ("embeddings", "predictions"):
        with open(os.path.join(out, kind, "_SUCCESS")) as fh:
            manifest = json.load(fh)
        files = [f["path"] if os.path.isabs(f["path"]) else os.path.join(out, kind, f["path"])
                 for f in manifest["files"]]
        rows = sum(pq.read_metadata(f).num_rows for f in files)
        first = pq.read_table(files[0]).slice(0, 1).to_pylist()[0]
        short = {k: (v[:3] + ["..."] if isinstance(v, list) else v) for k, v in first.items()}
        print(f"{kind}: {rows} rows in {len(files)} file(s); first row {short}")
    print(f"\ndemo finished: outputs in {out}")


if __name__ == "__main__":
    main()
