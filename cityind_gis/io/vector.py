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
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from .._errors import CRSError, GeometryError, InputError, SchemaError
from .._validate import check_columns
from .coords import _check_system, out_of_china, transform_coords

__all__ = [
    "read_vector",
    "read_point_table",
    "to_wgs84",
    "detect_dbf_encoding",
    "list_layers",
    "XY_NAMES",
    "LOCATION_NAMES",
]

log = logging.getLogger(__name__)

#: Column names recognised as x (longitude) and y (latitude), lower-cased.
XY_NAMES: dict[str, tuple[str, ...]] = {
    "x": ("lon", "lng", "long", "longitude", "经度", "x", "wgs84_lon", "gcj_lon", "bd_lon",
          "wgs84_lng", "gcj02_lon", "gcj02_lng", "gcj_lng", "bd09_lon", "bd09_lng", "bd_lng",
          "lon_wgs84", "lng_wgs84", "lon_gcj02", "lng_gcj02", "lon_bd09", "lng_bd09",
          "经度_wgs84", "wgs84经度", "gcj02经度", "bd09经度", "x坐标", "point_x"),
    "y": ("lat", "latitude", "纬度", "y", "wgs84_lat", "gcj_lat", "bd_lat", "gcj02_lat",
          "bd09_lat", "lat_wgs84", "lat_gcj02", "lat_bd09", "纬度_wgs84", "wgs84纬度",
          "gcj02纬度", "bd09纬度", "y坐标", "point_y"),
}

#: Columns holding both coordinates as ``"lon,lat"`` text (the Amap web API's ``location``).
LOCATION_NAMES: tuple[str, ...] = ("location", "lnglat", "lonlat", "坐标", "经纬度")

# dBASE language driver ids that name a Chinese code page (GDAL honours them itself).
_CHINESE_LDID = {0x4D, 0x7A}
# Read at most this many bytes of a .dbf's records to detect its encoding.
_SNIFF_BYTES = 4_000_000

_TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")


def _check_file(path: str | os.PathLike[str], name: str) -> Path:
    p = Path(path)
    if not p.exists():
        msg = f"`{name}` file {str(path)!r} does not exist (resolved to {p.resolve()})."
        raise InputError(msg)
    return p


def list_layers(path: str | os.PathLike[str]) -> list[str]:
    """Names of the layers in a vector file (one for Shapefile/GeoJSON, any for GeoPackage, KML).

    Parameters
    ----------
    path : str or path-like
        Vector file.

    Returns
    -------
    list of str
    """
    import pyogrio

    return [str(n) for n in pyogrio.list_layers(path)[:, 0]]


