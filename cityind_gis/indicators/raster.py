"""Raster indicators per unit with exact fractional pixel coverage.

Class shares of a categorical raster (land cover) and coverage-weighted sums and
means of a continuous raster (population, night lights). A pixel that a unit
covers in part counts with the exact covered area, as in exactextract
(Baston 2022). Rasters are read in row strips (:mod:`cityind_gis.io.raster`).

Two paths give the same exact answer:

* square grids from :func:`cityind_gis.units.make_grid` in the raster's CRS:
  pixel and cell are both axis-aligned rectangles, so the covered area is the
  product of an x-overlap and a y-overlap. Pixels are summed along rows with
  :func:`numpy.bincount` and then along columns: O(pixels), no geometry at all
  (clipped boundary cells are then redone by the general path);
* any other unit: pixels wholly inside a unit are found by rasterising the units
  (pixel-centre rule) and excluding every pixel that a unit boundary touches;
  the boundary pixels are intersected exactly with the units (shapely).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy.sparse import coo_matrix

from .._errors import InputError
from .._validate import check_geometries, check_projected, check_unique_index
from ..io.raster import (
    RasterInfo,
    check_raster_crs,
    iter_raster_strips,
    raster_info,
    warped_raster,
)
from .registry import Indicator, column_entry, default_registry, indicator, measure

__all__ = ["raster_class_shares", "raster_zonal_stats", "LANDCOVER_LEGENDS", "WARP_RESAMPLING"]

#: Bundled land-cover legends: name -> {pixel value: class name} (``[indicators]
#: landcover_classes``). Names are snake_case so they make valid column names.
LANDCOVER_LEGENDS: dict[str, dict[int, str]] = {
    # ESA WorldCover 10 m v100/v200 (Zanaga et al. 2021, 2022), Product User Manual table 1
    "esa_worldcover": {10: "tree_cover", 20: "shrubland", 30: "grassland", 40: "cropland",
                       50: "built_up", 60: "bare_sparse", 70: "snow_ice", 80: "water",
                       90: "herbaceous_wetland", 95: "mangroves", 100: "moss_lichen"},
    # CLCD, the 30 m annual China Land Cover Dataset (Yang & Huang 2021, ESSD 13, 3907-3925)
    "clcd": {1: "cropland", 2: "forest", 3: "shrub", 4: "grassland", 5: "water", 6: "snow_ice",
             7: "barren", 8: "impervious", 9: "wetland"},
}

_POLY = ("Polygon", "MultiPolygon")

#: Resampling of each `[indicators]` raster when ``warp_rasters`` warps it: population is
#: people per pixel (the sum keeps totals), night light a radiance (mean), land cover classes.
WARP_RESAMPLING = {"population_raster": "sum", "night_light_raster": "average",
                   "landcover_raster": "nearest"}
#: How a pipeline user refuses the warp (the config key).
_REFUSE_CONFIG = "set warp_rasters = false to refuse"


def _check_units(zones: gpd.GeoDataFrame) -> None:
    check_projected(zones, "zones")
    check_unique_index(zones, "zones")
    check_geometries(zones, "zones", geom_types=_POLY)


#: Strips of raster rows, ``(values, first row)``, as yielded by ``iter_raster_strips``.
_Strips = Iterator[tuple[np.ndarray, int]]
#: Channel of each pixel of a strip (``n_channels`` = skip) and an optional weight per pixel.
_ChannelFn = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray | None]]


def _square_spec(zones: gpd.GeoDataFrame) -> dict[str, Any] | None:
    spec = zones.attrs.get("grid")
    if spec and spec.get("kind", "square") == "square" and "n_cols" in spec:
        return spec
    return None


def _overlaps_1d(edges: np.ndarray, origin: float, size: float, n: int) -> tuple[np.ndarray, ...]:
    """Split intervals [edges[i], edges[i+1]] (ascending) over cells of ``size`` from ``origin``.

    Returns (cell of the low part, its length, cell of the high part, its length);
    cells outside 0..n-1 get -1. Intervals are at most one cell long.
    """
    lo, hi = edges[:-1], edges[1:]
    c = np.floor((lo - origin) / size).astype(np.int64)
    cut = origin + (c + 1) * size
    w1 = np.minimum(hi, cut) - lo
    w2 = np.maximum(hi - cut, 0.0)
    c2 = c + 1
    c = np.where((c >= 0) & (c < n), c, -1)
    c2 = np.where((c2 >= 0) & (c2 < n) & (w2 > 0), c2, -1)
    return c, w1, c2, w2


def _square_accumulate(
    spec: dict[str, Any], info: RasterInfo, strips: _Strips, channel_fn: _ChannelFn,
    n_channels: int,
) -> np.ndarray:
    """Covered area per (cell row, cell col, channel) in m², by separable overlaps."""
    t = info.transform
    px, py = abs(t.a), abs(t.e)
    s, x0, y0 = spec["cell_size"], spec["x0"], spec["y0"]
    ncc, ncr = spec["n_cols"], spec["n_rows"]
    if max(px, py) > s:
        msg = (f"raster pixels ({px:g} x {py:g} m) are larger than the grid cells ({s:g} m); "
               "use a finer raster or larger cells.")
        raise InputError(msg)
    xe = t.c + t.a * np.arange(info.width + 1)
    cx1, wx1, cx2, wx2 = _overlaps_1d(xe, x0, s, ncc)
    full = (wx2 == 0) & (cx1 >= 0)
    split = ~full & ((cx1 >= 0) | (cx2 >= 0))
    out = np.zeros((ncr, ncc, n_channels))
    k1, ncc1 = n_channels + 1, ncc + 1  # one extra channel / column collects skipped pixels
    prim = np.where(full, cx1, ncc)  # split columns are added separately, with their weights
    split_idx = np.flatnonzero(split)
    base = None
    for data, r0 in strips:
        h = data.shape[0]
        ch, weight = channel_fn(data)  # channel per pixel (n_channels = skip), optional weight
        if base is None or base.shape[0] < h:
            base = (np.arange(h)[:, None] * ncc1 + prim[None, :]) * k1
        idx = (base[:h] + ch).ravel()
        size = h * ncc1 * k1
        acc: np.ndarray  # float: numpy's stubs type a weighted bincount as integers
        if weight is None:
            acc = np.bincount(idx, minlength=size) * px
        else:
            acc = np.bincount(idx, weights=(weight * px).ravel(), minlength=size)
        row_acc = acc.reshape(h, ncc1, k1)[:, :ncc, :n_channels].copy()
        for cells, widths in ((cx1, wx1), (cx2, wx2)):  # the few columns split by a cell edge
            cols = split_idx[cells[split_idx] >= 0]
            if len(cols) == 0:
                continue
            c = ch[:, cols]
            sidx = ((np.arange(h)[:, None] * ncc1 + cells[cols][None, :]) * k1 + c).ravel()
            wpix = np.broadcast_to(widths[cols][None, :], c.shape)
            if weight is not None:
                wpix = wpix * weight[:, cols]
            acc = np.bincount(sidx, weights=np.ascontiguousarray(wpix).ravel(), minlength=size)
            row_acc += acc.reshape(h, ncc1, k1)[:, :ncc, :n_channels]
        # rows: pixel row r spans y from top - (r+1)*py to top - r*py
        top = t.f + t.e * (r0 + np.arange(h + 1))
        ye = top[::-1]  # ascending
        cy1, wy1, cy2, wy2 = _overlaps_1d(ye, y0, s, ncr)
        cy1, wy1, cy2, wy2 = cy1[::-1], wy1[::-1], cy2[::-1], wy2[::-1]
        rows_i = np.concatenate([np.arange(h), np.arange(h)])
        cells_i = np.concatenate([cy1, cy2])
        w_i = np.concatenate([wy1, wy2])
        ok = cells_i >= 0
        wmat = coo_matrix((w_i[ok], (cells_i[ok], rows_i[ok])), shape=(ncr, h)).tocsr()
        out += (wmat @ row_acc.reshape(h, -1)).reshape(ncr, ncc, n_channels)
    return out


def _general_accumulate(
    zones: gpd.GeoDataFrame, info: RasterInfo, strips: _Strips, channel_fn: _ChannelFn,
    n_channels: int,
) -> np.ndarray:
    """Covered area per (unit position, channel) in m², exact for any polygons."""
    from affine import Affine
    from rasterio.features import rasterize

    geoms = zones.geometry.values
    tree = shapely.STRtree(geoms)
    t = info.transform
    px, py = abs(t.a), abs(t.e)
    out = np.zeros((len(zones), n_channels))
    for data, r0 in strips:
        h, w = data.shape
        st = t @ Affine.translation(0, r0)
        sb = (st.c, st.f + st.e * h, st.c + st.a * w, st.f)
        cand = tree.query(shapely.box(*sb))
        if len(cand) == 0:
            continue
        ch, weight = channel_fn(data)
        valid = ch < n_channels
        ids = rasterize(zip(geoms[cand], np.arange(1, len(cand) + 1), strict=True),
                        out_shape=(h, w), transform=st, fill=0, all_touched=False, dtype="int32")
        edge = rasterize(((shapely.boundary(g), 1) for g in geoms[cand]), out_shape=(h, w),
                         transform=st, fill=0, all_touched=True, dtype="uint8").astype(bool)
        inner = (ids > 0) & ~edge & valid
        unit = cand[ids[inner] - 1]
        wts = np.full(unit.shape, px * py) if weight is None else px * py * weight[inner]
        size = len(zones) * n_channels
        out += np.bincount(unit * n_channels + ch[inner], weights=wts,
                           minlength=size).reshape(len(zones), n_channels)
        er, ec = np.nonzero(edge & valid)
        if len(er):
            x = st.c + st.a * ec
            y = st.f + st.e * er
            boxes = shapely.box(x, y - py, x + px, y)
            bi, ui = tree.query(boxes, predicate="intersects")
            a = shapely.area(shapely.intersection(boxes[bi], geoms[ui]))
            wv = a if weight is None else a * weight[er[bi], ec[bi]]
            out += np.bincount(ui * n_channels + ch[er[bi], ec[bi]], weights=wv,
                               minlength=size).reshape(len(zones), n_channels)
    return out


def _accumulate(zones: gpd.GeoDataFrame, path: str | os.PathLike[str], band: int,
                channel_fn: _ChannelFn, n_channels: int, name: str) -> np.ndarray:
    info = raster_info(path, name=name)
    check_raster_crs(info, zones.crs, name)
    spec = _square_spec(zones)
    if spec is None:
        strips = iter_raster_strips(path, band=band, max_pixels=4_000_000, name=name)
        return _general_accumulate(zones, info, strips, channel_fn, n_channels)
    rows_per_cell = max(int(round(spec["cell_size"] / abs(info.transform.e))), 1)
    strips = iter_raster_strips(path, band=band, max_pixels=4_000_000, name=name,
                                row_multiple=rows_per_cell)
    grid_acc = _square_accumulate(spec, info, strips, channel_fn, n_channels)
    cid = zones.index.to_numpy(dtype=np.int64)
    out = grid_acc.reshape(-1, n_channels)[cid]
    s = spec["cell_size"]
    partial = ~np.isclose(zones["cell_area_m2"].to_numpy(dtype=float), s * s) \
        if "cell_area_m2" in zones.columns else np.zeros(len(zones), dtype=bool)
    if partial.any():  # clipped boundary cells are not rectangles: exact general path
        sub = zones.iloc[np.flatnonzero(partial)]
        strips = iter_raster_strips(path, band=band, max_pixels=4_000_000, name=name)
        out[partial] = _general_accumulate(sub, info, strips, channel_fn, n_channels)
    return out


#: Hint of how to refuse the warp, for the library (the pipeline names its config key).
_REFUSE = "pass warp=False to refuse"


def _crs_label(crs: Any) -> str:
    c = CRS.from_user_input(crs)
    epsg = c.to_epsg()
    return f"EPSG:{epsg}" if epsg else c.name


@contextmanager
def _source(
    zones: gpd.GeoDataFrame, path: str | os.PathLike[str], band: int, *, warp: bool,
    resampling: str, name: str, refuse: str,
) -> Iterator[tuple[str | os.PathLike[str], int]]:
    """The raster to measure: ``path`` itself, or a temporary copy warped to the units' CRS."""
    info = raster_info(path, name=name)
    if not warp or info.crs is None or info.crs == CRS.from_user_input(zones.crs):
        yield path, band  # _accumulate checks the CRS and names both fixes
        return
    spec = _square_spec(zones)
    grid = None if spec is None else (float(spec["x0"]), float(spec["y0"]),
                                      float(spec["cell_size"]))
    b = zones.total_bounds
    bounds = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
    with warped_raster(path, zones.crs, bounds=bounds, resampling=resampling, band=band,
                       grid=grid, name=name) as warped:
        warnings.warn(f"`{name}` {info.path.name!r} is in {_crs_label(info.crs)}; warped to "
                      f"{_crs_label(zones.crs)} at {warped.res[0]:g} m with {resampling} "
                      f"({refuse})", stacklevel=4)
        yield warped.path, 1


