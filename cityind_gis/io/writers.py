"""Writers: every output file is written atomically (temporary file, then rename).

GeoPackages carry their QGIS styles in the ``layer_styles`` table; shapefiles get
a ``.cpg`` (UTF-8) and a ``.qml`` style beside them; GeoParquet and GeoJSON are
plain exports. A failed write never leaves a half-written file and never
destroys the previous one.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .._errors import InputError
from ._atomic import atomic_path

__all__ = [
    "EXPORT_FORMATS",
    "write_geopackage",
    "write_geoparquet",
    "write_shapefile",
    "write_geojson",
    "write_layers",
    "write_csv",
    "write_json",
]

#: Layer formats :func:`write_layers` can write, with their file suffix.
EXPORT_FORMATS: dict[str, str] = {
    "gpkg": ".gpkg",
    "parquet": ".parquet",
    "shp": ".shp",
    "geojson": ".geojson",
}

_SHP_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qml")

# QGIS's own layer_styles schema (QgsOgrProviderMetadata::saveStyle): same columns,
# names, widths and types, so QGIS can also add and update styles in our files.
_LAYER_STYLES_DDL = """
CREATE TABLE "layer_styles" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  "f_table_catalog" TEXT(256),
  "f_table_schema" TEXT(256),
  "f_table_name" TEXT(256),
  "f_geometry_column" TEXT(256),
  "styleName" TEXT(30),
  "styleQML" TEXT,
  "styleSLD" TEXT,
  "useAsDefault" BOOLEAN,
  "description" TEXT,
  "owner" TEXT(30),
  "ui" TEXT(30),
  "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)
"""


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


def _check_layers(layers: Any) -> None:
    if not isinstance(layers, Mapping) or not layers:
        msg = (f"`layers` must be a non-empty dict of layer name -> GeoDataFrame, got "
               f"{type(layers).__name__}{' (empty)' if isinstance(layers, Mapping) else ''}.")
        raise InputError(msg)
    bad = [str(k) for k, v in layers.items()
           if not isinstance(k, str) or not k or not isinstance(v, gpd.GeoDataFrame)]
    if bad:
        msg = (f"`layers` must map non-empty names to GeoDataFrames; entries {bad} are not. "
               "Pass tables without geometry to `write_csv` instead.")
        raise InputError(msg)


def _geometry_columns(path: Path) -> dict[str, str]:
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
    finally:
        con.close()
    return {str(t): str(c) for t, c in rows}


def _add_layer_styles(path: Path, rows: list[tuple[str, str, Any]]) -> None:
    """Create ``layer_styles`` in a GeoPackage and register it as an attribute table.

    ``rows`` holds (layer, geometry column, LayerStyle) triples.
    """
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute(_LAYER_STYLES_DDL)
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
                "'QGIS layer styles', strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
            )
            con.executemany(
                'INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, '
                'f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, '
                'owner, ui) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                [("", "", layer, geom, s.name, s.qml, s.sld, int(s.default), s.description,
                  "", None) for layer, geom, s in rows],
            )
    finally:
        con.close()


def write_geopackage(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | os.PathLike[str],
    *,
    styles: bool = True,
    lang: str = "en",
) -> Path:
    """Write several layers into one GeoPackage with QGIS styles, atomically.

    Parameters
    ----------
    layers : dict of str to GeoDataFrame
        Layer name -> layer. A named index (e.g. ``cell_id``) becomes a column.
        Empty layers are written too (QGIS shows them empty).
    path : str or path-like
        Target ``.gpkg``. An existing file is replaced only once every layer and
        style is written.
    styles : bool, default True
        Add the ``layer_styles`` table with the styles of
        :func:`cityind_gis.maps.styles.layer_styles` (one default per layer), so
        QGIS applies them when a layer is added.
    lang : {"en", "zh"}, default "en"
        Language of the style legends and field aliases.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        If ``layers`` is empty or holds something other than GeoDataFrames, or
        ``lang`` is unknown.

    Notes
    -----
    Every ``layer_styles`` row satisfies QGIS's lookup
    (``QgsOgrProviderMetadata::loadStyle``): ``f_table_catalog`` and
    ``f_table_schema`` are empty strings, ``f_table_name`` is the layer name and
    ``f_geometry_column`` the geometry column exactly as written in
    ``gpkg_geometry_columns`` (``geom``), and the default style has
    ``useAsDefault = 1``.
    """
    _check_layers(layers)
    from ..maps.styles import layer_styles

    prepared = {name: _gpkg_safe(gdf) for name, gdf in layers.items()}
    style_map = ({name: layer_styles(gdf, name, lang=lang) for name, gdf in prepared.items()}
                 if styles else {})
    with atomic_path(path) as tmp:
        for name, gdf in prepared.items():
            gdf.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
        if styles:
            geoms = _geometry_columns(tmp)
            rows = [(name, geoms[name], s) for name, group in style_map.items()
                    for s in group if name in geoms]
            _add_layer_styles(tmp, rows)
    return Path(path)


def write_geoparquet(gdf: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write one layer as GeoParquet (WKB geometry, CRS in the metadata), atomically.

    Parameters
    ----------
    gdf : GeoDataFrame
        Layer; its CRS is kept.
    path : str or path-like
        Target ``.parquet``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ImportError
        If pyarrow is not installed (``pip install "cityind-gis[parquet]"``).
    """
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        msg = ("GeoParquet export needs the 'pyarrow' package. Install it with "
               "`pip install \"cityind-gis[parquet]\"` (or `pip install pyarrow`), or drop "
               "\"parquet\" from `[output] formats`.")
        raise ImportError(msg) from exc
    with atomic_path(path) as tmp:
        _gpkg_safe(gdf).to_parquet(tmp)
    return Path(path)