def detect_dbf_encoding(path: str | os.PathLike[str]) -> str | None:
    """Guess the text encoding of a Shapefile's attributes when it has no ``.cpg``.

    Parameters
    ----------
    path : str or path-like
        The ``.shp`` (or ``.dbf``) file.

    Returns
    -------
    str or None
        ``None`` when GDAL already knows (a ``.cpg`` file, or a Chinese code page
        in the dBASE language-driver byte), when every byte is ASCII, or when the
        text is neither UTF-8 nor Chinese GB18030; else ``"UTF-8"`` or ``"GB18030"``.

    Notes
    -----
    Field names and up to 4 MB of records (whole records) are decoded strictly,
    first as UTF-8 (which almost never decodes legacy multi-byte text by accident),
    then as GB18030, a superset of GBK and GB2312. A GB18030 result is accepted
    only when at least 90 % of the bytes >= 0x81 stand next to another such byte
    (Chinese characters are two high bytes; Latin-1 accents are lone high bytes
    between letters), so that Latin-1 text is not mistaken for Chinese.
    """
    p = Path(path)
    dbf = p.with_suffix(".dbf")
    if not dbf.exists():
        dbf = p.with_suffix(".DBF")
    if p.with_suffix(".cpg").exists() or p.with_suffix(".CPG").exists() or not dbf.exists():
        return None
    with open(dbf, "rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            return None
        header_len = int.from_bytes(head[8:10], "little")
        record_len = max(int.from_bytes(head[10:12], "little"), 1)
        if head[29] in _CHINESE_LDID:
            return None
        fields = fh.read(max(header_len - 32, 0))
        n_records = max(_SNIFF_BYTES // record_len, 1)
        records = fh.read(n_records * record_len)
    names = b"".join(fields[i:i + 11].split(b"\x00")[0] for i in range(0, len(fields) - 1, 32)
                     if fields[i:i + 1] != b"\r")
    blob = names + b" " + records.rstrip(b"\x1a")
    if blob.isascii():
        return None
    try:
        blob.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        blob.decode("gb18030")
    except UnicodeDecodeError:
        return None
    # Chinese text is runs of high bytes (both bytes of a GB2312/GBK character are >= 0x81
    # for nearly all characters in use); Latin-1 text has lone high bytes between letters.
    b = np.frombuffer(blob, dtype=np.uint8) >= 0x81
    paired = b & (np.r_[b[1:], False] | np.r_[False, b[:-1]])
    return "GB18030" if paired.sum() >= 0.9 * b.sum() else None


def _read_parquet(p: Path, name: str) -> gpd.GeoDataFrame:
    try:
        return gpd.read_parquet(p)
    except ImportError as exc:
        msg = f"Reading GeoParquet (`{name}` = {p.name!r}) needs pyarrow: `pip install pyarrow`."
        raise InputError(msg) from exc
    except ValueError as exc:  # not a GeoParquet file (no geo metadata)
        msg = f"`{name}` file {p.name!r} is not GeoParquet: {exc}"
        raise InputError(msg) from exc


def _choose_layer(p: Path, name: str, layer: str | None) -> str | None:
    try:
        layers = list_layers(p)
    except Exception as exc:  # GDAL cannot open it at all
        msg = f"`{name}` file {p.name!r} could not be read as a vector layer: {exc}"
        raise InputError(msg) from exc
    if layer is not None:
        if layer not in layers:
            msg = (f"`{name}` file {p.name!r} has no layer {layer!r}; its layers are {layers}. "
                   "Fix `layer = ...`.")
            raise InputError(msg)
        return layer
    if len(layers) > 1:
        msg = (
            f"`{name}` file {p.name!r} holds {len(layers)} layers {layers}; "
            "choose one with `layer = ...`."
        )
        raise InputError(msg)
    return None


def read_vector(
    path: str | os.PathLike[str],
    *,
    name: str = "path",
    layer: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
    coords: str = "wgs84",
    crs_key: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector layer (Shapefile, GeoPackage, GeoJSON, GeoParquet, KML, ...).

    Parameters
    ----------
    path : str or path-like
        File to read: any vector format GDAL reads (``.shp``, ``.gpkg``,
        ``.geojson``, ``.kml``, ``.gdb``, ...), or ``.parquet``/``.geoparquet``
        (GeoParquet, read with pyarrow).
    name : str, default "path"
        Name of the layer in messages (e.g. ``"landuse"``).
    layer : str, optional
        Layer inside a multi-layer file (GeoPackage, KML folders, FileGDB).
        Required when there is more than one; the error lists them.
    crs : str, optional
        CRS to assume when the file has none (e.g. ``"EPSG:4490"``). A file that
        has a different CRS raises :class:`CRSError`.
    encoding : str, optional
        Attribute encoding of a Shapefile (e.g. ``"gbk"``). By default a ``.cpg``
        file is honoured and, without one, UTF-8 or GBK/GB18030 is detected
        (:func:`detect_dbf_encoding`).
    coords : {"wgs84", "gcj02", "bd09"}, default "wgs84"
        The lon/lat system the coordinates are really in. GCJ-02 (Amap, Tencent)
        and BD-09 (Baidu) layers are converted to WGS 84 right after reading
        (via EPSG:4326 when the file declares another CRS), see
        :func:`cityind_gis.io.coords.transform_coords`.
    crs_key : str, optional
        How the user sets ``crs`` (for messages); default ``[{name}] crs``, e.g.
        ``"[study] boundary_crs"`` for the study boundary.

    Returns
    -------
    GeoDataFrame
        Features with a RangeIndex and a CRS (EPSG:4326 when ``coords`` is not
        ``"wgs84"``). Empty geometries are dropped and invalid ones repaired with
        :func:`shapely.make_valid`, each with a warning that counts them. The file
        is never modified.
    """
    source = _check_system(coords, "coords")
    p = _check_file(path, name)
    if p.suffix.lower() in (".parquet", ".geoparquet"):
        gdf = _read_parquet(p, name)
    else:
        chosen = _choose_layer(p, name, layer)
        if encoding is None and p.suffix.lower() == ".shp":
            encoding = detect_dbf_encoding(p)
            if encoding:
                log.info("%s: no .cpg; attribute encoding detected as %s", p.name, encoding)
        kwargs = {"encoding": encoding} if encoding else {}
        try:
            gdf = gpd.read_file(p, layer=chosen, engine="pyogrio", **kwargs)
        except Exception as exc:  # GDAL errors: report them as user input errors
            msg = f"`{name}` file {p.name!r} could not be read as a vector layer: {exc}"
            raise InputError(msg) from exc
    key = crs_key or f"[{name}] crs"
    if gdf.crs is None:
        if crs is None:
            msg = (
                f"`{name}` ({p.name}) has no CRS (no .prj or CRS record). Give the CRS it was "
                f"made in with `{key} = \"EPSG:4490\"` (CGCS2000 lon/lat), a Gauss-Kruger zone "
                "such as \"EPSG:4547\", or \"EPSG:4326\" (WGS 84) in the config "
                "(`crs=` from Python)."
            )
            raise CRSError(msg)
        gdf = gdf.set_crs(crs)
    elif crs is not None and gdf.crs != gpd.GeoSeries([], crs=crs).crs:
        msg = (
            f"`{name}` ({p.name}) declares {gdf.crs.to_string()} but the config says {crs}; "
            f"remove `{key}` from the config or fix the file's .prj."
        )
        raise CRSError(msg)
    gdf = gdf.reset_index(drop=True)
    bad = gdf.geometry.isna() | gdf.geometry.is_empty
    if bad.all() and len(gdf):
        msg = f"`{name}` ({p.name}) has no usable geometry: all {len(gdf)} features are empty."
        raise GeometryError(msg)
    if bad.any():
        warnings.warn(f"{int(bad.sum())} {name} feature(s) without geometry were dropped",
                      stacklevel=2)
        gdf = gdf[~bad].reset_index(drop=True)
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        warnings.warn(f"{int(invalid.sum())} invalid {name} geometries were repaired "
                      "with make_valid", stacklevel=2)
        gdf = gdf.copy()
        gdf.loc[invalid, gdf.geometry.name] = shapely.make_valid(gdf.geometry[invalid].values)
    if source != "wgs84":
        gdf = to_wgs84(gdf, source, name)
    log.info("read %d %s features from %s", len(gdf), name, p.name)
    return gdf


def to_wgs84(gdf: gpd.GeoDataFrame, coords: str, name: str = "layer") -> gpd.GeoDataFrame:
    """Convert a layer whose lon/lat are really GCJ-02 or BD-09 to WGS 84 (EPSG:4326).

    Parameters
    ----------
    gdf : GeoDataFrame
        Layer with a CRS; reprojected to EPSG:4326 first when it is in another CRS.
    coords : {"wgs84", "gcj02", "bd09"}
        System the coordinates are in; ``"wgs84"`` returns ``gdf`` unchanged.
    name : str, default "layer"
        Layer name for the log.

    Returns
    -------
    GeoDataFrame
        A new frame in EPSG:4326 with true WGS 84 coordinates.
    """
    source = _check_system(coords, "coords")
    if source == "wgs84":
        return gdf
    if gdf.crs is None:
        msg = f"`{name}` has no CRS; give `crs = \"EPSG:4326\"` for {source} longitude/latitude."
        raise CRSError(msg)
    if CRS.from_user_input(gdf.crs) != CRS.from_epsg(4326):
        log.info("projected %s from %s to EPSG:4326 to convert %s", name, gdf.crs.to_string(),
                 source)
        gdf = gdf.to_crs(4326)
    outside = out_of_china(*shapely.get_coordinates(gdf.geometry.values).T)
    if len(outside) and outside.all():
        warnings.warn(
            f"`{name}` is declared `coords = \"{source}\"` but none of its coordinates lies in "
            "China, where GCJ-02/BD-09 apply; nothing was converted. Check `coords` and `crs`.",
            stacklevel=3,
        )
    return transform_coords(gdf, source=source, target="wgs84")


def _read_table(p: Path, name: str, sheet: str | int | None) -> pd.DataFrame:
    """Every cell as text (codes keep their leading zeros); coordinates are parsed later."""
    if p.suffix.lower() in (".xlsx", ".xls"):
        try:
            return pd.read_excel(p, sheet_name=sheet if sheet is not None else 0, dtype=str)
        except ImportError as exc:
            msg = (f"Reading Excel (`{name}` = {p.name!r}) needs openpyxl (.xlsx) or xlrd (.xls): "
                   "`pip install openpyxl`, or save the sheet as CSV.")
            raise InputError(msg) from exc
        except ValueError as exc:  # unknown sheet
            msg = f"`{name}` file {p.name!r}: {exc}. Fix `sheet = ...`."
            raise InputError(msg) from exc
    for enc in ("utf-8-sig", "gb18030"):
        try:
            with open(p, encoding=enc) as fh:
                header = fh.readline()
            sep = max((",", "\t", ";", "|"), key=header.count)
            return pd.read_csv(p, encoding=enc, dtype=str, sep=sep)
        except UnicodeDecodeError:
            continue
    msg = f"`{name}` file {p.name!r} is neither UTF-8 nor GB18030/GBK text; re-save it as UTF-8."
    raise InputError(msg)


def _find_column(columns: pd.Index, axis: str, given: str | None, name: str) -> str | None:
    if given is not None:
        if given not in columns:
            msg = f"`{name}` has no column {given!r} for {axis}; it has {list(map(str, columns))}."
            raise SchemaError(msg)
        return given
    lower = {str(c).strip().lower(): c for c in columns}
    for cand in XY_NAMES[axis]:
        if cand in lower:
            return lower[cand]
    return None


def _split_location(table: pd.DataFrame, name: str) -> tuple[pd.Series, pd.Series, str] | None:
    lower = {str(c).strip().lower(): c for c in table.columns}
    col = next((lower[c] for c in LOCATION_NAMES if c in lower), None)
    if col is None:
        return None
    parts = table[col].astype("string").str.split(r"[,，;\s]+", n=1, regex=True, expand=True)
    if parts.shape[1] != 2:
        msg = f"`{name}` column {col!r} should hold \"lon,lat\" text, e.g. \"116.404,39.915\"."
        raise SchemaError(msg)
    return parts[0], parts[1], col


def read_point_table(
    path: str | os.PathLike[str],
    *,
    name: str = "pois",
    x: str | None = None,
    y: str | None = None,
    crs: str = "EPSG:4326",
    sheet: str | int | None = None,
    coords: str = "wgs84",
) -> gpd.GeoDataFrame:
    """Read a CSV or Excel table of points with coordinate columns.

    Parameters
    ----------
    path : str or path-like
        ``.csv``/``.txt`` (comma, tab or semicolon separated; UTF-8, UTF-8 with
        BOM, or GB18030/GBK) or ``.xlsx``/``.xls``.
    name : str, default "pois"
        Layer name in messages.
    x, y : str, optional
        Coordinate columns; found from :data:`XY_NAMES` (lon/lng/经度, lat/纬度, ...)
        if omitted, else from a ``"lon,lat"`` text column named in
        :data:`LOCATION_NAMES` (the Amap API's ``location``).
    crs : str, default "EPSG:4326"
        CRS of the coordinates.
    sheet : str or int, optional
        Excel sheet (name or 0-based position; default the first).
    coords : {"wgs84", "gcj02", "bd09"}, default "wgs84"
        Lon/lat system of the table: ``"gcj02"`` for Amap/Tencent exports,
        ``"bd09"`` for Baidu. Converted to WGS 84 after reading.

    Returns
    -------
    GeoDataFrame
        Points with every other table column kept **as text** (so codes such as
        Amap's ``050100`` keep their leading zero); rows without coordinates are
        dropped with a warning that counts them.

    Raises
    ------
    SchemaError
        Coordinate columns missing or non-numeric, or longitude/latitude swapped:
        |lat| > 90 while |lon| <= 90, or (for ``coords`` GCJ-02/BD-09, data that
        must lie in China) most points fall outside China but would fall inside
        with the columns swapped.
    """
    source = _check_system(coords, "coords")
    p = _check_file(path, name)
    table = _read_table(p, name, sheet)
    table.columns = [str(c).strip() for c in table.columns]
    xc = _find_column(table.columns, "x", x, name)
    yc = _find_column(table.columns, "y", y, name)
    drop: list[str]
    if xc is not None and yc is not None:
        xs_raw, ys_raw, drop = table[xc], table[yc], [xc, yc]
    else:
        loc = _split_location(table, name) if x is None and y is None else None
        if loc is None:
            axis = "x" if xc is None else "y"
            msg = (
                f"`{name}` has no recognisable {axis} column (tried {list(XY_NAMES[axis])}, or a "
                f"\"lon,lat\" column {list(LOCATION_NAMES)}); "
                f"it has {list(map(str, table.columns))}. "
                f"Name it with `{axis} = \"...\"` in the config."
            )
            raise SchemaError(msg)
        xs_raw, ys_raw, col = loc
        xc, yc, drop = f"{col}[lon]", f"{col}[lat]", [col]
    xs = pd.to_numeric(xs_raw.astype("string").str.strip(), errors="coerce").astype(float)
    ys = pd.to_numeric(ys_raw.astype("string").str.strip(), errors="coerce").astype(float)
    blank_x = xs_raw.isna() | xs_raw.astype("string").str.strip().eq("")
    blank_y = ys_raw.isna() | ys_raw.astype("string").str.strip().eq("")
    bad_text = (xs.isna() & ~blank_x) | (ys.isna() & ~blank_y)
    if bad_text.any():
        first = pd.DataFrame({xc: xs_raw, yc: ys_raw})[bad_text].head(3).to_dict("records")
        msg = (f"`{name}` columns {xc!r}/{yc!r} hold {int(bad_text.sum())} "
               f"non-numeric value(s), e.g. {first}.")
        raise SchemaError(msg)
    missing = xs.isna() | ys.isna()
    if missing.all():
        msg = f"`{name}` has no row with both {xc!r} and {yc!r} filled."
        raise SchemaError(msg)
    if missing.any():
        warnings.warn(f"{int(missing.sum())} {name} row(s) without coordinates were dropped",
                      stacklevel=2)
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
        if source != "wgs84":
            out_now = out_of_china(xs.to_numpy(), ys.to_numpy()).mean()
            out_swapped = out_of_china(ys.to_numpy(), xs.to_numpy()).mean()
            if out_now > 0.5 and out_swapped < 0.5:
                msg = (
                    f"`{name}` is declared `coords = \"{source}\"` (Chinese web-map coordinates) "
                    f"but {out_now:.0%} of its points fall outside China, "
                    f"and {1 - out_swapped:.0%} "
                    f"would fall inside with {xc!r} and {yc!r} swapped: longitude and latitude "
                    "look swapped. Swap the "
                    "columns with `x = ...` / `y = ...` in the config."
                )
                raise SchemaError(msg)
    gdf = gpd.GeoDataFrame(
        table.drop(columns=drop).reset_index(drop=True),
        geometry=gpd.points_from_xy(xs.to_numpy(dtype=float), ys.to_numpy(dtype=float)),
        crs=crs,
    )
    if source != "wgs84":
        gdf = to_wgs84(gdf, source, name)
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