def raster_class_shares(
    zones: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    classes: Sequence[int] | dict[int, str] | None = None,
    band: int = 1,
    measure: str = "landcover_share",
    warp: bool = False,
) -> pd.DataFrame:
    """Share of each unit covered by each class of a categorical raster.

    Parameters
    ----------
    zones : GeoDataFrame
        Units in a projected metric CRS; the raster's CRS unless ``warp``.
    path : str or path-like
        Categorical raster (integer classes), e.g. a land-cover GeoTIFF.
    classes : sequence of int or dict of int to str, optional
        Pixel values to report, optionally with names (``{1: "cropland", ...}``);
        default every value present in the raster except nodata.
    band : int, default 1
        Band number.
    measure : str, default "landcover_share"
        Column prefix.
    warp : bool, default False
        Reproject a raster in another CRS to the units' CRS (nearest neighbour,
        into a temporary GeoTIFF) instead of raising :class:`CRSError`; warns
        with the pixel size used.

    Returns
    -------
    DataFrame
        Shares in [0, 1], columns ``{measure}_{class}``, aligned to ``zones.index``.
        Pixels with the nodata value and areas outside the raster count as no
        class, so shares of such units sum to less than 1.

    Notes
    -----
    .. math:: s_{z,k} = \\frac{\\sum_p |p \\cap z| \\, [v_p = k]}{A_z}

    with :math:`|p \\cap z|` the exact area of pixel :math:`p` inside unit
    :math:`z` and :math:`A_z` the unit's area (``cell_area_m2`` when present).

    With ``warp``, the shares are exact for the warped raster, not for the
    source: each warped pixel (the native pixel size in metres; on a square grid
    the largest ``cell_size / n`` not above it, with pixel edges on the cell
    edges) takes the class of the source pixel under its centre (nearest
    neighbour), so a class boundary may move by up to about one warped pixel.
    """
    return _class_shares(zones, path, classes=classes, band=band, measure=measure, warp=warp)


