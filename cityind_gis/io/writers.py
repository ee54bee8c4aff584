"""Writers: every output file is written atomically (temporary file, then rename)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ._atomic import atomic_path

__all__ = ["write_geopackage", "write_csv", "write_json"]


def _gpkg_safe(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Turn nullable/extension dtypes into types GDAL writes (Int64 with NA -> float/int)."""
    out = gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.astype(object)
        elif pd.api.types.is_bool_dtype(s.dtype):
            out[col] = s.astype(bool)
        elif isinstance(s.dtype, pd.Int64Dtype | pd.Int32Dtype):
            out[col] = s.astype("float64") if s.isna().any() else s.astype(np.int64)
        elif isinstance(s.dtype, pd.StringDtype) or s.dtype == object:
            out[col] = s.astype(object).where(s.notna(), None)
    if out.index.name and out.index.name not in out.columns:
        out = out.reset_index()
    return out


def write_geopackage(layers: dict[str, gpd.GeoDataFrame], path: str | os.PathLike[str]) -> Path:
    """Write several layers into one GeoPackage, atomically.

    Parameters
    ----------
    layers : dict of str to GeoDataFrame
        Layer name -> layer. A named index (e.g. ``cell_id``) becomes a column.
    path : str or path-like
        Target ``.gpkg``. An existing file is replaced only once every layer is written.

    Returns
    -------
    pathlib.Path
    """
    with atomic_path(path) as tmp:
        for name, gdf in layers.items():
            _gpkg_safe(gdf).to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
    return Path(path)


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a table as UTF-8 CSV with a byte-order mark, atomically.

    Parameters
    ----------
    df : DataFrame
    path : str or path-like

    Returns
    -------
    pathlib.Path

    Notes
    -----
    The BOM (``utf-8-sig``) makes Excel on Chinese Windows read the Chinese grade
    names correctly instead of guessing GBK.
    """
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, encoding="utf-8-sig")
    return Path(path)


def write_json(data: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write a dict as pretty UTF-8 JSON, atomically.

    Parameters
    ----------
    data : dict
    path : str or path-like

    Returns
    -------
    pathlib.Path
    """
    def default(o: Any) -> Any:
        if isinstance(o, np.generic):
            return o.item()
        return str(o)

    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=default), encoding="utf-8")
    return Path(path)
