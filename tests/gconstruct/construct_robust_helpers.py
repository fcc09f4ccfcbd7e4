"""Shared by the test_robust_* files: write tables in any input format, run gs-construct."""

import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graphstorm_py.gconstruct.cli import main

FORMATS = ("parquet", "csv", "json", "hdf5")
_EXT = {"parquet": ".parquet", "csv": ".csv", "json": ".json", "hdf5": ".h5"}


def write_table(root, name: str, fmt: str, cols: dict) -> str:
    """Write ``cols`` (name -> pa.Array) as ``root/name.<ext>`` in format ``fmt``; returns the file name."""
    path = os.path.join(str(root), name + _EXT[fmt])
    table = pa.table(cols)
    if fmt == "parquet":
        pq.write_table(table, path)
    elif fmt == "csv":
        import pyarrow.csv as pcsv

        pcsv.write_csv(table, path)
    elif fmt == "json":
        with open(path, "w") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in table.to_pylist())
    else:
        import h5py

        with h5py.File(path, "w") as f:
            for k, v in cols.items():
                arr = v.to_numpy(zero_copy_only=False)
                f.create_dataset(k, data=arr.astype("S") if pa.types.is_string(v.type) else arr)
    return os.path.basename(path)


def construct(root, conf: dict, *extra, code: int = 0, capsys=None) -> str:
    """Run gs-construct on ``conf`` in ``root``; assert its exit code; return stderr when captured."""
    path = os.path.join(str(root), "conf.json")
    with open(path, "w") as fh:
        json.dump(conf, fh)
    out = os.path.join(str(root), "out")
    with pytest.raises(SystemExit) as exc:
        main(["--conf-file", path, "--output-dir", out, "--quiet", *extra])
    err = capsys.readouterr().err if capsys is not None else ""
    assert exc.value.code == code, err
    assert os.path.exists(os.path.join(out, "metadata.json")) == (code == 0)
    assert "Traceback" not in err
    return err


def node(ntype, files, fmt="parquet", id_col="id", **kw):
    entry = {"node_type": ntype, "format": {"name": fmt}, "files": files, **kw}
    if id_col:
        entry["node_id_col"] = id_col
    return entry


def edge(rel, files, fmt="parquet", **kw):
    return {"relation": list(rel), "format": {"name": fmt}, "files": files, "source_id_col": "src",
            "dest_id_col": "dst", **kw}


def conf(nodes, edges):
    return {"version": "gconstruct-v0.1", "nodes": nodes, "edges": edges}


def masks_by_id(ds, ntype: str) -> dict:
    """``{mask: set of original IDs}`` for the three default masks of ``ntype``."""
    ids = np.array(ds.orig_ids(ntype).to_pylist(), dtype=object)
    return {m: set(ids[np.flatnonzero(ds.node_array(ntype, m))].tolist())
            for m in ("train_mask", "val_mask", "test_mask")}
