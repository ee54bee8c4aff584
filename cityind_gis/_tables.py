"""Checks shared by the table-based measures (coupling, weights, panels).

Private: numeric-table validation and weight vectors, with messages that name
the argument, what was expected, what was found and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._errors import InputError, SchemaError
from ._validate import check_finite, check_unique_index

TOL = 1e-12  # float excursions outside [0, 1] that are clipped, not refused
_SUM_TOL = 1e-6  # how far a weight vector's sum may stray from 1


def check_frame(df: object, name: str, *, min_rows: int = 1, min_cols: int = 1) -> np.ndarray:
    """Validate a numeric table and return a float copy of its values."""
    if not isinstance(df, pd.DataFrame):
        msg = f"`{name}` should be a pandas DataFrame, got {type(df).__name__}."
        raise SchemaError(msg)
    check_unique_index(df, name)
    if not df.columns.is_unique:
        dup = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        msg = f"`{name}` has duplicated column name(s) {dup}; each indicator needs its own name."
        raise SchemaError(msg)
    bad = [
        f"{c} ({df[c].dtype})"
        for c in df.columns
        if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])
    ]
    if bad:
        msg = (
            f"`{name}` must hold numbers only; non-numeric column(s): {bad}. Convert them "
            f"(e.g. `pd.to_numeric({name}[col])`) or drop them (IDs and names belong in "
            "the index)."
        )
        raise SchemaError(msg)
    if df.shape[0] < min_rows or df.shape[1] < min_cols:
        msg = (
            f"`{name}` needs at least {min_rows} row(s) and {min_cols} column(s); "
            f"got {df.shape[0]} row(s) and {df.shape[1]} column(s)."
        )
        raise SchemaError(msg)
    check_finite(df, name)
    return df.to_numpy(dtype=float, copy=True)


def check_unit_range(values: np.ndarray, columns: pd.Index, name: str, fix: str) -> np.ndarray:
    """Refuse values outside [0, 1] (beyond ``TOL``); clip float noise."""
    outside = (values < -TOL) | (values > 1 + TOL)
    if outside.any():
        bad_columns = np.asarray(outside.any(axis=0))
        cols = [str(c) for c, b in zip(columns, bad_columns, strict=True) if b]
        msg = (
            f"`{name}` must lie in [0, 1]; {int(outside.sum())} value(s) in column(s) {cols} "
            f"fall outside (from {values.min():.4g} to {values.max():.4g}). {fix}"
        )
        raise SchemaError(msg)
    return np.clip(values, 0.0, 1.0)


def weights_vector(weights: object, columns: pd.Index, name: str, table: str) -> np.ndarray:
    """Return ``weights`` in the order of ``columns``: non-negative, summing to 1."""
    if isinstance(weights, Mapping):
        weights = pd.Series(dict(weights))
    if not isinstance(weights, pd.Series):
        msg = (
            f"`{name}` should be a pandas Series or a mapping indexed by the columns of "
            f"`{table}`, got {type(weights).__name__}."
        )
        raise InputError(msg)
    if not weights.index.is_unique:
        dup = sorted({str(c) for c in weights.index[weights.index.duplicated()]})
        msg = f"`{name}` repeats the name(s) {dup}; give each column of `{table}` one weight."
        raise SchemaError(msg)
    missing = [str(c) for c in columns if c not in weights.index]
    extra = [str(c) for c in weights.index if c not in columns]
    if missing or extra:
        msg = (
            f"`{name}` must have exactly one entry per column of `{table}`; no weight for "
            f"{missing}; weights for names not in `{table}`: {extra}. Index `{name}` by "
            f"`{table}.columns` (e.g. `{name}.reindex({table}.columns)` after fixing names)."
        )
        raise SchemaError(msg)
    try:
        w = weights.reindex(columns).to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        msg = f"`{name}` must hold numbers; got dtype {weights.dtype}."
        raise InputError(msg) from err
    if not np.isfinite(w).all() or (w < 0).any():
        bad = {str(c): float(v) for c, v in zip(columns, w, strict=True) if not v >= 0}
        msg = f"`{name}` must be finite and non-negative; found {bad}."
        raise InputError(msg)
    total = float(w.sum())
    if abs(total - 1.0) > _SUM_TOL:
        msg = (
            f"`{name}` must sum to 1 (within {_SUM_TOL:g}); they sum to {total:.6g}. Rescale "
            f"with `{name} / {name}.sum()` or build them with `user_weights(...)`."
        )
        raise InputError(msg)
    return w


def weight_series(w: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(w / w.sum(), index=index, name="weight")
