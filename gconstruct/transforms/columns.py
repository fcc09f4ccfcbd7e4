"""Reading Arrow columns as what transforms compute on: float matrices, texts, and value lists.

Every transform receives its input as ``pa.Array`` (or ``pa.ChunkedArray``) objects, one per
``feature_col``. Three shapes of input are needed:

- :func:`numeric_matrix` -- a float64 ``[n, d]`` matrix. A scalar column gives one matrix column;
  a ``list``/``large_list``/``fixed_size_list`` column of numbers gives ``d`` columns (all rows must
  have the same length); a string column is split on ``separator`` and parsed as floats. Several
  columns are concatenated. Nulls read as NaN. With ``exact_int=True``, columns of integers
  without nulls give an int64 matrix instead, so values beyond 2^53 keep every digit.
- :func:`texts` -- a Python list of strings (null reads as ``""``), for language models.
- :func:`row_values` -- the values of each row as one flat Arrow array plus the row index of each
  value: a list column gives its elements, a string column split on ``separator`` its pieces, and
  a scalar column its single value. Nulls and empty strings are dropped.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphstorm_py.errors import DataError

__all__ = ["as_array", "numeric_matrix", "texts", "row_values", "check_finite", "int_cast_loss"]


def as_array(col) -> pa.Array:
    """One contiguous ``pa.Array`` from an Array, ChunkedArray, or anything ``pa.array`` takes."""
    if isinstance(col, pa.ChunkedArray):
        return col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if isinstance(col, pa.Array):
        return col
    return pa.array(col)


def _is_list(t: pa.DataType) -> bool:
    return pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)


def _int_values(arr: pa.Array) -> bool:
    """Whether ``arr`` (or its list values) holds integers and no nulls."""
    t = arr.type
    if _is_list(t):
        return pa.types.is_integer(t.value_type) and arr.null_count == 0 and pc.list_flatten(arr).null_count == 0
    return pa.types.is_integer(t) and arr.null_count == 0


def _to_float(arr: pa.Array, name: str) -> np.ndarray:
    t = arr.type
    if not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
            or pa.types.is_decimal(t) or pa.types.is_string(t) or pa.types.is_large_string(t)
            or pa.types.is_null(t)):
        raise DataError(f"column '{name}' has type {t}; a numeric feature needs numbers")
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        arr = pc.utf8_trim_whitespace(arr)
    # float32/float16 input stays float32: halves the transient memory of wide vector features
    target = pa.float32() if pa.types.is_floating(t) and t.bit_width <= 32 else pa.float64()
    try:
        arr = arr.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise DataError(f"column '{name}' holds values that are not numbers ({exc}); "
                        "set 'separator' if one cell encodes a vector") from None
    return arr.to_numpy(zero_copy_only=False, writable=True)


def _int_matrix(arr: pa.Array, name: str) -> np.ndarray:
    n = len(arr)
    if not _is_list(arr.type):
        return arr.cast(pa.int64()).to_numpy(zero_copy_only=False).reshape(n, 1)
    lengths = pc.list_value_length(arr).to_numpy(zero_copy_only=False)
    d = int(lengths[0]) if n else (arr.type.list_size if pa.types.is_fixed_size_list(arr.type) else 0)
    if n and (lengths != d).any():
        row = int(np.flatnonzero(lengths != d)[0])
        raise DataError(f"column '{name}': rows have vectors of different lengths "
                        f"({d} in the first row, {int(lengths[row])} at row {row})")
    return pc.list_flatten(arr).cast(pa.int64()).to_numpy(zero_copy_only=False).reshape(n, d)


def _column_matrix(col, name: str, separator: str | None, exact_int: bool = False) -> np.ndarray:
    arr = as_array(col)
    t = arr.type
    n = len(arr)
    if exact_int and _int_values(arr):
        return _int_matrix(arr, name)
    if separator is not None and (pa.types.is_string(t) or pa.types.is_large_string(t)):
        arr = pc.split_pattern(arr, pattern=separator)
        t = arr.type
    if not _is_list(t):
        return _to_float(arr, name).reshape(n, 1)
    if _is_list(t.value_type):
        raise DataError(f"column '{name}' is a nested list ({t}); expected a vector per row")
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    if pa.types.is_fixed_size_list(t):
        d = t.list_size
        values = arr.values.slice(arr.offset * d, n * d)
        out = _to_float(values, name).reshape(n, d)
    else:
        lengths = pc.list_value_length(arr).to_numpy(zero_copy_only=False)
        present = lengths[valid].astype(np.int64)
        d = int(present[0]) if len(present) else 0
        if len(present) and (present != d).any():
            row = int(np.flatnonzero(valid)[np.flatnonzero(present != d)[0]])
            raise DataError(f"column '{name}': rows have vectors of different lengths "
                            f"({d} in the first row, {int(lengths[row])} at row {row})")
        out = np.full((n, d), np.nan)
        out[valid] = _to_float(pc.list_flatten(arr), name).reshape(-1, d)
    out[~valid] = np.nan
    return out


def check_finite(mat: np.ndarray, name: str) -> None:
    """Raise a DataError naming ``name`` and the first row that holds NaN, Inf or a null."""
    bad = ~np.isfinite(mat)
    if bad.any():
        row = int(np.flatnonzero(bad.any(axis=1))[0])
        raise DataError(f"column '{name}' has a missing, NaN or infinite value at row {row} "
                        f"({int(bad.any(axis=1).sum())} rows in this batch)")


def numeric_matrix(cols: Sequence, names: Sequence[str], *, separator: str | None = None,
                   validate: bool = False, truncate_dim: int | None = None, exact_int: bool = False) -> np.ndarray:
    """The columns as one float64 ``[n, d]`` matrix; see the module docstring.

    ``validate`` raises on NaN/Inf/null; ``truncate_dim`` keeps the first values of each column;
    ``exact_int`` returns int64 when every column holds integers without nulls.
    """
    mats = []
    for col, name in zip(cols, names):
        mat = _column_matrix(col, name, separator, exact_int)
        if truncate_dim is not None:
            mat = mat[:, :truncate_dim]
        if validate and mat.dtype.kind == "f":
            check_finite(mat, name)
        mats.append(mat)
    if len(mats) > 1 and len({m.dtype for m in mats}) > 1:
        mats = [m.astype(np.float64) for m in mats]
    return mats[0] if len(mats) == 1 else np.hstack(mats)


def _null_as_text(arr: pa.Array) -> pa.Array:
    """An all-null column (what a csv header without rows reads as) is a column of strings."""
    return arr.cast(pa.string()) if pa.types.is_null(arr.type) else arr


def texts(col, name: str) -> list[str]:
    """The column as Python strings; null reads as the empty string."""
    arr = _null_as_text(as_array(col))
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        raise DataError(f"column '{name}' has type {arr.type}; a text transform needs strings")
    return pc.fill_null(arr, "").to_pylist()


def row_values(col, name: str, separator: str | None = None) -> tuple[np.ndarray, pa.Array]:
    """``(rows, values)``: every value in the column with the index of the row it belongs to."""
    arr = _null_as_text(as_array(col))
    t = arr.type
    is_str = pa.types.is_string(t) or pa.types.is_large_string(t)
    if separator is not None and not _is_list(t):
        if not is_str:
            raise DataError(f"column '{name}' has type {t}; 'separator' needs a string column")
        arr = pc.split_pattern(arr, pattern=separator)
        t = arr.type
    if _is_list(t):
        rows = pc.list_parent_indices(arr).to_numpy(zero_copy_only=False).astype(np.int64)
        values = pc.list_flatten(arr)
    else:
        rows, values = np.arange(len(arr), dtype=np.int64), arr
    keep = values.is_valid()
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        keep = pc.and_(keep, pc.not_equal(pc.utf8_length(values), 0))
    keep = pc.fill_null(keep, False)
    keep_np = keep.to_numpy(zero_copy_only=False).astype(bool)
    return rows[keep_np], values.filter(keep)


def int_cast_loss(values: np.ndarray, dtype) -> str | None:
    """How casting integer ``values`` to ``dtype`` loses information, or None when it does not.

    Float targets lose when distinct integers become one float (beyond 2^24 for float32);
    integer targets when values fall outside their range. Cheap unless values are that large.
    """
    dtype = np.dtype(dtype)
    if values.dtype.kind not in "iu" or values.dtype == dtype or not values.size:
        return None
    if dtype.kind == "f":
        exact = 1 << (np.finfo(dtype).nmant + 1)
        if np.abs(values).max() <= exact:
            return None
        flat = values.reshape(-1)
        before, after = len(np.unique(flat)), len(np.unique(flat.astype(dtype)))
        if after < before:
            return f"casting {values.dtype} to {dtype} merges {before} distinct values into {after}"
        return None
    info = np.iinfo(dtype)
    if values.min() < info.min or values.max() > info.max:
        return f"values [{values.min()}, {values.max()}] do not fit {dtype}"
    return None
