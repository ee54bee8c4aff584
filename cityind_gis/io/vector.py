"""Readers for planners' own vector layers and point tables.

Each reader returns a schema-normalised GeoDataFrame with its CRS set and never
modifies the file. Raw class codes are kept; classification happens in
:mod:`cityind_gis.taxonomy`.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from .._errors import CRSError, GeometryError, InputError, SchemaError
from .._validate import check_columns

__all__ = ["read_vector", "read_point_table", "XY_NAMES"]

log = logging.getLogger(__name__)

#: Column names recognised as x (longitude) and y (latitude), lower-cased.
XY_NAMES: dict[str, tuple[str, ...]] = {
    "x": ("lon", "lng", "long", "longitude", "经度", "x", "wgs84_lon", "gcj_lon", "bd_lon"),
    "y": ("lat", "latitude", "纬度", "y", "wgs84_lat", "gcj_lat", "bd_lat"),
}

_TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")


def _check_file(path: str | os.PathLike[str], name: str) -> Path:
    p = Path(path)
    if not p.exists():
        msg = f"`{name}` file {str(path)!r} does not exist (resolved to {p.resolve()})."
        raise InputError(msg)
    return p


def read_vector(
    path: str | os.PathLike[str],
    *,
    name: str = "path",
    layer: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector layer (Shapefile, GeoPackage, GeoJSON, GeoParquet, ...).

    Parameters
    ----------
    path : str or path-like
        File to read.
    name : str, default "path"
        Name of the layer in messages (e.g. ``"landuse"``).
    layer : str, optional
        Layer inside a multi-layer file (GeoPackage). Required when there is more
        than one; the error lists them.
    crs : str, optional
        CRS to assume when the file has none (e.g. ``"EPSG:4490"``). A file that
        has a different CRS raises :class:`CRSError`.
    encoding : str, optional
        Attribute encoding for Shapefiles without a ``.cpg`` (e.g. ``"gbk"``).

    Returns
    -------
    GeoDataFrame
        Features with a RangeIndex and a CRS. Empty geometries are dropped and
        invalid ones repaired with :func:`shapely.make_valid`, each with a warning
        that counts them.
    """
    import pyogrio

    p = _check_file(path, name)
    if p.suffix.lower() in (".parquet", ".geoparquet"):
        gdf = gpd.read_parquet(p)
    else:
        layers = pyogrio.list_layers(p) if p.suffix.lower() == ".gpkg" else None
        if layers is not None and layer is None and len(layers) > 1:
            msg = (
                f"`{name}` file {p.name!r} holds {len(layers)} layers {list(layers[:, 0])}; "
                "choose one with `layer = ...`."
            )
            raise InputError(msg)
        kwargs = {"encoding": encoding} if encoding else {}
        try:
            gdf = gpd.read_file(p, layer=layer, engine="pyogrio", **kwargs)
        except Exception as exc:  # GDAL errors: report them as user input errors
            msg = f"`{name}` file {p.name!r} could not be read as a vector layer: {exc}"
            raise InputError(msg) from exc
    if gdf.crs is None:
        if crs is None:
            msg = (
                f"`{name}` ({p.name}) has no CRS (no .prj or CRS record). Give the CRS it was "
                "made in, e.g. `crs = \"EPSG:4490\"` (CGCS2000) or `\"EPSG:4326\"` (WGS 84)."
            )
            raise CRSError(msg)
        gdf = gdf.set_crs(crs)
    elif crs is not None and gdf.crs != gpd.GeoSeries([], crs=crs).crs:
        msg = (
            f"`{name}` ({p.name}) declares {gdf.crs.to_string()} but the config says {crs}; "
            "remove `crs` from the config or fix the file's .prj."
        )
        raise CRSError(msg)
    gdf = gdf.reset_index(drop=True)
    bad = gdf.geometry.isna() | gdf.geometry.is_empty
    if bad.all() and len(gdf):
        msg = f"`{name}` ({p.name}) has no usable geometry: all {len(gdf)} features are empty."
        raise GeometryError(msg)
    if bad.any():
        warnings.warn(f"{int(bad.sum())} {name} feature(s) without geometry were dropped", stacklevel=2)
        gdf = gdf[~bad].reset_index(drop=True)
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        warnings.warn(f"{int(invalid.sum())} invalid {name} geometries were repaired with make_valid",
                      stacklevel=2)
        gdf = gdf.copy()
        gdf.loc[invalid, gdf.geometry.name] = shapely.make_valid(gdf.geometry[invalid].values)
    log.info("read %d %s features from %s", len(gdf), name, p.name)
    return gdf