def _class_shares(
    zones: gpd.GeoDataFrame, path: str | os.PathLike[str], *,
    classes: Sequence[int] | dict[int, str] | None, band: int, measure: str, warp: bool,
    name: str = "raster", refuse: str = _REFUSE,
) -> pd.DataFrame:
    _check_units(zones)
    source = raster_info(path, name=name)
    if not np.issubdtype(np.dtype(source.dtype), np.integer):
        msg = (f"`{name}` {source.path.name!r} holds {source.dtype} values; class shares need "
               "integer classes. Use `raster_zonal_stats` for continuous rasters.")
        raise InputError(msg)
    if classes is None:  # from the source, so warping does not change the columns
        seen: set[int] = set()
        for data, _ in iter_raster_strips(path, band=band, name=name):
            seen.update(np.unique(data).tolist())
        if source.nodata is not None:
            seen.discard(int(source.nodata))
        values = sorted(seen)
        names = [str(v) for v in values]
    elif isinstance(classes, dict):
        values, names = list(classes), [str(v) for v in classes.values()]
    else:
        values = list(classes)
        names = [str(v) for v in values]
    vals = np.asarray(values, dtype=np.int64)
    with _source(zones, path, band, warp=warp, resampling="nearest", name=name,
                 refuse=refuse) as (src, src_band):
        info = raster_info(src, name=name)
        nodata = None if info.nodata is None else int(info.nodata)
        small = np.dtype(info.dtype).itemsize <= 2
        skip = len(vals)  # channel index meaning "not counted"
        if small:
            lo = int(np.iinfo(np.dtype(info.dtype)).min)
            hi = int(np.iinfo(np.dtype(info.dtype)).max)
            lut = np.full(hi - lo + 1, skip, dtype=np.int16 if skip < 32_000 else np.int64)
            inside = (vals >= lo) & (vals <= hi)  # a listed class the dtype cannot hold
            lut[vals[inside] - lo] = np.arange(len(vals))[inside]
            if nodata is not None and nodata in values:
                lut[nodata - lo] = skip

        order = np.argsort(vals, kind="stable")
        sorted_vals = vals[order]

        def channel(data: np.ndarray) -> tuple[np.ndarray, None]:
            if small:
                return (lut[data] if lo == 0 else lut[data.astype(np.int32) - lo]), None
            # classes may be listed in any order: search the sorted values, report the channel
            pos = np.searchsorted(sorted_vals, data)
            pos = np.clip(pos, 0, max(len(vals) - 1, 0))
            hit = (sorted_vals[pos] == data) if len(vals) else np.zeros(data.shape, dtype=bool)
            if nodata is not None:
                hit &= data != nodata
            return np.where(hit, order[pos] if len(vals) else pos, skip), None

        area = _accumulate(zones, src, src_band, channel, len(vals), name)
    zone_area = (zones["cell_area_m2"].to_numpy(dtype=float) if "cell_area_m2" in zones.columns
                 else zones.geometry.area.to_numpy())
    shares = np.clip(area / zone_area[:, None], 0.0, 1.0)
    return pd.DataFrame(shares, index=zones.index, columns=[f"{measure}_{n}" for n in names])


