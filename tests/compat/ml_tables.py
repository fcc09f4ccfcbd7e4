"""MovieLens-100k as the tables GraphStorm's end-to-end tests build their graphs from.

GraphStorm's tests turn ``u.user``/``u.item``/``u.data`` into ``user.hdf5`` (``id``, ``feat``:
age/max age, gender, one-hot occupation), ``users.parquet`` (``id``, ``age``, ``feat``,
``occupation``), ``movie.parquet`` (``id``, ``title``, ``label``: primary genre, ``label2``) and
``edges.parquet`` (``src_id``, ``dst_id``, ``rate``: 0..4, ``rate_class``). This module writes the
same tables (its own code) from our MovieLens copy, and the graph from ``movielens.json`` here,
GraphStorm's ``tests/end2end-tests/data_gen/movielens.json`` with the files made relative and
``bert_model`` set to the offline ``all-MiniLM-L6-v2`` (GraphStorm's ``bert-base-uncased`` would
need a download).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))


def _read(path, names, sep):
    return pcsv.read_csv(path, read_options=pcsv.ReadOptions(column_names=names, encoding="latin-1"),
                         parse_options=pcsv.ParseOptions(delimiter=sep, quote_char=False))


def _matrix(x: np.ndarray) -> pa.Array:
    return pa.FixedSizeListArray.from_arrays(pa.array(x.reshape(-1)), x.shape[1])


def write_tables(data_dir: str, out: str) -> None:
    os.makedirs(out, exist_ok=True)
    users = _read(os.path.join(data_dir, "u.user"), ["id", "age", "gender", "occupation", "zip"], "|")
    age = users["age"].to_numpy().astype(np.float32)
    occ = users["occupation"].to_pylist()
    occ_ids = {o: i for i, o in enumerate(sorted(set(occ)))}
    one_hot = np.eye(len(occ_ids), dtype=np.float32)[[occ_ids[o] for o in occ]]
    gender = np.array([[0.0 if g == "M" else 1.0] for g in users["gender"].to_pylist()], dtype=np.float32)
    feat = np.concatenate([(age / age.max())[:, None], gender, one_hot], axis=1)
    with h5py.File(os.path.join(out, "user.hdf5"), "w") as fh:
        fh["id"] = users["id"].to_numpy()
        fh["feat"] = feat
    pq.write_table(pa.table({"id": users["id"], "age": pa.array(age), "feat": _matrix(feat),
                             "occupation": users["occupation"]}), os.path.join(out, "users.parquet"))
    genres = [f"g{i}" for i in range(19)]
    items = _read(os.path.join(data_dir, "u.item"), ["id", "title", "date", "vdate", "url"] + genres, "|")
    label = np.argmax(np.stack([items[g].to_numpy() for g in genres], axis=1) > 0, axis=1).astype(np.int64)
    pq.write_table(pa.table({"id": items["id"], "title": items["title"], "label": label, "label2": label}),
                   os.path.join(out, "movie.parquet"))
    r = _read(os.path.join(data_dir, "u.data"), ["src_id", "dst_id", "rate", "ts"], "\t")
    rate = r["rate"].to_numpy().astype(np.int64)
    pq.write_table(pa.table({"src_id": r["src_id"], "dst_id": r["dst_id"], "rate": rate - 1, "rate_class": rate}),
                   os.path.join(out, "edges.parquet"))
    # a homogeneous graph: movies, linked from each rated movie to the next one rated (and its rate)
    movies = r["dst_id"].to_numpy()
    pq.write_table(pa.table({"src_id": movies, "dst_id": np.roll(movies, -1), "rate": rate - 1}),
                   os.path.join(out, "edges_homogeneous.parquet"))


def _construct(out: str, conf: str, graph: str, *extra: str) -> str:
    shutil.copy(os.path.join(HERE, conf), out)
    exe = os.path.join(os.path.dirname(sys.executable), "gs-construct")
    subprocess.run([exe, "--conf-file", os.path.join(out, conf), "--output-dir", os.path.join(out, graph),
                    "--graph-name", "movie-lens-100k", "--num-parts", "1", "--quiet", *extra], check=True)
    return os.path.join(out, graph)


def build_homogeneous(out: str) -> str:
    """GraphStorm's homogeneous graph (``_N``, ``(_N, _E, _N)``) from the tables of :func:`build_graph`."""
    return _construct(out, "movielens_homogeneous.json", "movielen_100k_homogeneous_1p_4t")


def build_graph(data_dir: str, out: str) -> str:
    """Tables + ``gs-construct --add-reverse-edges --num-parts 1`` (GraphStorm's create_data.sh); the graph folder."""
    write_tables(data_dir, out)
    return _construct(out, "movielens.json", "movielen_100k_train_val_1p_4t", "--add-reverse-edges")