def write_geojson(gdf: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write one layer as RFC 7946 GeoJSON (WGS 84 lon/lat, UTF-8), atomically.

    Parameters
    ----------
    gdf : GeoDataFrame
        Layer in any CRS (it must have one); GDAL reprojects it to WGS 84, as
        RFC 7946 requires, with 7 decimals (about 1 cm).
    path : str or path-like
        Target ``.geojson``.

    Returns
    -------
    pathlib.Path
    """
    from .._validate import check_crs

    check_crs(gdf, "gdf")
    with atomic_path(path) as tmp:
        _gpkg_safe(gdf).to_file(tmp, driver="GeoJSON", engine="pyogrio",
                                layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": "7"})
    return Path(path)


def write_shapefile(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    lang: str = "en",
) -> Path:
    """Write one layer as a shapefile with ``.cpg`` (UTF-8) and a QGIS ``.qml``.

    Parameters
    ----------
    gdf : GeoDataFrame
        Layer. Field names longer than 10 characters (the dBASE limit) are
        shortened by :func:`cityind_gis.maps.styles.short_field_names`; the
        ``.qml`` gives every shortened field its full name (or readable alias)
        so QGIS attribute tables still read well.
    path : str or path-like
        Target ``.shp``; ``.shx``, ``.dbf``, ``.prj``, ``.cpg`` and ``.qml`` are
        written beside it.
    lang : {"en", "zh"}, default "en"
        Language of the style legend and aliases.

    Returns
    -------
    pathlib.Path

    Notes
    -----
    The files are written into a temporary folder inside the target folder, then
    each is renamed over its final name; an error before the renames leaves any
    earlier shapefile untouched. QGIS loads ``name.qml`` automatically when it
    adds ``name.shp``.
    """
    from ..maps.styles import layer_styles, short_field_names

    final = Path(path)
    if final.suffix.lower() != ".shp":
        msg = f"`path` must end in .shp, got {str(path)!r}."
        raise InputError(msg)
    data = _gpkg_safe(gdf)
    fields = [c for c in data.columns if c != data.geometry.name]
    rename = short_field_names(fields)
    style = layer_styles(data, final.stem, lang=lang, rename=rename)[0]
    out = data.rename(columns=rename)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{final.stem}.", dir=final.parent))
    try:
        tmp = tmpdir / final.name
        out.to_file(tmp, driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8")
        tmp.with_suffix(".cpg").write_text("UTF-8", encoding="ascii")
        tmp.with_suffix(".qml").write_text(style.qml, encoding="utf-8")
        for suffix in _SHP_SIDECARS:
            part = tmp.with_suffix(suffix)
            if part.exists():
                os.replace(part, final.with_suffix(suffix))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return final


def write_layers(
    layers: Mapping[str, gpd.GeoDataFrame],
    out_dir: str | os.PathLike[str],
    *,
    formats: Iterable[str] = ("gpkg",),
    gpkg_name: str = "cityind.gpkg",
    lang: str = "en",
) -> dict[str, Path]:
    """Write result layers in every requested format.

    Parameters
    ----------
    layers : dict of str to GeoDataFrame
        Layer name -> layer.
    out_dir : str or path-like
        Output folder (created if needed).
    formats : iterable of {"gpkg", "parquet", "shp", "geojson"}, default ("gpkg",)
        ``gpkg`` writes all layers, styled, into ``gpkg_name``; the others write
        one file per layer, ``{layer}.parquet``, ``{layer}.shp`` (+ ``.cpg``,
        ``.qml``) and ``{layer}.geojson``.
    gpkg_name : str, default "cityind.gpkg"
        File name of the GeoPackage.
    lang : {"en", "zh"}, default "en"
        Language of styles and aliases.

    Returns
    -------
    dict of str to Path
        ``gpkg`` -> the GeoPackage, and ``{format}:{layer}`` -> each export.

    Raises
    ------
    InputError
        If a format is unknown (the message lists the known ones).
    """
    fmts = [formats] if isinstance(formats, str) else list(formats)
    unknown = sorted({str(f) for f in fmts} - set(EXPORT_FORMATS))
    if unknown or not fmts:
        msg = (f"`formats` must name one or more of {list(EXPORT_FORMATS)}, got "
               f"{unknown or fmts}. Example: formats = [\"gpkg\", \"geojson\"].")
        raise InputError(msg)
    _check_layers(layers)
    out = Path(out_dir)
    paths: dict[str, Path] = {}
    for fmt in dict.fromkeys(fmts):
        if fmt == "gpkg":
            paths["gpkg"] = write_geopackage(layers, out / gpkg_name, lang=lang)
            continue
        for name, gdf in layers.items():
            target = out / f"{name}{EXPORT_FORMATS[fmt]}"
            if fmt == "parquet":
                paths[f"parquet:{name}"] = write_geoparquet(gdf, target)
            elif fmt == "shp":
                paths[f"shp:{name}"] = write_shapefile(gdf, target, lang=lang)
            else:
                paths[f"geojson:{name}"] = write_geojson(gdf, target)
    return paths


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
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=default),
                       encoding="utf-8")
    return Path(path)
