"""Raster input and output: windowed GeoTIFF reading and atomic GeoTIFF writing (rasterio).

Rasters are read in row strips so a 10 000 x 10 000 land-cover grid never has
to sit in memory as one array; the indicator functions in
:mod:`cityind_gis.indicators.raster` consume the strips.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
import shapely.geometry
from pyproj import CRS

from .._errors import CRSError, InputError
from ._atomic import atomic_path

if TYPE_CHECKING:
    from affine import Affine

__all__ = [
    "RasterInfo",
    "raster_info",
    "check_raster_crs",
    "read_raster",
    "iter_raster_strips",
    "warped_raster",
    "write_geotiff",
]

#: Resampling methods of :func:`warped_raster`: what each keeps of the measure.
WARP_RESAMPLING = ("nearest", "sum", "average")


@dataclass(frozen=True)
class RasterInfo:
    """Metadata of one raster band: size, grid, CRS and nodata value."""

    path: Path
    width: int
    height: int
    count: int
    dtype: str
    crs: CRS | None
    transform: Affine
    nodata: float | None

    @property
    def res(self) -> tuple[float, float]:
        """Pixel width and height in CRS units (positive)."""
        t = self.transform
        return (abs(t.a), abs(t.e))

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(minx, miny, maxx, maxy)`` of the raster (north-up rasters)."""
        t = self.transform
        xs = (t.c, t.c + t.a * self.width)
        ys = (t.f, t.f + t.e * self.height)
        return (min(xs), min(ys), max(xs), max(ys))


def _open(path: str | os.PathLike[str], name: str) -> Any:  # a rasterio dataset (untyped)
    import rasterio

    p = Path(path)
    if not p.is_file():
        msg = f"`{name}` file {str(path)!r} does not exist (resolved to {p.resolve()})."
        raise InputError(msg)
    try:
        return rasterio.open(p)
    except rasterio.errors.RasterioIOError as exc:
        msg = f"`{name}` file {p.name!r} is not a raster GDAL can read: {exc}"
        raise InputError(msg) from exc


def raster_info(path: str | os.PathLike[str], *, name: str = "raster") -> RasterInfo:
    """Read a raster's metadata without its pixels.

    Parameters
    ----------
    path : str or path-like
        GeoTIFF (or any GDAL raster).
    name : str, default "raster"
        Argument name used in error messages.

    Returns
    -------
    RasterInfo
    """
    with _open(path, name) as src:
        crs = CRS.from_user_input(src.crs) if src.crs else None
        if src.transform.b != 0 or src.transform.d != 0 or src.transform.e >= 0:
            msg = (f"`{name}` {Path(path).name!r} is rotated or south-up; warp it to a north-up "
                   "grid first, e.g. `gdalwarp -t_srs EPSG:xxxx in.tif out.tif`.")
            raise InputError(msg)
        return RasterInfo(Path(path), src.width, src.height, src.count, src.dtypes[0], crs,
                          src.transform, src.nodata)


def check_raster_crs(info: RasterInfo, crs: CRS | str, name: str = "raster") -> None:
    """Raise :class:`CRSError` unless the raster is in ``crs`` (no resampling is done).

    Parameters
    ----------
    info : RasterInfo
        From :func:`raster_info`.
    crs : CRS or str
        CRS of the units.
    name : str, default "raster"
        Argument name used in the message.
    """
    target = CRS.from_user_input(crs)
    if info.crs is None:
        msg = (f"`{name}` {info.path.name!r} has no CRS; assign the one it was made in, e.g. "
               f"`gdal_edit.py -a_srs EPSG:xxxx {info.path.name}`.")
        raise CRSError(msg)
    if info.crs != target:
        msg = (f"`{name}` {info.path.name!r} is in {info.crs.to_string()} but the units are in "
               f"{target.to_string()}; pixel coverage is computed without resampling, so warp the "
               f"raster first: `gdalwarp -t_srs {target.to_string()} -r near in.tif out.tif` "
               "(near for classes, sum/average for counts and means), or let cityind warp it "
               "to a temporary file: `[indicators] warp_rasters = true` in the config "
               "(`warp=True` in Python).")
        raise CRSError(msg)


