"""Sparse tables in checkpoints: whole or one shard per owner, read back by any row range."""

import numpy as np
import pytest

from graphstorm_py import io
from graphstorm_py.errors import CheckpointError
from graphstorm_py.model.sparse_checkpoint import (SHARDS_KEY, read_rows, shard_file, shard_manifest, table_shape,
                                                    whole_file, write_shard)

RANGES = [(0, 7), (7, 7), (7, 20), (20, 23)]      # one owner holds no rows


def _sharded(tmp_path, table, moments=True):
    path = str(tmp_path / "ckpt")
    for lo, hi in RANGES:
        m = {"exp_avg": table[lo:hi] * 2, "exp_avg_sq": table[lo:hi] ** 2} if moments else None
        write_shard(path, "item", lo, hi, table[lo:hi], m)
    return path, {SHARDS_KEY: {"item": shard_manifest(23, 4, RANGES)}}


def test_any_range_from_shards(tmp_path):
    table = np.random.default_rng(0).standard_normal((23, 4)).astype(np.float32)
    path, info = _sharded(tmp_path, table)
    assert table_shape(path, info, "item") == (23, 4)
    for lo, hi in [(0, 23), (3, 9), (7, 20), (19, 23), (5, 5), (0, 1)]:
        np.testing.assert_array_equal(read_rows(path, info, "item", lo, hi), table[lo:hi])
        np.testing.assert_array_equal(read_rows(path, info, "item", lo, hi, "exp_avg"), table[lo:hi] * 2)


def test_whole_table(tmp_path):
    table = np.arange(12, dtype=np.float32).reshape(6, 2)
    path = str(tmp_path / "ckpt")
    io.save_npy(io.join(path, whole_file("item")), table)
    assert table_shape(path, {}, "item") == (6, 2)
    np.testing.assert_array_equal(read_rows(path, {}, "item", 2, 5), table[2:5])
    with pytest.raises(CheckpointError, match="no exp_avg shards"):
        read_rows(path, {}, "item", 0, 6, "exp_avg")


def test_missing_shard_names_the_file(tmp_path):
    table = np.ones((23, 4), np.float32)
    path, info = _sharded(tmp_path, table)
    io.remove(io.join(path, shard_file("item", 7, 20)))
    np.testing.assert_array_equal(read_rows(path, info, "item", 0, 7), table[:7])   # other owners still read
    with pytest.raises(CheckpointError, match="rows-7-20.npy is missing"):
        read_rows(path, info, "item", 5, 10)


def test_manifest_that_does_not_cover_is_an_error(tmp_path):
    table = np.ones((23, 4), np.float32)
    path, info = _sharded(tmp_path, table, moments=False)
    info[SHARDS_KEY]["item"]["shards"] = [[0, 7], [20, 23]]
    with pytest.raises(CheckpointError, match="do not cover"):
        read_rows(path, info, "item", 0, 23)
