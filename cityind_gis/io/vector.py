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
    "shapefile_counts",
    "drop_slivers",
    "BAD_ROWS",
    "MIN_LANDUSE_AREA_M2",
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

#: What :func:`read_point_table` does with malformed CSV rows (``[pois] bad_rows``).
BAD_ROWS: tuple[str, ...] = ("error", "skip")
# Rows beyond ±180/±90 up to this share of a table are typos, dropped with a count; more
# mean the table is not in lon/lat at all.
_MAX_IMPOSSIBLE_SHARE = 0.1
#: Land-use polygons smaller than this (m²) are slivers or degenerate: dropped on loading.
MIN_LANDUSE_AREA_M2 = 1.0
# Metres per degree of latitude (mean, WGS 84), for the area of lon/lat polygons.
_M_PER_DEG = 111_320.0


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


def shapefile_counts(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """Number of shapes (``.shx`` index) and of attribute records (``.dbf`` header) of a shapefile.

    Parameters
    ----------
    path : str or path-like
        The ``.shp`` file.

    Returns
    -------
    (int, int) or None
        ``(shapes, records)``; None when the ``.shx`` or ``.dbf`` is missing or
        too short to hold a header.

    Notes
    -----
    The ``.shx`` holds a 100-byte header and one 8-byte entry per shape, so
    shapes = (file size - 100) / 8; the ``.dbf`` header stores its record
    count as a little-endian uint32 at byte 4 (dBASE III). GDAL reads only as
    many features as both agree on, so a mismatch silently drops features.
    """
    p = Path(path)
    parts = {}
    for suffix in (".shx", ".dbf"):
        found = [q for q in (p.with_suffix(suffix), p.with_suffix(suffix.upper())) if q.exists()]
        if not found:
            return None
        parts[suffix] = found[0]
    size = parts[".shx"].stat().st_size
    with open(parts[".dbf"], "rb") as fh:
        head = fh.read(8)
    if size < 100 or len(head) < 8:
        return None
    return (size - 100) // 8, int.from_bytes(head[4:8], "little")


def _check_shapefile_counts(p: Path, name: str, n_read: int) -> None:
    counts = shapefile_counts(p)
    if counts is None or counts[0] == counts[1]:
        return
    shapes, records = counts
    warnings.warn(
        f"`{name}` ({p.name}) holds {shapes} shapes but its .dbf {records} attribute records; "
        f"{n_read} feature(s) were read and {abs(shapes - records)} "
        f"{'shape(s) without attributes' if shapes > records else 'record(s) without a shape'}"
        " left out. The shapefile's parts do not match: re-export it from your GIS (or as a "
        "GeoPackage).", stacklevel=3)


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
        :func:`shapely.make_valid`, each with a warning that counts them; a
        shapefile whose ``.shx`` and ``.dbf`` count different records is
        reported with both counts (:func:`shapefile_counts`). The file is never
        modified.
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
        if p.suffix.lower() == ".shp":
            _check_shapefile_counts(p, name, len(gdf))
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


def _read_table(p: Path, name: str, sheet: str | int | None,
                bad_rows: str = "error") -> pd.DataFrame:
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
            try:
                return pd.read_csv(p, encoding=enc, dtype=str, sep=sep)
            except pd.errors.ParserError as exc:
                return _read_malformed(p, name, enc, sep, bad_rows, exc)
        except UnicodeDecodeError:
            continue
    msg = f"`{name}` file {p.name!r} is neither UTF-8 nor GB18030/GBK text; re-save it as UTF-8."
    raise InputError(msg)


def _long_lines(p: Path, enc: str, sep: str) -> tuple[int, list[int]]:
    """Fields of the header, and the line numbers of rows with more fields than it."""
    import csv

    with open(p, encoding=enc, newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        n = len(next(reader, []))
        bad = [reader.line_num for row in reader if len(row) > n]
    return n, bad


def _lines(numbers: list[int], limit: int = 10) -> str:
    shown = ", ".join(f"{n:,}" for n in numbers[:limit])
    return shown + (f" and {len(numbers) - limit:,} more" if len(numbers) > limit else "")


def _read_malformed(p: Path, name: str, enc: str, sep: str, bad_rows: str,
                    exc: Exception) -> pd.DataFrame:
    """A CSV pandas refused: name its malformed lines, then refuse or skip them."""
    n, bad = _long_lines(p, enc, sep)
    if not bad:  # not a field-count problem (e.g. an unclosed quote): say what pandas says
        msg = f"`{name}` file {p.name!r} could not be read as a table: {exc}"
        raise InputError(msg) from exc
    if bad_rows != "skip":
        msg = (f"`{name}` file {p.name!r} has {len(bad):,} malformed row(s): line(s) "
               f"{_lines(bad)} hold more than the {n} fields of the header (an unquoted "
               f"{sep!r} inside a value?). Quote that value or remove the extra separator"
               + (f", or set `[{name}] bad_rows = \"skip\"` to leave such rows out with a "
                  "count." if name == "pois" else "."))
        raise InputError(msg) from exc
    warnings.warn(f"{len(bad):,} malformed {name} row(s) with more fields than the header were "
                  f"skipped (`bad_rows = \"skip\"`): line(s) {_lines(bad)} of {p.name}",
                  stacklevel=4)
    return pd.read_csv(p, encoding=enc, dtype=str, sep=sep, on_bad_lines="skip")


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
    bad_rows: str = "error",
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
    bad_rows : {"error", "skip"}, default "error"
        CSV rows with more fields than the header (an unquoted comma inside a
        value): ``"error"`` refuses the table naming their line numbers,
        ``"skip"`` leaves them out with a warning that counts them and names
        the lines (``[pois] bad_rows``).

    Returns
    -------
    GeoDataFrame
        Points with every other table column kept **as text** (so codes such as
        Amap's ``050100`` keep their leading zero); rows without coordinates are
        dropped with a warning that counts them. With a geographic ``crs``, rows
        with impossible coordinates (longitude beyond ±180 or latitude beyond ±90) are
        dropped with a warning that counts them and names their lines, as long
        as they are at most 10 % of the rows.

    Raises
    ------
    InputError
        Malformed CSV rows with ``bad_rows = "error"`` (the message names their
        lines), or ``bad_rows`` not one of :data:`BAD_ROWS`.
    CRSError
        More than 10 % of the rows beyond ±180/±90 with a geographic ``crs``
        (the table is probably in projected metres).
    SchemaError
        Coordinate columns missing or non-numeric, or longitude/latitude
        swapped: |lat| > 90 for most rows while |lon| <= 90 for all, or (for
        ``coords`` GCJ-02/BD-09, data that must lie in China) most points fall
        outside China but would fall inside with the columns swapped.
    """
    source = _check_system(coords, "coords")
    if bad_rows not in BAD_ROWS:
        msg = f"`bad_rows` must be one of {list(BAD_ROWS)}, got {bad_rows!r}."
        raise InputError(msg)
    p = _check_file(path, name)
    table = _read_table(p, name, sheet, bad_rows)
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
        impossible = (xs.abs() > 180) | (ys.abs() > 90)
        if impossible.mean() > 0.5 and (xs.abs() <= 90).all():
            msg = (
                f"`{name}` looks like it has longitude and latitude swapped: {yc!r} holds values "
                f"beyond ±90 (max {ys.abs().max():.3f}) while {xc!r} stays within ±90. Swap the "
                "columns with `x = ...` / `y = ...` in the config."
            )
            raise SchemaError(msg)
        if impossible.mean() > _MAX_IMPOSSIBLE_SHARE:
            msg = (
                f"`{name}` coordinates exceed ±180/±90 in {int(impossible.sum()):,} of "
                f"{len(xs):,} rows but `crs` is geographic ({crs}); the table is probably in "
                "projected metres: set `crs` to its projected CRS."
            )
            raise CRSError(msg)
        if impossible.any():
            lines = [int(i) + 2 for i in table.index[impossible.to_numpy()]]
            warnings.warn(
                f"{int(impossible.sum()):,} {name} row(s) with impossible coordinates "
                f"(|lon| > 180 or |lat| > 90) were dropped: line(s) {_lines(lines)} of {p.name}",
                stacklevel=2)
            keep = ~impossible
            table, xs, ys = table[keep], xs[keep], ys[keep]
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


def _area_m2(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Area of each polygon in m²: exact in a metric CRS, spherical approximation in lon/lat."""
    crs = CRS.from_user_input(gdf.crs) if gdf.crs is not None else None
    area = shapely.area(gdf.geometry.values)
    if crs is None or not crs.is_geographic:
        factor = 1.0
        if crs is not None and crs.axis_info and crs.axis_info[0].unit_conversion_factor:
            factor = float(crs.axis_info[0].unit_conversion_factor) ** 2
        return np.asarray(area, dtype=float) * factor
    bounds = shapely.bounds(gdf.geometry.values)
    lat = np.radians((bounds[:, 1] + bounds[:, 3]) / 2)
    return np.asarray(area, dtype=float) * _M_PER_DEG ** 2 * np.cos(lat)


def drop_slivers(
    gdf: gpd.GeoDataFrame, *, name: str = "landuse", min_area: float = MIN_LANDUSE_AREA_M2,
) -> gpd.GeoDataFrame:
    """Drop sliver and degenerate polygons (area below ``min_area`` m²), with a count.

    Parameters
    ----------
    gdf : GeoDataFrame
        Polygons with a CRS (metric or lon/lat).
    name : str, default "landuse"
        Layer name in the warning.
    min_area : float, default :data:`MIN_LANDUSE_AREA_M2` (1 m²)
        Smallest area kept, in m². No parcel of land use is smaller than a few
        m²; polygons below 1 m² are digitising slivers (gaps and overlaps of
        neighbouring parcels) or degenerate rings with no area at all.

    Returns
    -------
    GeoDataFrame
        A new frame without them (index reset); ``gdf`` itself when none is
        dropped. A warning counts the dropped polygons and their total area.

    Notes
    -----
    In a projected CRS the area is exact (scaled to metres by the CRS's unit).
    In lon/lat it is :math:`A_{deg} \\cdot 111\\,320^2 \\cos\\varphi` with
    :math:`\\varphi` the latitude of the polygon's bounding-box centre, within
    a fraction of a per cent for polygons of a few metres: enough to tell a
    sliver from a parcel, and cheap for a million polygons (no reprojection).
    """
    if not len(gdf):
        return gdf
    area = _area_m2(gdf)
    small = area < float(min_area)
    if not small.any():
        return gdf
    warnings.warn(
        f"{int(small.sum()):,} {name} polygon(s) smaller than {min_area:g} m² (slivers or "
        f"degenerate rings, {float(area[small].sum()):.2f} m² in total) were dropped; "
        f"{int((~small).sum()):,} remain.", stacklevel=3)
    return gdf[~small].reset_index(drop=True)


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