def read_raster(
    path: str | os.PathLike[str],
    *,
    band: int = 1,
    bounds: tuple[float, float, float, float] | None = None,
    name: str = "raster",
) -> tuple[np.ndarray, object]:
    """Read one band, optionally only the window covering ``bounds``.

    Parameters
    ----------
    path : str or path-like
        Raster file.
    band : int, default 1
        1-based band number.
    bounds : tuple of 4 floats, optional
        ``(minx, miny, maxx, maxy)`` in the raster's CRS; the window is snapped
        outwards to whole pixels and limited to the raster.
    name : str, default "raster"
        Argument name used in messages.

    Returns
    -------
    array : numpy.ndarray
        The band (2-D), nodata left as stored.
    transform : affine.Affine
        Transform of the window read.
    """
    from rasterio.windows import Window, from_bounds

    with _open(path, name) as src:
        if not 1 <= band <= src.count:
            msg = f"`band` must be 1-{src.count} for {Path(path).name!r}, got {band}."
            raise InputError(msg)
        if bounds is None:
            window = Window(0, 0, src.width, src.height)
        else:
            w = from_bounds(*bounds, transform=src.transform)
            c0, r0 = int(np.floor(w.col_off + 1e-9)), int(np.floor(w.row_off + 1e-9))
            c1 = int(np.ceil(w.col_off + w.width - 1e-9))
            r1 = int(np.ceil(w.row_off + w.height - 1e-9))
            c0, r0 = max(c0, 0), max(r0, 0)
            c1, r1 = min(c1, src.width), min(r1, src.height)
            window = Window(c0, r0, max(c1 - c0, 0), max(r1 - r0, 0))
        data = src.read(band, window=window)
        t = src.transform
        # rasterio's window_transform uses affine's deprecated `*`; shift the origin directly
        shifted = type(t)(t.a, t.b, t.c + t.a * window.col_off + t.b * window.row_off,
                          t.d, t.e, t.f + t.d * window.col_off + t.e * window.row_off)
        return data, shifted