def raster_zonal_stats(
    zones: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    band: int = 1,
    measure: str = "raster",
    warp: bool = False,
    resampling: str | None = None,
) -> pd.DataFrame:
    """Coverage-weighted sum and mean of a continuous raster in each unit.

    Parameters
    ----------
    zones : GeoDataFrame
        Units in a projected metric CRS; the raster's CRS unless ``warp``.
    path : str or path-like
        Continuous raster (population counts, night-light radiance, ...).
    band : int, default 1
        Band number.
    measure : str, default "raster"
        Column prefix, e.g. ``"population"``.
    warp : bool, default False
        Reproject a raster in another CRS to the units' CRS (into a temporary
        GeoTIFF) instead of raising :class:`CRSError`; warns with the pixel size
        used. Needs ``resampling``.
    resampling : {"sum", "average"}, optional
        How a warped pixel gets its value from the source pixels it covers:
        ``"sum"`` for counts per pixel such as population (area-weighted sum,
        so totals are kept), ``"average"`` for intensities such as night-light
        radiance (area-weighted mean). Required with ``warp``.

    Returns
    -------
    DataFrame
        ``{measure}_sum`` (:math:`\\sum_p w_p v_p`, raster units; for a count raster
        such as population the number of people in the unit) and ``{measure}_mean``
        (:math:`\\sum_p w_p v_p / \\sum_p w_p`, NaN where the unit covers no valid
        pixel), aligned to ``zones.index``.

    Notes
    -----
    :math:`w_p = |p \\cap z| / |p|` is the exact fraction of pixel :math:`p` inside
    unit :math:`z`; nodata and NaN pixels are skipped. A population raster of
    people per pixel therefore gives exact people per unit when people are
    spread evenly within each pixel.

    With ``warp``, two steps are approximated. The warp first moves each source
    pixel's value onto the warped pixels (the native pixel size in metres; on a
    square grid the largest ``cell_size / n`` not above it, with pixel edges on
    the cell edges) in proportion to the area they share (GDAL's ``sum`` or
    ``average``), which assumes the value is spread evenly within each source
    pixel; then the exact coverage above runs on the warped pixels. With
    ``"sum"`` the totals are kept (to about 1e-6 in the tests) and
    ``{measure}_mean`` is the mean per *warped* pixel.
    """
    return _zonal_stats(zones, path, band=band, measure=measure, warp=warp,
                        resampling=resampling)


