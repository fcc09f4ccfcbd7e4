"""Bad inputs give a clear error, exit code 2, and never a metadata.json."""

import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graphstorm_py.gconstruct.cli import main
from construct_helpers import toy_config, write_config, write_toy_tables


def _fails(tmp_path, conf, capsys, *extra):
    write_toy_tables(str(tmp_path))
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main(["--conf-file", write_config(str(tmp_path), conf), "--output-dir", str(out), "--quiet", *extra])
    assert exc.value.code == 2
    assert not (out / "metadata.json").exists()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_missing_file(tmp_path, capsys):
    conf = toy_config()
    conf["nodes"][0]["files"] = "nope_*.parquet"
    assert "nodes[0].files: no file matches" in _fails(tmp_path, conf, capsys)


def test_missing_column(tmp_path, capsys):
    conf = toy_config()
    conf["nodes"][0]["features"][0]["feature_col"] = "agee"
    err = _fails(tmp_path, conf, capsys)
    assert "column 'agee' not found" in err and "did you mean 'age'" in err and "users.parquet" in err


def test_misspelled_key(tmp_path, capsys):
    conf = toy_config()
    conf["edges"][0]["source_id"] = conf["edges"][0].pop("source_id_col")
    assert "did you mean 'source_id_col'" in _fails(tmp_path, conf, capsys)


def test_dangling_edge(tmp_path, capsys):
    write_toy_tables(str(tmp_path))
    pq.write_table(pa.table({"src": ["u1", "ghost"], "dst": [1000, 1001], "w": np.ones(2, np.float32)}),
                   str(tmp_path / "edges.parquet"))
    conf = toy_config()
    with pytest.raises(SystemExit) as exc:
        main(["--conf-file", write_config(str(tmp_path), conf), "--output-dir", str(tmp_path / "out"), "--quiet"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "1 edges have an endpoint ID that is not a node" in err and "ghost" in err
    assert not (tmp_path / "out" / "metadata.json").exists()
    with pytest.raises(SystemExit) as exc:
        main(["--conf-file", write_config(str(tmp_path), conf), "--output-dir", str(tmp_path / "out"), "--quiet",
              "--skip-nonexist-edges"])
    assert exc.value.code == 0
    assert (tmp_path / "out" / "metadata.json").exists()


def test_nan_feature(tmp_path, capsys):
    write_toy_tables(str(tmp_path))
    t = pq.read_table(str(tmp_path / "users.parquet"))
    age = t["age"].to_numpy().copy()
    age[3] = np.nan
    pq.write_table(t.set_column(1, "age", pa.array(age)), str(tmp_path / "users.parquet"))
    conf = toy_config()
    conf["nodes"][0]["features"][0]["transform"] = {"name": "no-op"}
    with pytest.raises(SystemExit) as exc:
        main(["--conf-file", write_config(str(tmp_path), conf), "--output-dir", str(tmp_path / "out"), "--quiet"])
    assert exc.value.code == 2
    assert "age" in capsys.readouterr().err
    assert not (tmp_path / "out" / "metadata.json").exists()


def test_failed_rerun_over_complete_output_removes_old_metadata(tmp_path, capsys):
    write_toy_tables(str(tmp_path))
    out = tmp_path / "out"
    with pytest.raises(SystemExit):
        main(["--conf-file", write_config(str(tmp_path), toy_config()), "--output-dir", str(out), "--quiet"])
    assert (out / "metadata.json").exists()
    conf = toy_config()
    conf["edges"][0]["files"] = "missing.parquet"
    _fails(tmp_path, conf, capsys)