def iter_raster_strips(
    path: str | os.PathLike[str],
    *,
    band: int = 1,
    max_pixels: int = 20_000_000,
    row_multiple: int = 1,
    name: str = "raster",
) -> Iterator[tuple[np.ndarray, int]]:
    """Yield a raster band in horizontal strips of whole rows.

    Parameters
    ----------
    path : str or path-like
        Raster file.
    band : int, default 1
        1-based band number.
    max_pixels : int, default 20 000 000
        Upper bound on pixels per strip (memory: about this many bytes times the
        dtype size).
    row_multiple : int, default 1
        Strip heights are multiples of this (e.g. pixels per grid cell), except
        the last strip.
    name : str, default "raster"
        Argument name used in messages.

    Yields
    ------
    array : numpy.ndarray
        Rows ``row_off`` to ``row_off + len(array)`` of the band.
    row_off : int
        Index of the strip's first row.
    """
    from rasterio.windows import Window

    with _open(path, name) as src:
        if not 1 <= band <= src.count:
            msg = f"`band` must be 1-{src.count} for {Path(path).name!r}, got {band}."
            raise InputError(msg)
        m = max(int(row_multiple), 1)
        rows = max((max_pixels // max(src.width, 1)) // m * m, m)
        for r0 in range(0, src.height, rows):
            h = min(rows, src.height - r0)
            yield src.read(band, window=Window(0, r0, src.width, h)), r0


#: Integer dtypes of a class raster without nodata -> wider dtype whose minimum marks nodata
_WIDER = {"uint8": "int16", "int8": "int16", "uint16": "int32", "int16": "int32",
          "uint32": "int64", "int32": "int64", "int64": "int64"}


def _warp_pixel(res: float, grid: tuple[float, float, float] | None) -> tuple[float, float, float]:
    """Pixel size and origin: a divisor of the cell size on the cell edges, when it can be."""
    if grid is not None and res <= grid[2]:
        x0, y0, size = grid
        return size / math.ceil(size / res - 1e-9), x0, y0
    return float(f"{res:.3g}"), 0.0, 0.0


def _native_pixel(src: Any, dst_crs: Any, bounds: tuple[float, float, float, float]) -> float:
    """Side in target units of a square of the area of one source pixel, under ``bounds``."""
    from rasterio.warp import transform_bounds, transform_geom

    sb = transform_bounds(dst_crs, src.crs, *bounds, densify_pts=21)
    window = shapely.segmentize(shapely.box(*sb), max(sb[2] - sb[0], sb[3] - sb[1]) / 20)
    area = shapely.area(shapely.geometry.shape(
        transform_geom(src.crs, dst_crs, shapely.geometry.mapping(window))))
    pixels = (sb[2] - sb[0]) * (sb[3] - sb[1]) / abs(src.transform.a * src.transform.e)
    return math.sqrt(area / pixels)


@contextmanager
def warped_raster(
    path: str | os.PathLike[str],
    crs: CRS | str,
    *,
    bounds: tuple[float, float, float, float],
    resampling: str,
    band: int = 1,
    grid: tuple[float, float, float] | None = None,
    max_pixels: int = 4_000_000,
    name: str = "raster",
) -> Iterator[RasterInfo]:
    """Reproject one band to ``crs`` over ``bounds`` into a temporary GeoTIFF.

    Parameters
    ----------
    path : str or path-like
        Raster in any CRS.
    crs : CRS or str
        Target CRS, projected in metres (the units' CRS).
    bounds : tuple of 4 floats
        ``(minx, miny, maxx, maxy)`` in ``crs`` to cover, e.g. the units' total
        bounds; the output is snapped outwards to whole pixels.
    resampling : {"nearest", "sum", "average"}
        ``"nearest"`` for classes, ``"sum"`` for counts per pixel (area-weighted
        sum of the source pixels: totals are kept), ``"average"`` for intensities
        (area-weighted mean).
    band : int, default 1
        1-based band number; the output has this band only.
    grid : tuple of 3 floats, optional
        ``(x0, y0, cell_size)`` of a square grid, metres: the pixel size is then
        the largest divisor ``cell_size / n`` not larger than the native pixel
        size, and pixel edges lie on the cell edges.
    max_pixels : int, default 4 000 000
        Output pixels warped at a time (rows of the output), bounding memory.
    name : str, default "raster"
        Argument name used in messages.

    Yields
    ------
    RasterInfo
        The temporary raster (band 1), in ``crs``; the file is removed when the
        ``with`` block ends.

    Notes
    -----
    The pixel size is the native one expressed in metres at ``bounds``: the
    side of a square as large as one source pixel there (the area of the source
    pixels under ``bounds``, projected, divided by their number). Pixels outside
    the source, and nodata pixels, become nodata: the source nodata value for
    classes (the minimum of a wider integer type when the source has none), NaN
    for ``"sum"`` and ``"average"`` (float32). The file goes to
    :func:`tempfile.gettempdir`, never beside the input.
    """
    import rasterio
    from affine import Affine
    from rasterio.crs import CRS as RioCRS
    from rasterio.enums import Resampling
    from rasterio.warp import reproject
    from rasterio.windows import Window

    if resampling not in WARP_RESAMPLING:
        msg = f"`resampling` must be one of {list(WARP_RESAMPLING)}, got {resampling!r}."
        raise InputError(msg)
    dst_crs = RioCRS.from_wkt(CRS.from_user_input(crs).to_wkt())
    with _open(path, name) as src:
        if not 1 <= band <= src.count:
            msg = f"`band` must be 1-{src.count} for {Path(path).name!r}, got {band}."
            raise InputError(msg)
        if src.crs is None:
            msg = (f"`{name}` {Path(path).name!r} has no CRS; assign the one it was made in, "
                   f"e.g. `gdal_edit.py -a_srs EPSG:xxxx {Path(path).name}`.")
            raise CRSError(msg)
        px, x0, y0 = _warp_pixel(_native_pixel(src, dst_crs, bounds), grid)
        c0 = math.floor((bounds[0] - x0) / px + 1e-9)
        c1 = math.ceil((bounds[2] - x0) / px - 1e-9)
        r0 = math.floor((bounds[1] - y0) / px + 1e-9)
        r1 = math.ceil((bounds[3] - y0) / px - 1e-9)
        width, height = max(c1 - c0, 1), max(r1 - r0, 1)
        left, top = x0 + c0 * px, y0 + (r0 + height) * px
        kind = np.dtype(src.dtypes[band - 1])
        if resampling != "nearest":
            dtype, nodata = "float32", float("nan")  # rounding 6e-8 per pixel, half the disk
        elif src.nodata is not None:
            dtype, nodata = kind.name, src.nodata
        elif kind.name in _WIDER:
            dtype = _WIDER[kind.name]
            nodata = int(np.iinfo(np.dtype(dtype)).min)
        else:
            msg = (f"`{name}` {Path(path).name!r} holds {kind.name} values without a nodata "
                   "value; set one (`gdal_edit.py -a_nodata <value>`) so areas outside it "
                   "can be told apart after warping.")
            raise InputError(msg)
        need = width * height * np.dtype(dtype).itemsize
        free = shutil.disk_usage(tempfile.gettempdir()).free
        if need > 0.8 * free:
            msg = (f"`{name}` {Path(path).name!r}: warping it over the units at {px:g} m needs "
                   f"{need / 1e9:.1f} GB of temporary space ({width:,} x {height:,} pixels), but "
                   f"{tempfile.gettempdir()} has {free / 1e9:.1f} GB free. Point TMPDIR at a "
                   "larger disk, or warp it yourself to coarser pixels: "
                   f"`gdalwarp -t_srs {CRS.from_user_input(dst_crs).to_string()} -tr 100 100 "
                   "-r <sum|average|near> in.tif out.tif`.")
            raise InputError(msg)
        fd, tmp = tempfile.mkstemp(suffix=".tif", prefix="cityind_warp_")
        os.close(fd)
        try:
            profile = {"driver": "GTiff", "width": width, "height": height, "count": 1,
                       "dtype": dtype, "crs": dst_crs, "nodata": nodata,
                       "transform": Affine(px, 0.0, left, 0.0, -px, top)}
            rows = max(max_pixels // width, 1)
            with rasterio.open(tmp, "w", **profile) as dst:
                for row in range(0, height, rows):  # output strips: memory stays bounded
                    h = min(rows, height - row)
                    out = np.full((h, width), nodata, dtype=dtype)
                    reproject(rasterio.band(src, band), out, src_nodata=src.nodata,
                              dst_transform=Affine(px, 0.0, left, 0.0, -px, top - row * px),
                              dst_crs=dst_crs, dst_nodata=nodata,
                              resampling=getattr(Resampling, resampling))
                    dst.write(out, 1, window=Window(0, row, width, h))
        except BaseException:
            with suppress(OSError):
                os.remove(tmp)
            raise
    try:
        yield raster_info(tmp, name=name)
    finally:
        with suppress(OSError):  # a reader left open (Windows) must not hide the real error
            os.remove(tmp)


def write_geotiff(
    array: np.ndarray,
    path: str | os.PathLike[str],
    *,
    transform: object,
    crs: CRS | str,
    nodata: float | None = None,
) -> Path:
    """Write a 2-D array as a tiled, DEFLATE-compressed single-band GeoTIFF, atomically.

    Parameters
    ----------
    array : numpy.ndarray
        2-D band, north row first.
    path : str or path-like
        Target ``.tif``; written to a temporary file beside it and renamed.
    transform : affine.Affine
        Pixel-to-CRS transform.
    crs : CRS or str
        CRS of the transform.
    nodata : float, optional
        Nodata value to record.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    import rasterio

    a = np.asarray(array)
    if a.ndim != 2:
        msg = f"`array` must be 2-D (rows, cols), got shape {a.shape}."
        raise InputError(msg)
    profile = {"driver": "GTiff", "width": a.shape[1], "height": a.shape[0], "count": 1,
               "dtype": a.dtype.name, "crs": CRS.from_user_input(crs).to_wkt(),
               "transform": transform, "nodata": nodata, "compress": "deflate"}
    if a.shape[0] >= 256 and a.shape[1] >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    with atomic_path(path) as tmp:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(a, 1)
    return Path(path)