def _zonal_stats(
    zones: gpd.GeoDataFrame, path: str | os.PathLike[str], *, band: int, measure: str,
    warp: bool, resampling: str | None, name: str = "raster", refuse: str = _REFUSE,
) -> pd.DataFrame:
    _check_units(zones)
    if warp and resampling not in ("sum", "average"):
        msg = ("`resampling` must be \"sum\" (counts per pixel, e.g. population) or "
               f"\"average\" (intensities, e.g. night-light radiance) with warp=True, "
               f"got {resampling!r}.")
        raise InputError(msg)
    with _source(zones, path, band, warp=warp, resampling=str(resampling), name=name,
                 refuse=refuse) as (src, src_band):
        info = raster_info(src, name=name)
        nodata = info.nodata
        pix = abs(info.transform.a * info.transform.e)

        def channel_sum(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            v = data.astype(np.float64)
            ok = np.isfinite(v) if nodata is None else np.isfinite(v) & (v != nodata)
            return np.where(ok, 0, 1), np.where(ok, v, 0.0)

        def channel_cov(data: np.ndarray) -> tuple[np.ndarray, None]:
            v = data.astype(np.float64)
            ok = np.isfinite(v) if nodata is None else np.isfinite(v) & (v != nodata)
            return np.where(ok, 0, 1), None

        s = _accumulate(zones, src, src_band, channel_sum, 1, name)[:, 0] / pix
        cov = _accumulate(zones, src, src_band, channel_cov, 1, name)[:, 0] / pix
    mean = np.divide(s, cov, out=np.full(len(s), np.nan), where=cov > 0)
    return pd.DataFrame({f"{measure}_sum": s, f"{measure}_mean": mean}, index=zones.index)



# ---------------------------------------------------------------------- registered measures
@measure(name="population", needs=("units", "population_raster", "cell_area"),
         uses=("warp_rasters",), columns=(
    column_entry("population_sum", "persons", "+", "descriptive", "人口数(栅格求和)",
                 "people in the unit: coverage-weighted sum of a population raster",
                 "sum_p w_p v_p", "WorldPop / LandScan grids"),
    column_entry("population_density", "persons per km2", "+", "urban", "人口密度(栅格)",
                 "population per km2 from a population raster (sum over the unit)",
                 "sum_p w_p v_p / (A_unit / 1e6)", "WorldPop / LandScan grids"),
))
def _population(units: gpd.GeoDataFrame, path: str | os.PathLike[str], zone_area: pd.Series,
                *, warp_rasters: bool | None = None) -> pd.DataFrame:
    """``population_sum`` and ``population_density`` of `[indicators] population_raster`."""
    pop = _zonal_stats(units, path, band=1, measure="population", warp=bool(warp_rasters),
                       resampling=WARP_RESAMPLING["population_raster"],
                       name="[indicators] population_raster", refuse=_REFUSE_CONFIG)
    return pd.DataFrame({"population_sum": pop["population_sum"],
                         "population_density": pop["population_sum"] / (zone_area / 1e6)})


@indicator(name="night_light_mean", needs=("units", "night_light_raster"), uses=("warp_rasters",),
           unit="raster units (nW/cm2/sr)", direction="+", subsystem="urban",
           label_zh="夜间灯光均值",
           label_en="area-weighted mean night-light radiance in the unit (0 without valid pixels)",
           formula="sum_p w_p v_p / sum_p w_p", citation="Elvidge et al. 2017 (VIIRS); Luojia-1")
def _night_light_mean(units: gpd.GeoDataFrame, path: str | os.PathLike[str], *,
                      warp_rasters: bool | None = None) -> pd.Series:
    """Mean radiance of `[indicators] night_light_raster`, 0 where no pixel is valid."""
    ntl = _zonal_stats(units, path, band=1, measure="night_light", warp=bool(warp_rasters),
                       resampling=WARP_RESAMPLING["night_light_raster"],
                       name="[indicators] night_light_raster", refuse=_REFUSE_CONFIG)
    return ntl["night_light_mean"].fillna(0.0)


@measure(name="landcover_shares", needs=("units", "landcover_raster"),
         uses=("landcover_classes", "warp_rasters"), columns=(
    column_entry("landcover_share_{class}", "share 0-1", "+", "descriptive",
                 "土地覆盖类别占比(栅格)",
                 "share of the unit covered by one land-cover class (exact pixel fractions)",
                 "sum_p w_p [v_p = k] a_p / A_unit",
                 "exactextract coverage fractions (Baston 2022)"),
))
def _landcover_shares(units: gpd.GeoDataFrame, path: str | os.PathLike[str], *,
                      landcover_classes: str | dict[int, str] | None = None,
                      warp_rasters: bool | None = None) -> pd.DataFrame:
    """`[indicators] landcover_raster` shares, classes named by a bundled legend or a dict."""
    classes = landcover_classes
    if isinstance(classes, str):
        if classes not in LANDCOVER_LEGENDS:
            msg = (f"`landcover_classes` must be one of {sorted(LANDCOVER_LEGENDS)} or a "
                   f"{{pixel value: name}} table, got {classes!r}.")
            raise InputError(msg)
        classes = LANDCOVER_LEGENDS[classes]
    return _class_shares(units, path, classes=classes, band=1, measure="landcover_share",
                         warp=bool(warp_rasters), name="[indicators] landcover_raster",
                         refuse=_REFUSE_CONFIG)


for _entry in (
    Indicator(name="raster_sum", unit="raster units", direction="+", subsystem="descriptive",
              label_zh="栅格值加权和", label_en="coverage-weighted sum of a continuous raster",
              formula="sum_p w_p v_p", citation="-", stage="library"),
    Indicator(name="raster_mean", unit="raster units", direction="+", subsystem="descriptive",
              label_zh="栅格值加权均值", label_en="coverage-weighted mean of a continuous raster",
              formula="sum_p w_p v_p / sum_p w_p", citation="-", stage="library"),
):  # the default columns of raster_zonal_stats(measure="raster"), called by hand
    default_registry().register(_entry)