def _read_table(p: Path, name: str, sheet: str | int | None) -> pd.DataFrame:
    if p.suffix.lower() in (".xlsx", ".xls"):
        try:
            return pd.read_excel(p, sheet_name=sheet if sheet is not None else 0)
        except ImportError as exc:
            msg = "Reading Excel needs openpyxl: `pip install openpyxl`, or save the sheet as CSV."
            raise InputError(msg) from exc
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(p, encoding=enc)
        except UnicodeDecodeError:
            continue
    msg = f"`{name}` file {p.name!r} is neither UTF-8 nor GB18030/GBK text; re-save it as UTF-8."
    raise InputError(msg)


def _find_column(columns: pd.Index, axis: str, given: str | None, name: str) -> str:
    if given is not None:
        if given not in columns:
            msg = f"`{name}` has no column {given!r} for {axis}; it has {list(map(str, columns))}."
            raise SchemaError(msg)
        return given
    lower = {str(c).strip().lower(): c for c in columns}
    for cand in XY_NAMES[axis]:
        if cand in lower:
            return lower[cand]
    msg = (
        f"`{name}` has no recognisable {axis} column (tried {list(XY_NAMES[axis])}); it has "
        f"{list(map(str, columns))}. Name it with `{axis} = \"...\"` in the config."
    )
    raise SchemaError(msg)


def read_point_table(
    path: str | os.PathLike[str],
    *,
    name: str = "pois",
    x: str | None = None,
    y: str | None = None,
    crs: str = "EPSG:4326",
    sheet: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read a CSV or Excel table of points with coordinate columns.

    Parameters
    ----------
    path : str or path-like
        ``.csv`` (UTF-8, UTF-8 with BOM, or GB18030/GBK) or ``.xlsx``.
    name : str, default "pois"
        Layer name in messages.
    x, y : str, optional
        Coordinate columns; found from :data:`XY_NAMES` (lon/lng/经度, lat/纬度, ...) if omitted.
    crs : str, default "EPSG:4326"
        CRS of the coordinates.
    sheet : str or int, optional
        Excel sheet.

    Returns
    -------
    GeoDataFrame
        Points with every table column kept; rows without coordinates are
        dropped with a warning that counts them.

    Raises
    ------
    SchemaError
        Coordinate columns missing or non-numeric, or longitude/latitude swapped
        (|lat| > 90 while |lon| <= 90 for a geographic CRS).
    """
    p = _check_file(path, name)
    table = _read_table(p, name, sheet)
    xc = _find_column(table.columns, "x", x, name)
    yc = _find_column(table.columns, "y", y, name)
    xs = pd.to_numeric(table[xc], errors="coerce")
    ys = pd.to_numeric(table[yc], errors="coerce")
    bad_text = (xs.isna() & table[xc].notna()) | (ys.isna() & table[yc].notna())
    if bad_text.any():
        first = table.loc[bad_text, [xc, yc]].head(3).to_dict("records")
        msg = f"`{name}` columns {xc!r}/{yc!r} hold {int(bad_text.sum())} non-numeric value(s), e.g. {first}."
        raise SchemaError(msg)
    missing = xs.isna() | ys.isna()
    if missing.all():
        msg = f"`{name}` has no row with both {xc!r} and {yc!r} filled."
        raise SchemaError(msg)
    if missing.any():
        warnings.warn(f"{int(missing.sum())} {name} row(s) without coordinates were dropped", stacklevel=2)
    table, xs, ys = table[~missing], xs[~missing], ys[~missing]
    geo = gpd.GeoSeries([], crs=crs).crs
    if geo.is_geographic:
        if (ys.abs() > 90).any() and (xs.abs() <= 90).all():
            msg = (
                f"`{name}` looks like it has longitude and latitude swapped: {yc!r} holds values "
                f"beyond ±90 (max {ys.abs().max():.3f}) while {xc!r} stays within ±90. Swap the "
                "columns with `x = ...` / `y = ...` in the config."
            )
            raise SchemaError(msg)
        if (xs.abs() > 180).any() or (ys.abs() > 90).any():
            msg = (
                f"`{name}` coordinates exceed ±180/±90 but `crs` is geographic ({crs}); the table "
                "is probably in projected metres: set `crs` to its projected CRS."
            )
            raise CRSError(msg)
    gdf = gpd.GeoDataFrame(
        table.drop(columns=[xc, yc]).reset_index(drop=True),
        geometry=gpd.points_from_xy(xs.to_numpy(dtype=float), ys.to_numpy(dtype=float)),
        crs=crs,
    )
    log.info("read %d %s points from %s", len(gdf), name, p.name)
    return gdf


def is_table(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a CSV/Excel table (rather than a vector layer).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    bool
    """
    return str(path).lower().endswith(_TABLE_SUFFIXES)


def require_columns(gdf: gpd.GeoDataFrame, columns: list[str], name: str) -> None:
    """Check that config-named columns exist in a layer (wrapper used by the pipeline).

    Parameters
    ----------
    gdf : GeoDataFrame
    columns : list of str
    name : str
    """
    check_columns(gdf, columns, name)


