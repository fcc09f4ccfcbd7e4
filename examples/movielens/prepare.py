"""Turn the raw MovieLens-100k ``u.*`` files into Parquet tables for gs-construct.

Writes to OUT:
- ``users.parquet``: ``id``, ``age`` (float), ``gender`` (M/F), ``occupation``;
- ``movies.parquet``: ``id``, ``title``, ``label`` (primary genre: the first genre flag set,
  0..18 in ``u.genre`` order);
- ``ratings.parquet``: ``src_id`` (user), ``dst_id`` (movie), ``rate`` (1..5), ``rate_class``
  (``rate - 1``, the 5-class edge-classification label);
- ``split_u1/{train,test}.parquet``: the ``u1.base`` / ``u1.test`` (user, movie) pairs, for
  custom edge splits;
- ``split_u1/{fit,val}.parquet``: ``u1.base`` cut for model selection: ``val`` is every 20th
  row of ``u1.base`` (4,000 pairs, deterministic), ``fit`` the other 76,000.

The dataset may not be redistributed: run this on your own copy (``--data-dir``).
Usage: ``python examples/movielens/prepare.py --data-dir ../shared/data/movielens-100k --output-dir OUT``
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq


def _read(path: str, names, sep: str) -> pa.Table:
    return pcsv.read_csv(path, read_options=pcsv.ReadOptions(column_names=names, encoding="latin-1"),
                         parse_options=pcsv.ParseOptions(delimiter=sep, quote_char=False))


def prepare(data_dir: str, out: str) -> None:
    os.makedirs(os.path.join(out, "split_u1"), exist_ok=True)
    users = _read(os.path.join(data_dir, "u.user"), ["id", "age", "gender", "occupation", "zip"], "|")
    pq.write_table(pa.table({"id": users["id"], "age": users["age"].cast(pa.float32()),
                             "gender": users["gender"], "occupation": users["occupation"]}),
                   os.path.join(out, "users.parquet"))
    genres = [f"g{i}" for i in range(19)]
    items = _read(os.path.join(data_dir, "u.item"), ["id", "title", "date", "vdate", "url"] + genres, "|")
    flags = np.stack([items[g].to_numpy() for g in genres], axis=1)
    label = np.argmax(flags > 0, axis=1).astype(np.int64)
    pq.write_table(pa.table({"id": items["id"], "title": items["title"], "label": label}),
                   os.path.join(out, "movies.parquet"))
    for name, src in (("ratings.parquet", "u.data"), ("split_u1/train.parquet", "u1.base"),
                      ("split_u1/test.parquet", "u1.test")):
        r = _read(os.path.join(data_dir, src), ["src_id", "dst_id", "rate", "ts"], "\t")
        cols = {"src_id": r["src_id"], "dst_id": r["dst_id"]}
        if name == "ratings.parquet":
            cols["rate"] = r["rate"].cast(pa.int64())
            cols["rate_class"] = pa.array(r["rate"].to_numpy().astype(np.int64) - 1)
        pq.write_table(pa.table(cols), os.path.join(out, name))
        if name == "split_u1/train.parquet":
            val = np.arange(r.num_rows) % 20 == 19
            pq.write_table(pa.table(cols).filter(pa.array(val)), os.path.join(out, "split_u1/val.parquet"))
            pq.write_table(pa.table(cols).filter(pa.array(~val)), os.path.join(out, "split_u1/fit.parquet"))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--output-dir", required=True)
    a = ap.parse_args()
    prepare(a.data_dir, a.output_dir)
    print(f"wrote MovieLens tables to {a.output_dir}")
