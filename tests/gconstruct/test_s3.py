"""s3:// input and output against moto's server on 127.0.0.1."""

import json
import os

import fsspec
import numpy as np
import pytest

from graphstorm_py.gconstruct.cli import main
from graphstorm_py.graph import GraphDataset
from construct_helpers import toy_config, write_toy_tables


def test_construct_from_and_to_s3(tmp_path, s3_bucket):
    data = write_toy_tables(str(tmp_path))
    fs = fsspec.filesystem("s3")
    for name in ("users.parquet", "items.parquet", "edges.parquet"):
        fs.put(str(tmp_path / name), f"{s3_bucket}/in/{name}")
    conf = toy_config()
    for entry in conf["nodes"] + conf["edges"]:
        entry["files"] = f"{s3_bucket}/in/{entry['files']}"
    conf["nodes"][1]["files"] = f"{s3_bucket}/in/item*.parquet"  # globs work on s3 too
    with fs.open(f"{s3_bucket}/conf.json", "w") as fh:
        json.dump(conf, fh)
    out = f"{s3_bucket}/graph"
    with pytest.raises(SystemExit) as exc:
        main(["--conf-file", f"{s3_bucket}/conf.json", "--output-dir", out, "--num-parts", "2", "--quiet"])
    assert exc.value.code == 0
    fs.invalidate_cache()
    ds = GraphDataset.open(out)
    assert ds.num_nodes("user") == 30 and ds.num_edges(("user", "buys", "item")) == 200
    assert sorted(ds.orig_ids("user").to_pylist()) == sorted(data["uid"])
    src, dst = ds.coo(("user", "buys", "item"))
    assert len(src) == 200
    w = np.sort(ds.edge_array(("user", "buys", "item"), "w")[:, 0])
    np.testing.assert_array_equal(w, np.sort(data["w"]))


def test_relative_files_in_an_s3_config_resolve_next_to_it(tmp_path, s3_bucket, monkeypatch):
    """As for a local config: 'in/users.parquet' in s3://b/jobs/conf.json is s3://b/jobs/in/users.parquet,
    whatever the working folder (which holds a decoy of the same name)."""
    data = write_toy_tables(str(tmp_path))
    fs = fsspec.filesystem("s3")
    for name in ("users.parquet", "items.parquet", "edges.parquet"):
        fs.put(str(tmp_path / name), f"{s3_bucket}/jobs/in/{name}")
    conf = toy_config()
    for entry in conf["nodes"] + conf["edges"]:
        entry["files"] = f"in/{entry['files']}"
    with fs.open(f"{s3_bucket}/jobs/conf.json", "w") as fh:
        json.dump(conf, fh)
    decoy = tmp_path / "cwd"
    (decoy / "in").mkdir(parents=True)
    monkeypatch.chdir(decoy)
    out = str(tmp_path / "graph")
    with pytest.raises(SystemExit) as exc:
        main(["--conf-file", f"{s3_bucket}/jobs/conf.json", "--output-dir", out, "--num-parts", "1", "--quiet"])
    assert exc.value.code == 0
    ds = GraphDataset.open(out)
    assert sorted(ds.orig_ids("user").to_pylist()) == sorted(data["uid"])


def test_a_missing_relative_file_of_an_s3_config_names_its_s3_path(tmp_path, s3_bucket, capsys):
    conf = toy_config()
    conf["nodes"][0]["files"] = "in/nope.parquet"
    fs = fsspec.filesystem("s3")
    with fs.open(f"{s3_bucket}/jobs2/conf.json", "w") as fh:
        json.dump(conf, fh)
    with pytest.raises(SystemExit) as exc:
        main(["--conf-file", f"{s3_bucket}/jobs2/conf.json", "--output-dir", str(tmp_path / "g"), "--quiet"])
    assert exc.value.code == 2
    assert f"{s3_bucket}/jobs2/in/nope.parquet" in capsys.readouterr().err
