"""Point-of-interest indicators: counts, densities, diversity, completeness, functional zones."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

if TYPE_CHECKING:
    from affine import Affine

from .. import columns as cols
from .._errors import InputError
from .._validate import check_columns, check_positive, check_projected, check_unique_index
from ..taxonomy import poi_categories, service_categories
from ..units import unit_positions
from .registry import Indicator, Measure, column_entry, default_registry, indicator, measure

__all__ = [
    "poi_counts",
    "poi_density",
    "category_share",
    "shannon_diversity",
    "simpson_diversity",
    "service_completeness",
    "functional_zones",
    "poi_kernel_density",
]


def poi_counts(
    zones: gpd.GeoDataFrame,
    pois: gpd.GeoDataFrame,
    *,
    category_column: str = "category",
    categories: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Number of POIs of each category in each unit (grid cell, hexagon, H3 cell or zone).

    Parameters
    ----------
    zones : GeoDataFrame
        Units in a projected metric CRS, e.g. from :func:`cityind_gis.units.make_grid`.
    pois : GeoDataFrame
        Points in the same CRS with a category column.
    category_column : str, default "category"
        Column holding the POI category.
    categories : sequence of str, optional
        Categories to count (columns, in this order); default the sorted
        categories present. POIs of other categories are ignored.

    Returns
    -------
    DataFrame
        Integer counts, columns ``poi_count_{category}``, aligned to ``zones.index``.

    Notes
    -----
    On a square grid from :func:`~cityind_gis.units.make_grid` points are binned by
    floor division of their projected coordinates and counted with
    :func:`numpy.bincount`: O(n) with no spatial join. Other units use an STRtree
    (:func:`cityind_gis.units.unit_positions`).
    """
    check_projected(zones, "zones")
    check_unique_index(zones, "zones")
    check_columns(pois, [category_column], "pois")
    values = pois[category_column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        if categories is None:
            present = np.unique(values.cat.codes[values.cat.codes >= 0])
            cats = sorted(str(c) for c in values.cat.categories[present])
        else:
            cats = list(categories)
        lookup = pd.Index(cats).get_indexer(values.cat.categories.astype(str))
        codes = values.cat.codes.to_numpy()
        cat_pos = np.where(codes >= 0, lookup[codes], -1)
    else:
        cats = (sorted(values.dropna().astype(str).unique())
                if categories is None else list(categories))
        cat_pos = pd.Index(cats).get_indexer(values.astype(object))
    pos = unit_positions(zones, pois)
    n_bins = len(zones) * len(cats)
    flat = pos * len(cats)
    flat += cat_pos
    flat[(pos < 0) | (cat_pos < 0)] = n_bins  # one overflow bin, dropped below
    counts = np.bincount(flat, minlength=n_bins + 1)[:n_bins].reshape(len(zones), len(cats))
    return pd.DataFrame(counts, index=zones.index, columns=[cols.poi_count(c) for c in cats])


@measure(name="poi_counts", needs=("units", "pois"), columns=(
    column_entry("poi_count_{category}", "POIs", "+", "descriptive", "各类POI数量",
                 "number of POIs of one category in the unit", "n_k", "-"),
))
def _poi_counts(units: gpd.GeoDataFrame, pois: gpd.GeoDataFrame) -> pd.DataFrame:
    """:func:`poi_counts` of every POI category, in taxonomy order."""
    return poi_counts(units, pois, categories=list(poi_categories().index))


def poi_density(counts: pd.DataFrame, zone_area: pd.Series) -> pd.DataFrame:
    """POIs per square kilometre from counts.

    Parameters
    ----------
    counts : DataFrame
        Output of :func:`poi_counts`.
    zone_area : Series
        Zone area in m², aligned to ``counts``.

    Returns
    -------
    DataFrame
        Columns ``poi_density_{category}`` in POIs per km².

    Notes
    -----
    :math:`\\rho_{z,k} = n_{z,k} / (A_z / 10^6)`.
    """
    dens = counts.div(zone_area / 1e6, axis=0).astype(float)
    dens.columns = [cols.poi_density(k) if (k := cols.category_of(c, cols.POI_COUNT)) else c
                    for c in counts.columns]
    return dens


default_registry().register(Measure(
    name="poi_density", func=poi_density, needs=("poi_counts", "cell_area"), columns=(
        column_entry("poi_density_enterprise", "POIs per km2", "+", "industry",
                     "企业/工厂POI密度", "enterprise and factory POIs per km2",
                     "n_enterprise / (A_unit / 1e6)",
                     "Amap POI class 17 (companies and enterprises)", default=True),
        column_entry("poi_density_{category}", "POIs per km2", "+", "urban", "各类服务设施POI密度",
                     "service POIs of one category per km2", "n_k / (A_unit / 1e6)",
                     "Amap POI classes 05-16, 20", default=True),
    )))


def _count_matrix(counts: pd.DataFrame, name: str) -> np.ndarray:
    values = counts.to_numpy(dtype=float)
    if (values < 0).any() or not np.isfinite(values).all():
        msg = (f"`{name}` must hold finite non-negative counts; "
               "found negative, NaN or infinite values.")
        raise InputError(msg)
    return values


def category_share(counts: pd.DataFrame, column: str, *, name: str) -> pd.Series:
    """Share of one category's count among all counts of each unit.

    Parameters
    ----------
    counts : DataFrame
        Counts per unit, e.g. from :func:`poi_counts`.
    column : str
        Column of ``counts`` whose share is wanted, e.g. ``"poi_count_enterprise"``.
    name : str
        Name of the result, e.g. ``"industrial_poi_share"``.

    Returns
    -------
    Series
        :math:`n_k / \\sum_j n_j` in [0, 1], 0 where a unit has no POI.
    """
    check_columns(counts, [column], "counts")
    values = _count_matrix(counts, "counts")
    total = values.sum(axis=1)
    k = counts.columns.get_loc(column)
    share = np.divide(values[:, k], total, out=np.zeros(len(counts)), where=total > 0)
    return pd.Series(share, index=counts.index, name=name)


@indicator(name="industrial_poi_share", needs=("poi_counts",), unit="share 0-1", direction="+",
           subsystem="industry", label_zh="企业POI占全部POI的比例",
           label_en="share of enterprise POIs among all analysed POIs",
           formula="n_enterprise / sum_k n_k (0 where no POI)", citation="Amap POI class 17")
def _industrial_poi_share(counts: pd.DataFrame) -> pd.Series | None:
    if cols.poi_count("enterprise") not in counts.columns:
        return None
    return category_share(counts, cols.poi_count("enterprise"), name="industrial_poi_share")


def shannon_diversity(counts: pd.DataFrame, *, name: str = "service_shannon") -> pd.Series:
    """Shannon diversity of categories in each unit.

    Parameters
    ----------
    counts : DataFrame
        Counts per unit and category (e.g. the service columns of :func:`poi_counts`,
        or enterprise counts per industry subtype).
    name : str, default "service_shannon"
        Name of the result (``"industry_shannon"`` for industry subtypes).

    Returns
    -------
    Series
        :math:`H` in nats, 0 for units with one category or none.

    Notes
    -----
    .. math:: H_z = -\\sum_k p_{z,k} \\ln p_{z,k}, \\quad p_{z,k} = n_{z,k} / \\sum_j n_{z,j}

    with :math:`0 \\ln 0 = 0` (Shannon 1948). Two POIs of different categories
    give :math:`\\ln 2`.
    """
    values = _count_matrix(counts, "counts")
    total = values.sum(axis=1, keepdims=True)
    p = np.divide(values, total, out=np.zeros_like(values), where=total > 0)
    logp = np.log(p, out=np.zeros_like(p), where=p > 0)
    h = 0.0 - (p * logp).sum(axis=1) + 0.0
    return pd.Series(np.maximum(h, 0.0), index=counts.index, name=name)


def simpson_diversity(counts: pd.DataFrame, *, name: str = "service_simpson") -> pd.Series:
    """Gini-Simpson diversity of categories in each unit.

    Parameters
    ----------
    counts : DataFrame
        Counts per unit and category.
    name : str, default "service_simpson"
        Name of the result.

    Returns
    -------
    Series
        :math:`1 - \\sum_k p_k^2` in [0, 1), 0 for units with one category or none.

    Notes
    -----
    .. math:: D_z = 1 - \\sum_k p_{z,k}^2

    (Simpson 1949, as the probability that two POIs drawn with replacement differ
    in category). Two POIs of different categories give 0.5.
    """
    values = _count_matrix(counts, "counts")
    total = values.sum(axis=1, keepdims=True)
    p = np.divide(values, total, out=np.zeros_like(values), where=total > 0)
    d = np.where(total[:, 0] > 0, 1.0 - (p**2).sum(axis=1), 0.0)
    return pd.Series(d, index=counts.index, name=name)


def service_completeness(counts: pd.DataFrame, *, name: str = "service_completeness") -> pd.Series:
    """Share of the service categories present in each unit.

    Parameters
    ----------
    counts : DataFrame
        Counts per unit, one column per service category considered (K columns).
    name : str, default "service_completeness"
        Name of the result.

    Returns
    -------
    Series
        :math:`\\#\\{k : n_{z,k} > 0\\} / K` in [0, 1].

    Notes
    -----
    A unit that has every category of a life-circle facility list (GB 50180-2018)
    scores 1.
    """
    values = _count_matrix(counts, "counts")
    if values.shape[1] == 0:
        msg = "`counts` has no columns; give one column per service category."
        raise InputError(msg)
    return pd.Series((values > 0).sum(axis=1) / values.shape[1], index=counts.index, name=name)


def _service_counts(counts: pd.DataFrame) -> pd.DataFrame | None:
    """The columns of ``counts`` of the service categories (None when there is none)."""
    services = [cols.poi_count(c) for c in service_categories()
                if cols.poi_count(c) in counts.columns]
    return counts[services] if services else None


@indicator(name="service_completeness", needs=("poi_counts",), unit="share 0-1", direction="+",
           subsystem="urban", label_zh="服务设施完备度(出现的服务类别数/总类别数)",
           label_en="share of service categories present in the unit",
           formula="#{k : n_k > 0} / K", citation="GB 50180-2018 life-circle facility lists")
def _service_completeness(counts: pd.DataFrame) -> pd.Series | None:
    services = _service_counts(counts)
    return None if services is None else service_completeness(services)


@indicator(name="service_shannon", needs=("poi_counts",), unit="nats", direction="+",
           subsystem="urban", label_zh="服务设施多样性(Shannon指数)",
           label_en="Shannon diversity of service POI categories",
           formula="-sum_k p_k ln p_k, p_k = n_k / sum n", citation="Shannon 1948")
def _service_shannon(counts: pd.DataFrame) -> pd.Series | None:
    services = _service_counts(counts)
    return None if services is None else shannon_diversity(services)


@indicator(name="service_simpson", needs=("poi_counts",), unit="index 0-1", direction="+",
           subsystem="urban", label_zh="服务设施多样性(Simpson指数)",
           label_en="Gini-Simpson diversity of service POI categories",
           formula="1 - sum_k p_k^2", citation="Simpson 1949")
def _service_simpson(counts: pd.DataFrame) -> pd.Series | None:
    services = _service_counts(counts)
    return None if services is None else simpson_diversity(services)


@indicator(name="transit_stop_density", needs=("poi_counts", "cell_area"),
           unit="stops per km2", direction="+", subsystem="urban", label_zh="公交站点密度",
           label_en="transit stops and stations per km2 (= poi_density_transit)",
           formula="n_transit / (A_unit / 1e6)",
           citation="Ewing & Cervero 2010 (distance to transit)")
def _transit_stop_density(counts: pd.DataFrame, zone_area: pd.Series) -> pd.Series | None:
    if cols.poi_count("transit") not in counts.columns:
        return None
    return (counts[cols.poi_count("transit")] / (zone_area / 1e6)).rename("transit_stop_density")


def functional_zones(counts: pd.DataFrame, *, threshold: float = 0.5) -> pd.DataFrame:
    """POI functional zones: frequency density, category ratio and single/mixed label.

    Parameters
    ----------
    counts : DataFrame
        Counts per unit, columns ``poi_count_{category}`` (from :func:`poi_counts`).
    threshold : float, default 0.5
        A unit is single-function when one category ratio reaches this value.

    Returns
    -------
    DataFrame
        ``fz_density_{category}`` (FD), ``fz_ratio_{category}`` (CR),
        ``fz_ratio_max`` and ``fz_type``: the category name where
        :math:`\\max_i CR_i \\ge` ``threshold``, ``"mixed"`` otherwise, ``"none"``
        where the unit has no POI.

    Notes
    -----
    .. math:: FD_i = n_i / N_i, \\qquad CR_i = FD_i / \\sum_j FD_j

    with :math:`n_i` the unit's count of type :math:`i` and :math:`N_i` its total in
    the study area (Chi Jiao et al. 2016). Dividing by :math:`N_i` removes the
    effect of very common types (shops) outnumbering rare ones (factories).
    Categories absent from the study area get FD = 0.
    """
    if not 0 < threshold <= 1:
        msg = f"`threshold` must be in (0, 1], got {threshold!r}."
        raise InputError(msg)
    values = _count_matrix(counts, "counts")
    cats = [cols.category_of(str(c), cols.POI_COUNT) or str(c) for c in counts.columns]
    totals = values.sum(axis=0)
    fd = np.divide(values, totals, out=np.zeros_like(values), where=totals > 0)
    s = fd.sum(axis=1, keepdims=True)
    cr = np.divide(fd, s, out=np.zeros_like(fd), where=s > 0)
    out = pd.DataFrame(fd, index=counts.index, columns=[f"fz_density_{c}" for c in cats])
    out[[f"fz_ratio_{c}" for c in cats]] = cr
    cr_max = cr.max(axis=1) if cr.shape[1] else np.zeros(len(counts))
    out["fz_ratio_max"] = cr_max
    top = (np.asarray(cats, dtype=object)[cr.argmax(axis=1)] if cr.shape[1]
           else np.full(len(counts), "none"))
    label = np.where(s[:, 0] <= 0, "none", np.where(cr_max >= threshold - 1e-12, top, "mixed"))
    out["fz_type"] = label.astype(object)
    return out


default_registry().register(Measure(
    name="functional_zones", func=functional_zones, needs=("poi_counts",), columns=(
        column_entry("fz_density_{category}", "ratio", "+", "descriptive", "POI频数密度 FD_i",
                     "POI frequency density: count of type i in the unit over its study-area "
                     "total", "FD_i = n_i / N_i",
                     "Chi Jiao, Jiao Limin, Dong Ting et al. 2016, 测绘地理信息 41(2) "
                     "(基于POI数据的城市功能区定量识别)"),
        column_entry("fz_ratio_{category}", "share 0-1", "+", "descriptive", "POI类型比例 CR_i",
                     "POI category ratio within the unit", "CR_i = FD_i / sum_j FD_j",
                     "Chi Jiao et al. 2016"),
        column_entry("fz_ratio_max", "share 0-1", "+", "descriptive", "最大类型比例",
                     "largest category ratio of the unit", "max_i CR_i", "Chi Jiao et al. 2016"),
        column_entry("fz_type", "label", "+", "descriptive", "功能区类型(单一功能/混合功能)",
                     "functional-zone label: the category when one CR_i >= 0.5, 'mixed' "
                     "otherwise, 'none' without POIs", "argmax CR_i if max CR_i >= 0.5",
                     "Chi Jiao et al. 2016"),
    )))


@measure(name="industry_counts", needs=("units", "pois"))
def _industry_counts(units: gpd.GeoDataFrame, pois: gpd.GeoDataFrame) -> pd.DataFrame | None:
    """Enterprise POIs per unit and industry subtype (``pois["industry"]``), None without one."""
    if "industry" not in pois.columns or not pois["industry"].notna().any():
        return None
    return poi_counts(units, pois[pois["industry"].notna()], category_column="industry")


default_registry().register(Indicator(
    name="industry_shannon", func=partial(shannon_diversity, name="industry_shannon"),
    needs=("industry_counts",), unit="nats", direction="+", subsystem="industry",
    label_zh="产业多样性(Shannon指数,按产业细类)",
    label_en="industrial diversity: Shannon entropy over industry subtypes",
    formula="-sum_i p_i ln p_i, p_i = n_i / sum n",
    citation="Shannon 1948; Attaran 1986 (industrial diversification)"))


def poi_kernel_density(
    pois: gpd.GeoDataFrame,
    *,
    cell_size: float,
    bandwidth: float,
    bounds: Sequence[float] | None = None,
) -> tuple[np.ndarray, Affine]:
    """Quartic kernel density of points on a raster, in points per km².

    Parameters
    ----------
    pois : GeoDataFrame
        Points in a projected metric CRS.
    cell_size : float
        Pixel size in metres.
    bandwidth : float
        Search radius :math:`r` in metres (>= ``cell_size``).
    bounds : sequence of 4 floats, optional
        ``(minx, miny, maxx, maxy)`` of the raster; default the points' extent
        grown by ``bandwidth``. Snapped outwards to multiples of ``cell_size``.

    Returns
    -------
    array : numpy.ndarray
        ``float32`` density, shape ``(rows, cols)``, north row first.
    transform : affine.Affine
        Pixel-to-CRS transform (write with :func:`cityind_gis.io.raster.write_geotiff`).

    Notes
    -----
    Quartic (biweight) kernel, as in ArcGIS Kernel Density (Silverman 1986, eq. 4.5):

    .. math:: \\hat f(x) = \\sum_i \\frac{3}{\\pi r^2}\\left(1 - \\frac{d_i^2}{r^2}\\right)^2
              \\quad (d_i < r)

    Points are binned to pixels and convolved (FFT) with the kernel sampled at
    pixel-centre offsets; the stencil is rescaled to sum to one, so every point
    contributes exactly 1 to the integral of the surface (times 10⁶ for km²).
    """
    from affine import Affine
    from scipy.signal import fftconvolve

    check_projected(pois, "pois")
    check_positive(cell_size, "cell_size")
    if not np.isfinite(bandwidth) or bandwidth < cell_size:
        msg = (f"`bandwidth` must be a number of metres >= `cell_size` ({cell_size}), got "
               f"{bandwidth!r}; use a larger search radius or smaller pixels.")
        raise InputError(msg)
    xy = shapely.get_coordinates(pois.geometry.values)
    if bounds is None:
        if len(xy) == 0:
            msg = "`pois` is empty and no `bounds` were given; give the raster extent."
            raise InputError(msg)
        bounds = (xy[:, 0].min() - bandwidth, xy[:, 1].min() - bandwidth,
                  xy[:, 0].max() + bandwidth, xy[:, 1].max() + bandwidth)
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    x0 = np.floor(minx / cell_size) * cell_size
    y1 = np.ceil(maxy / cell_size) * cell_size
    n_cols = max(int(np.ceil((maxx - x0) / cell_size)), 1)
    n_rows = max(int(np.ceil((y1 - miny) / cell_size)), 1)
    if n_cols * n_rows > 400_000_000:
        msg = f"`cell_size` {cell_size} m gives {n_cols * n_rows:,} pixels; use larger pixels."
        raise InputError(msg)
    col = np.floor((xy[:, 0] - x0) / cell_size).astype(np.int64)
    row = np.floor((y1 - xy[:, 1]) / cell_size).astype(np.int64)
    ok = (col >= 0) & (col < n_cols) & (row >= 0) & (row < n_rows)
    grid = np.bincount(row[ok] * n_cols + col[ok], minlength=n_rows * n_cols).astype(np.float64)
    grid = grid.reshape(n_rows, n_cols)
    k = int(np.floor(bandwidth / cell_size))
    off = np.arange(-k, k + 1) * cell_size
    d2 = off[None, :] ** 2 + off[:, None] ** 2
    stencil = np.where(d2 < bandwidth**2, (1.0 - d2 / bandwidth**2) ** 2, 0.0)
    stencil /= stencil.sum() * cell_size**2  # per m², integrates to 1
    dens = fftconvolve(grid, stencil, mode="same") * 1e6
    dens[dens < 1e-9 * max(dens.max(), 1.0)] = 0.0  # FFT round-off
    return dens.astype(np.float32), Affine(cell_size, 0.0, x0, 0.0, -cell_size, y1)
