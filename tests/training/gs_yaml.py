"""Run gs-train on a GraphStorm-style YAML text for one epoch, as a GraphStorm user would.

Used by the tests of GraphStorm keys (issue 13): ``run_gs_train(tmp_path, yaml_text, graph)``
returns the parsed results.json; a non-zero exit fails the test with gs-train's message.
"""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from graphstorm_py.training.cli import main


def run_gs_train(tmp_path, yaml_text: str, graph: str, *extra: str, capsys=None) -> dict:
    path = os.path.join(str(tmp_path), "train.yaml")
    with open(path, "w") as fh:
        fh.write(textwrap.dedent(yaml_text))
    save = os.path.join(str(tmp_path), "models")
    with pytest.raises(SystemExit) as exc:
        main(["--cf", path, "--part-config", graph, "--quiet", "--device", "cpu", "--num-epochs", "1",
              "--save-model-path", save, *extra])
    err = capsys.readouterr().err if capsys is not None else ""
    assert exc.value.code == 0, f"gs-train exited {exc.value.code}: {err}"
    with open(os.path.join(save, "results.json")) as fh:
        return json.load(fh)


def run_gs_infer(tmp_path, graph: str, *extra: str) -> str:
    """gs-infer with the YAML and the epoch-0 checkpoint of :func:`run_gs_train`; returns the embedding path."""
    from graphstorm_py.cli import run_cli
    from graphstorm_py.inference.cli import _main

    out = os.path.join(str(tmp_path), "emb")
    code = run_cli(_main, ["--cf", os.path.join(str(tmp_path), "train.yaml"), "--part-config", graph,
                           "--restore-model-path", os.path.join(str(tmp_path), "models", "epoch-0"),
                           "--save-embed-path", out, "--quiet", *extra])
    assert code == 0, f"gs-infer exited {code}"
    return out
